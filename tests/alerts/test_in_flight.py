"""A post whose outcome was lost (the worker died, the database went away) is looked for in
Slack by its outbox key before it is posted again, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select

from delivery.destination import SentMessage
from delivery.drain import DrainResult, drain_outbox, outbox_sender
from delivery.outbox import enqueue
from delivery.slack import SlackSender
from storage.db import session_scope
from storage.models import Alert, OutboxInFlight
from tests.alerts.factories import NOW
from tests.alerts.test_sender import LATER, outbox_rows, queue_alerts, sender_for
from tests.fakes.slack_server import FakeSlack

RESTART = LATER + timedelta(minutes=1)


class Crash(BaseException):
    """The worker dying mid-send: nothing after it runs, the drain's transaction is lost."""


class CrashingSender:
    """Dies just before or just after its inner sender posts."""

    def __init__(self, inner: SlackSender, *, after_post: bool) -> None:
        self.inner, self.after_post = inner, after_post

    def send(self, channel: str, payload: Mapping[str, Any]) -> SentMessage:
        if self.after_post:
            self.inner.send(channel, payload)
        raise Crash


def crash_mid_send(
    url: str, fake: FakeSlack, *, after_post: bool = True, token: str = "xoxb-test"
) -> None:
    sender = CrashingSender(sender_for(fake, token), after_post=after_post)
    with pytest.raises(Crash):
        drain_outbox(url, sender, now=LATER)


def queue_message(
    url: str,
    channel: str = "C0ALERTS",
    key: str = "m1",
    payload: dict[str, Any] | None = None,
    **extra: Any,
) -> None:
    with session_scope(url) as session:
        message = {"text": f"message {key}", **(payload or {})}
        enqueue(session, dedup_key=key, channel=channel, payload=message, now=NOW, **extra)


def in_flight_rows(url: str) -> list[OutboxInFlight]:
    with session_scope(url) as session:
        return list(session.scalars(select(OutboxInFlight)))


def first_post_ts(fake: FakeSlack) -> str:
    return str(fake.calls("chat.postMessage")[0].response["ts"])


