"""create_alerts over real databases: one alert and one queued message per mention."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.service import create_alerts
from config.settings import BrandConfig, Settings, SlackConfig
from storage.db import session_scope
from storage.models import Alert, Mention, OutboxMessage
from storage.repository import text_fingerprint
from tests.alerts.factories import NOW, make_mention, make_score, make_source

SETTINGS = Settings(brand=BrandConfig(name="Acme"), slack=SlackConfig(channel="#reputation"))


def test_negative_mention_becomes_an_alert_and_a_queued_message(alerts_db: str) -> None:
    with session_scope(alerts_db) as session:
        mention = make_mention(session, text="The charger caught fire.", rating=1)
        make_score(session, mention, prob_negative=0.97)
        make_score(session, make_mention(session, text="Great!"), prob_negative=0.02)
        assert create_alerts(session, SETTINGS, now=NOW) == 1
        mention_id = mention.id
    with session_scope(alerts_db) as session:
        alert = session.scalars(select(Alert)).one()
        message = session.scalars(select(OutboxMessage)).one()
    assert (alert.alert_key, alert.mention_id, alert.severity) == (
        f"mention:{mention_id}",
        mention_id,
        "P1",
    )
    assert alert.reasons == [
        "negative sentiment 0.97 ≥ threshold 0.60",
        "rating 1/5",
        "safety risk: fire (P1 or higher, whatever the tone)",
        "risk words: fire",
    ]
    assert (alert.status, alert.current_step, alert.due_at) == (
        "open",
        1,
        NOW + timedelta(minutes=15),
    )
    assert (message.dedup_key, message.alert_id) == (f"alert:mention:{mention_id}", alert.id)
    assert (message.priority, message.channel, message.next_attempt_at) == (1, "#reputation", NOW)
    assert message.payload["text"].startswith("P1 negative mention on")
    assert message.payload["blocks"][0]["type"] == "header"


def test_running_again_creates_nothing_new(alerts_db: str) -> None:
    with session_scope(alerts_db) as session:
        make_score(session, prob_negative=0.9)
        assert create_alerts(session, SETTINGS, now=NOW) == 1
    with session_scope(alerts_db) as session:
        assert create_alerts(session, SETTINGS, now=NOW + timedelta(minutes=5)) == 0
        assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_priority_follows_severity(alerts_db: str) -> None:
    with session_scope(alerts_db) as session:
        source = make_source(session)
        make_score(session, make_mention(session, source, text="Meh."), prob_negative=0.65)
        make_score(
            session,
            make_mention(session, source, text="Awful."),
            prob_negative=0.9,
        )
        assert create_alerts(session, SETTINGS, now=NOW) == 2
        rows = session.execute(select(Alert.severity, OutboxMessage.priority).join(OutboxMessage))
        assert sorted(rows.all()) == [("P3", 3), ("P4", 4)]


def test_score_of_an_older_text_waits_for_rescoring(alerts_db: str) -> None:
    with session_scope(alerts_db) as session:
        mention = make_mention(session)
        make_score(session, mention, prob_negative=0.95, content_hash="hash-of-the-old-text")
        assert create_alerts(session, SETTINGS, now=NOW) == 0


def test_mentions_older_than_max_age_are_not_alerted(alerts_db: str) -> None:
    with session_scope(alerts_db) as session:
        old = make_mention(session, published_at=NOW - timedelta(days=30), text="Old complaint.")
        undated = make_mention(session, published_at=None, fetched_at=NOW - timedelta(days=30))
        fresh = make_mention(session, published_at=NOW - timedelta(hours=2), text="New complaint.")
        for mention in (old, undated, fresh):
            make_score(session, mention, prob_negative=0.9)
        assert create_alerts(session, SETTINGS, now=NOW, max_age=timedelta(days=1)) == 1
        assert session.scalars(select(Alert.mention_id)).all() == [fresh.id]


def test_backfilled_mentions_are_never_alerted(alerts_db: str) -> None:
    with session_scope(alerts_db) as session:
        history = make_mention(session, text="An old complaint from the first crawl.")
        history.backfill = True
        fresh = make_mention(session, text="A new complaint.")
        for mention in (history, fresh):
            make_score(session, mention, prob_negative=0.9)
        assert create_alerts(session, SETTINGS, now=NOW) == 1
        assert session.scalars(select(Alert.mention_id)).all() == [fresh.id]


SYNDICATED = "The kettle base melted on day two and the shop refuses a refund. Avoid!"


def _copy_on_a_new_source(session: Session, text: str) -> Mention:
    mention = make_mention(session, text=text, text_fingerprint=text_fingerprint(text))
    make_score(session, mention, prob_negative=0.9)
    return mention


def test_syndicated_copies_are_linked_not_alerted_twice(alerts_db: str) -> None:
    with session_scope(alerts_db) as session:
        original = _copy_on_a_new_source(session, SYNDICATED)
        copy = _copy_on_a_new_source(session, f"  {SYNDICATED.upper()}  ")
        other = _copy_on_a_new_source(session, "A different complaint: the lid broke off.")
        assert create_alerts(session, SETTINGS, now=NOW) == 2
    with session_scope(alerts_db) as session:
        late = _copy_on_a_new_source(session, SYNDICATED.replace("!", "."))
        assert create_alerts(session, SETTINGS, now=NOW + timedelta(hours=1)) == 0
    with session_scope(alerts_db) as session:
        alerts = {a.mention_id: a for a in session.scalars(select(Alert))}
        messages = [m for m in session.scalars(select(OutboxMessage.alert_id)) if m is not None]
    assert sorted(messages) == sorted([alerts[original.id].id, alerts[other.id].id])
    for linked in (copy, late):
        assert (alerts[linked.id].status, alerts[linked.id].related) == ("grouped", [original.id])
        assert "on another source: linked, not alerted" in alerts[linked.id].reasons[-1]
