"""The signed JSON webhook: routing per severity and source, signatures, retries through
the outbox, one delivery key per message. Against a loopback receiver and fake Slack,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from pydantic import SecretStr
from rich.console import Console
from sqlalchemy import select

from alerts.routing import alert_address
from alerts.service import create_alerts
from config.settings import BrandConfig, RouteConfig, Settings, SlackConfig, WebhookConfig
from delivery.drain import DrainResult, drain_outbox
from delivery.webhook import signature, verify_signature
from repwatch.steps import configured_sender
from storage.db import session_scope
from storage.models import OutboxMessage
from tests.alerts.factories import NOW, make_mention, make_score, make_source
from tests.fakes.slack_server import FakeSlack
from tests.fakes.webhook_receiver import SECRET, Answer, WebhookReceiver

LATER = NOW + timedelta(minutes=1)
FIRE = "The charger caught fire, I want a refund."  # P1 with rating 1
MEH = "Meh, the lid squeaks."


def settings(fake_slack: FakeSlack, receiver: WebhookReceiver, timeout: float = 5.0) -> Settings:
    return Settings(
        brand=BrandConfig(name="Acme"),
        slack=SlackConfig(channel="#reputation"),
        slack_bot_token=SecretStr("xoxb-test"),
        slack_base_url=fake_slack.base_url,
        webhooks=[
            WebhookConfig(name="ops", url=receiver.url, timeout=timeout, secret=SecretStr(SECRET))
        ],
        routes=[RouteConfig(severity=["P1"], to="webhook:ops")],
    )


def queue(url: str, config: Settings, *mentions: tuple[str, float, int | None]) -> list[int]:
    with session_scope(url) as session:
        source = make_source(session, name="shop-reviews")
        ids = []
        for text, prob, rating in mentions:
            mention = make_mention(session, source, text=text, rating=rating)
            make_score(session, mention, prob_negative=prob)
            ids.append(mention.id)
        create_alerts(session, config, now=NOW)
    return ids


def drain(url: str, config: Settings, at: object = LATER) -> DrainResult:
    sender = configured_sender(config, Console(file=StringIO()))
    return drain_outbox(url, sender, now=at)  # type: ignore[arg-type]


def outbox(url: str) -> dict[str, OutboxMessage]:
    with session_scope(url) as session:
        return {row.channel: row for row in session.scalars(select(OutboxMessage))}


def test_a_signature_is_checked_on_body_secret_and_age() -> None:
    body = b'{"delivery":"alert:mention:1"}'
    signed = signature(SECRET, "1700000000", body)

    assert signed.startswith("v1=") and len(signed) == 3 + 64
    assert verify_signature(SECRET, "1700000000", body, signed, now=1700000100)
    assert not verify_signature(SECRET, "1700000000", body + b" ", signed, now=1700000100)
    assert not verify_signature("another", "1700000000", body, signed, now=1700000100)
    assert not verify_signature(SECRET, "1700000000", body, signed, now=1700000301)
    assert not verify_signature(SECRET, "soon", body, signed, now=1700000100)


def test_routes_pick_by_severity_then_source_else_the_slack_channel() -> None:
    config = Settings.model_validate(
        {
            "sources": [{"name": "app-store", "kind": "appstore", "url": "https://x.example/"}],
            "webhooks": [{"name": "ops", "url": "https://hooks.example/"}],
            "routes": [
                {"severity": ["P1"], "to": "webhook:ops"},
                {"sources": ["app-store"], "to": "#app-reviews"},
            ],
        }
    )

    assert alert_address(config, "P1", "app-store") == "webhook:ops"
    assert alert_address(config, "P3", "app-store") == "#app-reviews"
    assert alert_address(config, "P3", None) == "#reputation"  # an incident of several


def test_p1_goes_to_the_webhook_signed_and_the_rest_to_slack(
    alerts_db: str, fake_slack: FakeSlack, webhook_receiver: WebhookReceiver
) -> None:
    config = settings(fake_slack, webhook_receiver)
    fire, _ = queue(alerts_db, config, (FIRE, 0.97, 1), (MEH, 0.65, None))

    assert drain(alerts_db, config) == DrainResult(sent=2, failed=0, pending=0)

    (received,) = webhook_receiver.received
    body = received.json()
    assert received.signed
    assert received.headers["X-Repwatch-Delivery"] == body["delivery"] == f"alert:mention:{fire}"
    assert body["address"] == "webhook:ops"
    assert body["text"].startswith("P1 negative mention on shop-reviews")
    event = body["event"]
    assert (event["kind"], event["severity"], event["source"]) == ("mention", "P1", "shop-reviews")
    assert "risk words: fire, refund" in event["reasons"]
    assert event["url"].startswith("https://reviews.example.com/acme/")
    assert body["blocks"][0]["type"] == "header"
    (slack_message,) = fake_slack.posted_messages()
    assert "P1" not in slack_message["text"] and "event" not in slack_message
    assert set(outbox(alerts_db)) == {"webhook:ops", "#reputation"}


def test_a_webhook_outage_holds_its_messages_only_and_the_retry_comes_once(
    alerts_db: str, fake_slack: FakeSlack, webhook_receiver: WebhookReceiver
) -> None:
    config = settings(fake_slack, webhook_receiver)
    queue(alerts_db, config, (FIRE, 0.97, 1), (MEH, 0.65, None))
    webhook_receiver.answer_next(Answer(503, {"Retry-After": "120"}))

    assert drain(alerts_db, config) == DrainResult(sent=1, failed=1, pending=1)
    waiting = outbox(alerts_db)["webhook:ops"]
    assert (waiting.attempts, waiting.last_error) == (1, "webhook answered HTTP 503")
    assert waiting.next_attempt_at == LATER + timedelta(seconds=120)  # Retry-After
    assert len(fake_slack.posted_messages()) == 1  # Slack was not held up
    assert drain(alerts_db, config, LATER + timedelta(seconds=60)).sent == 0  # still waiting
    assert drain(alerts_db, config, LATER + timedelta(minutes=3)).sent == 1
    assert len(webhook_receiver.received) == 2
    assert len(webhook_receiver.handled) == 1


def test_a_lost_answer_is_retried_under_the_same_delivery_key(
    alerts_db: str, fake_slack: FakeSlack, webhook_receiver: WebhookReceiver
) -> None:
    # The receiver takes the message but answers after the sender has given up.
    config = settings(fake_slack, webhook_receiver, timeout=0.5)
    queue(alerts_db, config, (FIRE, 0.97, 1))
    webhook_receiver.answer_next(Answer(200, delay_s=1.5))

    assert drain(alerts_db, config).failed == 1
    assert drain(alerts_db, config, LATER + timedelta(minutes=5)).sent == 1

    first, second = webhook_receiver.received
    assert first.headers["X-Repwatch-Delivery"] == second.headers["X-Repwatch-Delivery"]
    assert first.body == second.body
    assert len(webhook_receiver.handled) == 1  # the receiver saw one message twice
    assert outbox(alerts_db)["webhook:ops"].sent_at is not None


def test_a_refused_message_backs_off_while_the_next_goes_out(
    alerts_db: str, fake_slack: FakeSlack, webhook_receiver: WebhookReceiver
) -> None:
    config = settings(fake_slack, webhook_receiver)
    queue(alerts_db, config, (FIRE, 0.97, 1), ("It caught fire twice.", 0.98, 1))
    webhook_receiver.answer_next(Answer(400))

    assert drain(alerts_db, config) == DrainResult(sent=1, failed=1, pending=1)
    assert len(webhook_receiver.received) == 2  # the refusal did not stop the drain
    assert drain(alerts_db, config, LATER + timedelta(minutes=2)).sent == 1
    assert len(webhook_receiver.handled) == 2


@pytest.mark.parametrize("secret", ["", "wrong"])
def test_a_receiver_refuses_an_unsigned_or_wrongly_signed_body(
    alerts_db: str, fake_slack: FakeSlack, webhook_receiver: WebhookReceiver, secret: str
) -> None:
    config = settings(fake_slack, webhook_receiver)
    config.webhooks[0].secret = SecretStr(secret)
    queue(alerts_db, config, (FIRE, 0.97, 1))

    drain(alerts_db, config)

    (received,) = webhook_receiver.received
    assert not received.signed and webhook_receiver.handled == {}