def test_every_post_carries_its_outbox_key_and_leaves_nothing_in_flight(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_alerts(alerts_db, ("The charger caught fire.", 0.97))
    assert drain_outbox(alerts_db, sender_for(fake_slack), now=LATER) == DrainResult(1, 0, 0)
    [posted] = fake_slack.posted_messages()
    [row] = outbox_rows(alerts_db)
    assert posted["metadata"] == {
        "event_type": "repwatch_outbox",
        "event_payload": {"dedup_key": row.dedup_key},
    }
    assert (row.result_channel, row.result_ts) == (
        FakeSlack.channel_id("#reputation"),
        first_post_ts(fake_slack),
    )
    assert in_flight_rows(alerts_db) == []
    assert fake_slack.calls("conversations.history") == []


def test_a_post_slack_took_before_a_crash_is_marked_sent_not_posted_again(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_alerts(alerts_db, ("The charger caught fire.", 0.97), channel="C0ALERTS")
    crash_mid_send(alerts_db, fake_slack)
    [left] = in_flight_rows(alerts_db)
    assert left.started_at == LATER and outbox_rows(alerts_db)[0].sent_at is None

    assert drain_outbox(alerts_db, sender_for(fake_slack), now=RESTART) == DrainResult(1, 0, 0)
    assert len(fake_slack.posted_messages()) == 1
    [lookup] = fake_slack.calls("conversations.history")
    assert lookup.body["include_all_metadata"] == "1"
    assert (lookup.body["channel"], float(lookup.body["oldest"])) == (
        "C0ALERTS",
        (LATER - timedelta(minutes=5)).timestamp(),
    )
    [row] = outbox_rows(alerts_db)
    assert (row.sent_at, row.result_ts) == (RESTART, first_post_ts(fake_slack))
    with session_scope(alerts_db) as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.slack_channel, alert.slack_ts) == ("C0ALERTS", first_post_ts(fake_slack))
    assert in_flight_rows(alerts_db) == []


def test_a_post_that_never_reached_slack_is_posted_once(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_message(alerts_db)
    crash_mid_send(alerts_db, fake_slack, after_post=False)
    assert fake_slack.posted_messages() == [] and len(in_flight_rows(alerts_db)) == 1

    assert drain_outbox(alerts_db, sender_for(fake_slack), now=RESTART).sent == 1
    assert len(fake_slack.calls("conversations.history")) == 1
    assert [m["text"] for m in fake_slack.posted_messages()] == ["message m1"]
    assert outbox_rows(alerts_db)[0].result_ts == first_post_ts(fake_slack)
    assert in_flight_rows(alerts_db) == []


def test_only_a_message_with_the_same_key_counts_as_posted(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_message(alerts_db, key="m1", priority=1)
    queue_message(alerts_db, key="m2", priority=2)
    sender = sender_for(fake_slack)
    assert drain_outbox(alerts_db, sender, limit=1, now=LATER).sent == 1  # m1 is in Slack
    with session_scope(alerts_db) as session:
        session.add(OutboxInFlight(outbox_id=outbox_rows(alerts_db)[1].id, started_at=LATER))

    assert drain_outbox(alerts_db, sender, now=RESTART).sent == 1
    assert [m["text"] for m in fake_slack.posted_messages()] == ["message m1", "message m2"]


def test_a_channel_name_is_looked_up_by_the_id_slack_answered_for_it(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_message(alerts_db, channel="#reputation", key="m1", priority=1)
    queue_message(alerts_db, channel="#reputation", key="m2", priority=2)
    assert drain_outbox(alerts_db, sender_for(fake_slack), limit=1, now=LATER).sent == 1
    crash_mid_send(alerts_db, fake_slack)

    assert drain_outbox(alerts_db, sender_for(fake_slack), now=RESTART).sent == 1
    assert len(fake_slack.posted_messages()) == 2
    [lookup] = fake_slack.calls("conversations.history")
    assert lookup.body["channel"] == FakeSlack.channel_id("#reputation")


def test_the_first_message_to_a_channel_name_cannot_be_looked_for_and_is_posted_again(
    alerts_db: str, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    queue_message(alerts_db, channel="#reputation")
    crash_mid_send(alerts_db, fake_slack)

    with caplog.at_level(logging.WARNING, logger="delivery.drain"):
        assert drain_outbox(alerts_db, sender_for(fake_slack), now=RESTART).sent == 1
    # Slack's history takes channel ids only, and Slack never answered with this one.
    assert fake_slack.calls("conversations.history")[0].response["error"] == "channel_not_found"
    assert len(fake_slack.posted_messages()) == 2  # at least once: the documented fallback
    assert "cannot check whether outbox message m1 already reached #reputation" in caplog.text


def test_a_thread_reply_is_looked_for_in_its_thread(alerts_db: str, fake_slack: FakeSlack) -> None:
    queue_alerts(alerts_db, ("Awful.", 0.9), channel="C0ALERTS")
    assert drain_outbox(alerts_db, sender_for(fake_slack), now=LATER).sent == 1
    with session_scope(alerts_db) as session:
        alert = session.scalars(select(Alert)).one()
    queue_message(alerts_db, key="reply", payload={"in_thread": True}, alert_id=alert.id)
    crash_mid_send(alerts_db, fake_slack)

    assert drain_outbox(alerts_db, sender_for(fake_slack), now=RESTART).sent == 1
    assert len(fake_slack.posted_messages()) == 2
    [lookup] = fake_slack.calls("conversations.replies")
    assert (lookup.body["channel"], lookup.body["ts"]) == ("C0ALERTS", alert.slack_ts)
    reply = next(row for row in outbox_rows(alerts_db) if row.dedup_key == "reply")
    assert reply.result_ts == fake_slack.calls("chat.postMessage")[1].response["ts"]


def test_without_the_history_scope_the_message_is_posted_again_with_a_warning(
    alerts_db: str, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    queue_message(alerts_db)
    crash_mid_send(alerts_db, fake_slack, token="xoxb-no-history")

    with caplog.at_level(logging.WARNING, logger="delivery.drain"):
        sent = drain_outbox(alerts_db, sender_for(fake_slack, "xoxb-no-history"), now=RESTART)
    assert sent == DrainResult(1, 0, 0)
    assert len(fake_slack.posted_messages()) == 2
    assert "(missing_scope, the app needs channels:history,groups:history" in caplog.text
    assert "so it may appear twice" in caplog.text


def test_a_lookup_slack_cannot_answer_holds_the_message_until_it_can(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_message(alerts_db)
    crash_mid_send(alerts_db, fake_slack)
    outage = sender_for(fake_slack, "xoxb-outage")

    assert drain_outbox(alerts_db, outage, now=RESTART) == DrainResult(0, 1, 1)
    [row] = outbox_rows(alerts_db)
    assert (row.last_error or "").endswith("(HTTP 500)")
    assert row.next_attempt_at == RESTART + timedelta(seconds=30)
    assert len(in_flight_rows(alerts_db)) == 1  # still unaccounted for
    fake_slack.end_outage()
    assert drain_outbox(alerts_db, outage, now=RESTART + timedelta(minutes=1)).sent == 1
    assert len(fake_slack.posted_messages()) == 1


def test_a_refusal_settles_the_outcome_and_a_lost_connection_does_not(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    too_many = [{"type": "divider"}] * 60
    queue_message(alerts_db, key="refused", payload={"blocks": too_many})
    assert drain_outbox(alerts_db, sender_for(fake_slack), now=LATER).failed == 1
    assert in_flight_rows(alerts_db) == []  # Slack answered invalid_blocks: not posted

    fake_slack.stop()  # nothing listens any more: the outcome of a post is unknown
    assert drain_outbox(alerts_db, sender_for(fake_slack), now=RESTART).failed == 1
    assert [row.started_at for row in in_flight_rows(alerts_db)] == [RESTART]


def test_the_outbox_client_leaves_a_server_error_to_the_outbox_instead_of_reposting(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_message(alerts_db)
    sender = outbox_sender(fake_slack.base_url, "xoxb-outage", Console())

    assert drain_outbox(alerts_db, sender, now=LATER) == DrainResult(0, 1, 1)
    # One request: a 500 may hide a post Slack took, so the client does not post again.
    assert len(fake_slack.calls("chat.postMessage")) == 1
    fake_slack.end_outage()
    assert drain_outbox(alerts_db, sender, now=RESTART).sent == 1
    assert len(fake_slack.calls("conversations.history")) == 1  # looked for it first
    assert len(fake_slack.posted_messages()) == 1
