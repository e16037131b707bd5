"""Floods over real databases: similar complaints and spikes become one incident alert."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.service import create_alerts
from config.settings import BrandConfig, Settings
from delivery.drain import drain_outbox
from storage.db import session_scope
from storage.models import Alert, Incident, OutboxMessage, Source
from tests.alerts.factories import NOW, make_mention, make_score, make_source
from tests.alerts.test_sender import sender_for
from tests.fakes.slack_server import FakeSlack

SETTINGS = Settings(brand=BrandConfig(name="Acme"))
CHARGER = "My Acme X200 charger overheats and stopped charging after {n} days."
VARIED = [
    "Delivery took three weeks",
    "Support agent was rude on the phone",
    "Wrong colour sent twice",
    "App crashes at login",
    "Invoice shows double charge",
    "Missing screws in the package",
    "Website checkout fails with payment error",
    "Warranty claim ignored",
]


def add_complaints(
    url: str, texts: list[str], source_name: str | None = None, **extra: object
) -> None:
    with session_scope(url) as session:
        source = _source(session, source_name)
        for text in texts:
            mention = make_mention(session, source, text=text, **extra)
            make_score(session, mention, prob_negative=0.9)


def _source(session: Session, name: str | None) -> Source:
    if name is None:
        return make_source(session)
    found = session.scalars(select(Source).where(Source.name == name)).first()
    return found or make_source(session, name=name)


def decide(url: str, now: datetime = NOW) -> int:
    with session_scope(url) as session:
        return create_alerts(session, SETTINGS, now=now)


def counts(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        rows = session.execute(select(Alert.status, func.count()).group_by(Alert.status)).all()
        outbox = session.scalar(select(func.count()).select_from(OutboxMessage))
    return {status: number for status, number in rows} | {"outbox": int(outbox or 0)}


def test_thirty_complaints_become_one_incident_alert(alerts_db: str, fake_slack: FakeSlack) -> None:
    add_complaints(alerts_db, [CHARGER.format(n=n) for n in range(30)])
    assert decide(alerts_db) == 1
    assert counts(alerts_db) == {"grouped": 30, "open": 1, "outbox": 1}
    with session_scope(alerts_db) as session:
        incident = session.scalars(select(Incident)).one()
        alert = session.scalars(select(Alert).where(Alert.kind == "incident")).one()
    assert (incident.kind, incident.mention_count, incident.severity) == ("similar", 30, "P2")
    assert incident.theme[:3] == ["x200", "charging", "charger"]
    assert alert.reasons[0] == "30 similar complaints in the last 3 days"
    assert drain_outbox(alerts_db, sender_for(fake_slack), now=NOW).sent == 1
    [posted] = fake_slack.posted_messages()
    assert posted["text"].startswith("P2 incident: 30 similar complaints on acme-reviews")
    assert decide(alerts_db, NOW + timedelta(minutes=10)) == 0  # rerun: nothing new


def test_complaints_arriving_one_by_one(alerts_db: str, fake_slack: FakeSlack) -> None:
    sender = sender_for(fake_slack)
    for n in range(2):
        add_complaints(alerts_db, [CHARGER.format(n=n)], source_name="shop")
        assert decide(alerts_db, NOW + timedelta(minutes=n)) == 1
    add_complaints(alerts_db, [CHARGER.format(n=2)], source_name="shop")
    assert decide(alerts_db, NOW + timedelta(minutes=2)) == 1  # the incident, not a third page
    with session_scope(alerts_db) as session:
        incident = session.scalars(select(Incident)).one()
        linked = session.scalars(select(Alert).where(Alert.incident_id == incident.id)).all()
    assert incident.mention_count == 3
    assert sorted(a.status for a in linked) == ["grouped", "open", "open", "open"]
    assert drain_outbox(alerts_db, sender, now=NOW + timedelta(minutes=3)).sent == 3
    add_complaints(alerts_db, [CHARGER.format(n=n) for n in range(3, 8)], source_name="shop")
    assert decide(alerts_db, NOW + timedelta(minutes=4)) == 0
    assert drain_outbox(alerts_db, sender, now=NOW + timedelta(minutes=5)).sent == 1
    with session_scope(alerts_db) as session:
        incident_alert = session.scalars(select(Alert).where(Alert.kind == "incident")).one()
    reply = fake_slack.posted_messages()[-1]
    assert reply["thread_ts"] == incident_alert.slack_ts is not None
    assert reply["channel"] == incident_alert.slack_channel
    assert reply["text"] == "➕ 5 more negative mention(s) joined this incident"
    with session_scope(alerts_db) as session:
        assert session.scalars(select(Incident)).one().mention_count == 8


def add_history(url: str, source_name: str) -> None:
    """One old, happy mention: the source has been watched for ten days."""
    with session_scope(url) as session:
        source = _source(session, source_name)
        old = make_mention(session, source, text="Lovely.", published_at=NOW - timedelta(days=10))
        make_score(session, old, prob_negative=0.02)


def test_spike_of_unrelated_complaints_becomes_one_incident(alerts_db: str) -> None:
    add_history(alerts_db, "app")
    add_complaints(alerts_db, VARIED, source_name="app")
    assert decide(alerts_db) == 1
    with session_scope(alerts_db) as session:
        incident = session.scalars(select(Incident)).one()
        alert = session.scalars(select(Alert).where(Alert.kind == "incident")).one()
    assert (incident.kind, incident.mention_count) == ("spike", 8)
    assert incident.stats == {"count": 8, "mean": 0.0, "stddev": 0.0, "threshold": 5}
    assert alert.reasons[0] == (
        "8 negative mentions in the last 24 hours; baseline 0.0 ± 0.0 a day, threshold 5"
    )


def test_a_new_source_without_history_has_no_baseline_to_spike_against(alerts_db: str) -> None:
    add_complaints(alerts_db, VARIED, source_name="brand-new")
    assert decide(alerts_db) == 8
    assert counts(alerts_db) == {"open": 8, "outbox": 8}


def test_a_backfilled_baseline_prevents_a_false_spike(alerts_db: str) -> None:
    for day in range(1, 8):
        published = NOW - timedelta(days=day, hours=1)
        texts = [f"{text} ({day})" for text in VARIED]
        add_complaints(alerts_db, texts, source_name="busy", published_at=published)
    with session_scope(alerts_db) as session:
        assert create_alerts(session, SETTINGS, now=NOW, max_age=timedelta(hours=24)) == 0
    add_complaints(alerts_db, VARIED, source_name="busy")
    assert decide(alerts_db) == 8
    assert counts(alerts_db)["open"] == 8


def test_a_p1_complaint_joining_a_p2_incident_still_pages(alerts_db: str) -> None:
    add_complaints(alerts_db, [CHARGER.format(n=n) for n in range(5)], source_name="shop")
    assert decide(alerts_db) == 1
    fire = "My Acme X200 charger overheats, stopped charging and caught fire after 2 days."
    with session_scope(alerts_db) as session:
        source = session.scalars(select(Source).where(Source.name == "shop")).one()
        make_score(session, make_mention(session, source, text=fire, rating=1), prob_negative=0.97)
    assert decide(alerts_db, NOW + timedelta(minutes=5)) == 1
    with session_scope(alerts_db) as session:
        p1 = session.scalars(select(Alert).where(Alert.severity == "P1")).one()
    assert (p1.status, p1.kind) == ("open", "mention") and p1.incident_id is not None
    assert counts(alerts_db) == {"grouped": 5, "open": 2, "outbox": 3}


def test_an_incident_of_safety_complaints_says_so_and_drafts_the_safety_reply(
    alerts_db: str,
) -> None:
    smoke = "My Acme X200 charger overheats and smoke came out of it after {n} days."
    add_complaints(alerts_db, [smoke.format(n=n) for n in range(5)])

    assert decide(alerts_db) == 1
    with session_scope(alerts_db) as session:
        alert = session.scalars(select(Alert).where(Alert.kind == "incident")).one()
        message = session.scalars(select(OutboxMessage)).one()
    assert "safety risk: in 5 of its complaints" in alert.reasons
    assert alert.severity == "P1"
    assert any("stop using the product now" in str(block) for block in message.payload["blocks"])
