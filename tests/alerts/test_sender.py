"""The outbox drained against the fake Slack Web API, on SQLite and PostgreSQL."""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from rich.console import Console
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from sqlalchemy import select

from alerts.service import create_alerts
from config.settings import BrandConfig, Settings, SlackConfig
from delivery.console import ConsoleSender
from delivery.destination import SentMessage
from delivery.drain import DrainResult, drain_outbox
from delivery.exceptions import SlackConfigurationError
from delivery.outbox import enqueue
from delivery.slack import SlackSender, build_web_client
from storage.db import session_scope
from storage.models import Alert, OutboxMessage
from tests.alerts.conftest import empty
from tests.alerts.factories import NOW, make_mention, make_score, make_source
from tests.fakes.slack_server import FakeSlack

LATER = NOW + timedelta(minutes=1)
QUICK_RETRY = FixedValueRetryIntervalCalculator(0.01)


def settings(channel: str = "#reputation") -> Settings:
    return Settings(brand=BrandConfig(name="Acme"), slack=SlackConfig(channel=channel))


def sender_for(fake: FakeSlack, token: str = "xoxb-test") -> SlackSender:
    return SlackSender(
        build_web_client(fake.base_url, token, timeout=5, retry_interval=QUICK_RETRY)
    )


def queue_alerts(
    url: str, *texts_and_probs: tuple[str, float], channel: str = "#reputation"
) -> None:
    with session_scope(url) as session:
        source = make_source(session)
        for text, prob in texts_and_probs:
            make_score(session, make_mention(session, source, text=text), prob_negative=prob)
        create_alerts(session, settings(channel), now=NOW)


def outbox_rows(url: str) -> list[OutboxMessage]:
    with session_scope(url) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def header(message: dict[str, Any]) -> str:
    return str(message["blocks"][0]["text"]["text"])


def test_web_client_is_built_with_base_url_timeout_and_retries(fake_slack: FakeSlack) -> None:
    client = build_web_client(fake_slack.base_url, "xoxb-test", timeout=7)
    assert (client.base_url, client.timeout) == (fake_slack.base_url, 7)
    kinds = {type(handler) for handler in client.retry_handlers}
    assert kinds == {
        RateLimitErrorRetryHandler,
        ServerErrorRetryHandler,
        ConnectionErrorRetryHandler,
    }
    assert client.auth_test()["user_id"] == "U0FAKE"
    assert fake_slack.requests[-1].headers["authorization"] == "Bearer xoxb-test"


def test_drain_posts_the_alert_and_records_where_it_went(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_alerts(alerts_db, ("The charger caught fire.", 0.97))
    result = drain_outbox(alerts_db, sender_for(fake_slack), now=LATER)
    assert result == DrainResult(sent=1, failed=0, pending=0)
    [posted] = fake_slack.posted_messages()
    texts = [str(block.get("text", {}).get("text", "")) for block in posted["blocks"]]
    assert posted["channel"] == "#reputation" and posted["unfurl_links"] is False
    assert "> The charger caught fire." in texts
    assert any("|Open the original>" in text for text in [str(b) for b in posted["blocks"]])
    assert any(text.startswith("*Response playbook*\n▶ *1. Acknowledge fast*") for text in texts)
    [message] = outbox_rows(alerts_db)
    with session_scope(alerts_db) as session:
        alert = session.scalars(select(Alert)).one()
    ts = fake_slack.calls("chat.postMessage")[0].response["ts"]
    assert (message.sent_at, message.result_ts, message.attempts) == (LATER, ts, 1)
    assert (alert.slack_channel, alert.slack_ts) == (FakeSlack.channel_id("#reputation"), ts)


def test_rerun_posts_nothing_new(alerts_db: str, fake_slack: FakeSlack) -> None:
    queue_alerts(alerts_db, ("Awful.", 0.9), ("Terrible.", 0.8))
    assert drain_outbox(alerts_db, sender_for(fake_slack), now=LATER).sent == 2
    queue_alerts(alerts_db)  # deciding again finds nothing new
    assert drain_outbox(
        alerts_db, sender_for(fake_slack), now=LATER + timedelta(hours=1)
    ) == DrainResult(0, 0, 0)
    assert len(fake_slack.posted_messages()) == 2


def test_rate_limit_is_waited_out_and_the_message_delivered_once(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_alerts(alerts_db, ("Awful.", 0.9))
    result = drain_outbox(alerts_db, sender_for(fake_slack, "xoxb-ratelimited"), now=LATER)
    assert result == DrainResult(sent=1, failed=0, pending=0)
    assert [call.status for call in fake_slack.calls("chat.postMessage")] == [429, 200]
    assert len(fake_slack.posted_messages()) == 1


def test_outage_loses_nothing_and_recovery_sends_in_priority_order(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_alerts(alerts_db, ("Meh.", 0.65), ("It caught fire, total scam.", 0.97), ("Bad.", 0.9))
    sender = sender_for(fake_slack, "xoxb-outage")
    assert drain_outbox(alerts_db, sender, now=LATER) == DrainResult(sent=0, failed=1, pending=3)
    rows = outbox_rows(alerts_db)
    first = min(rows, key=lambda row: row.priority)
    assert first.attempts == 1 and (first.last_error or "").endswith("(HTTP 500)")
    assert {row.next_attempt_at for row in rows} == {LATER + timedelta(seconds=30)}
    assert drain_outbox(alerts_db, sender, now=LATER + timedelta(seconds=10)).failed == 0
    fake_slack.end_outage()
    result = drain_outbox(alerts_db, sender, now=LATER + timedelta(minutes=5))
    assert result == DrainResult(sent=3, failed=0, pending=0)
    assert [header(message)[:4] for message in fake_slack.posted_messages()] == [
        "🔴 P1",
        "🟡 P3",
        "🔵 P4",
    ]


@pytest.mark.parametrize(
    ("token", "channel", "error"),
    [
        ("xoxb-test", "C_NOT_FOUND", "channel_not_found"),
        ("xoxb-invalid", "#reputation", "invalid_auth"),
    ],
)
def test_permanent_refusal_stops_the_drain_and_keeps_the_messages(
    alerts_db: str, fake_slack: FakeSlack, token: str, channel: str, error: str
) -> None:
    queue_alerts(alerts_db, ("Awful.", 0.9), ("Bad.", 0.8), channel=channel)
    with pytest.raises(
        SlackConfigurationError, match=f"Slack refused messages to {channel}: {error}"
    ):
        drain_outbox(alerts_db, sender_for(fake_slack, token), now=LATER)
    assert len(fake_slack.calls("chat.postMessage")) == 1
    rows = outbox_rows(alerts_db)
    assert all(row.sent_at is None and row.next_attempt_at == NOW for row in rows)
    assert [row.last_error for row in rows].count(error) == 1


def test_a_message_slack_refuses_backs_off_and_the_drain_goes_on(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    with session_scope(alerts_db) as session:
        too_many = [{"type": "divider"}] * 60
        enqueue(
            session,
            dedup_key="bad",
            channel="#r",
            payload={"text": "x", "blocks": too_many},
            priority=1,
            now=NOW,
        )
        enqueue(
            session, dedup_key="good", channel="#r", payload={"text": "fine"}, priority=2, now=NOW
        )
    assert drain_outbox(alerts_db, sender_for(fake_slack), now=LATER) == DrainResult(1, 1, 1)
    bad = outbox_rows(alerts_db)[0]
    assert (bad.last_error, bad.next_attempt_at) == (
        "invalid_blocks (HTTP 200)",
        LATER + timedelta(seconds=30),
    )


def test_unreachable_slack_is_an_outage(alerts_db: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    queue_alerts(alerts_db, ("Awful.", 0.9), ("Bad.", 0.8))
    client = build_web_client(
        f"http://127.0.0.1:{port}/api/", "xoxb-test", retry_interval=QUICK_RETRY
    )
    result = drain_outbox(alerts_db, SlackSender(client), now=LATER)
    assert result == DrainResult(sent=0, failed=1, pending=2)
    assert any(
        (row.last_error or "").startswith("connection failed") for row in outbox_rows(alerts_db)
    )


def test_drain_respects_the_limit(alerts_db: str, fake_slack: FakeSlack) -> None:
    queue_alerts(alerts_db, ("Awful.", 0.9), ("Bad.", 0.8), ("Worse.", 0.85))
    assert drain_outbox(alerts_db, sender_for(fake_slack), limit=2, now=LATER) == DrainResult(
        2, 0, 1
    )


def test_console_sender_prints_the_alert_readably(alerts_db: str) -> None:
    with session_scope(alerts_db) as session:
        mention = make_mention(
            session,
            text="It caught fire <!channel> [bold]x[/bold]",
            rating=1,
            url="https://reviews.example.com/acme/9",
        )
        make_score(session, mention, prob_negative=0.97)
        create_alerts(session, settings(), now=NOW)
    output = StringIO()
    console = Console(file=output, width=120, color_system=None)
    assert drain_outbox(alerts_db, ConsoleSender(console), now=LATER).sent == 1
    text = output.getvalue()
    for expected in (
        "🔴 P1 · negative mention on",
        "> It caught fire <!channel> [bold]x[/bold]",
        "Open the original (https://reviews.example.com/acme/9)",
        "• rating 1/5",
        "▶ *1. Acknowledge fast* — *due 2024-05-01 12:15 UTC*",
        "☐ 8. Learn — due 2024-05-08 12:00 UTC",
        "Hi Dana, thank you",
    ):
        assert expected in text
    with session_scope(alerts_db) as session:
        alert = session.scalars(select(Alert)).one()
        assert alert.slack_ts is None


class MeetingSender:
    """Waits on its first send until the other worker has claimed a message too."""

    def __init__(self, inner: SlackSender, barrier: threading.Barrier) -> None:
        self.inner, self.barrier, self.met = inner, barrier, False

    def send(self, channel: str, payload: Mapping[str, Any]) -> SentMessage:
        if not self.met:
            self.met = True
            self.barrier.wait()
        return self.inner.send(channel, payload)


def test_two_workers_on_postgresql_never_send_the_same_message(
    postgres_server_url: str, fake_slack: FakeSlack
) -> None:
    url = empty(postgres_server_url)
    queue_alerts(url, *[(f"Awful {n}.", 0.9) for n in range(4)])
    barrier = threading.Barrier(2, timeout=10)
    senders = [MeetingSender(sender_for(fake_slack), barrier) for _ in range(2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda s: drain_outbox(url, s, now=LATER), senders))
    assert sum(result.sent for result in results) == 4
    texts = [message["text"] for message in fake_slack.posted_messages()]
    assert len(texts) == len(set(texts)) == 4
