"""The alert buttons over HTTP: signed Slack requests in, database rows and Slack calls out."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from alerts.controls import ACKNOWLEDGE, ASSIGN, NEXT_STEP, NOT_NEGATIVE, RESOLVE
from alerts.exceptions import SlackSetupError
from alerts.interactivity import build_app, make_http_server
from alerts.service import create_alerts
from config.settings import Settings
from delivery.drain import drain_outbox
from storage.db import session_scope
from storage.models import Alert, Feedback, Incident
from tests.alerts.factories import NOW, make_mention, make_score, make_source
from tests.alerts.test_sender import sender_for
from tests.fakes.signed_requests import post_signed
from tests.fakes.slack_server import FakeSlack

SECRET = "test-signing-secret"
CLICKED = NOW + timedelta(minutes=7)
USER = {"id": "U0DANA", "username": "dana", "name": "dana", "team_id": "T0FAKE"}


def settings_for(url: str, fake: FakeSlack, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "slack_base_url": fake.base_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "brand": {"name": "Acme"},
    }
    return Settings(**(values | extra))


@dataclass
class Endpoint:
    url: str
    alert_id: int
    channel: str
    ts: str


def post_alert(url: str, fake: FakeSlack, text: str = "The charger caught fire.") -> Alert:
    with session_scope(url) as session:
        mention = make_mention(session, make_source(session), text=text, rating=1)
        make_score(session, mention, prob_negative=0.97)
        create_alerts(session, settings_for(url, fake), now=NOW)
    drain_outbox(url, sender_for(fake), now=NOW)
    with session_scope(url) as session:
        return session.scalars(select(Alert).order_by(Alert.id.desc())).first()  # type: ignore[return-value]


@pytest.fixture
def endpoint(alerts_db: str, fake_slack: FakeSlack) -> Iterator[Endpoint]:
    alert = post_alert(alerts_db, fake_slack)
    app = build_app(settings_for(alerts_db, fake_slack), http=True, clock=lambda: CLICKED)
    server = make_http_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Endpoint(
            f"http://127.0.0.1:{server.server_port}",
            alert.id,
            str(alert.slack_channel),
            str(alert.slack_ts),
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def click(endpoint: Endpoint, action_id: str, **action: Any) -> dict[str, Any]:
    element = {
        "type": "users_select" if action_id == ASSIGN else "button",
        "action_id": action_id,
        "block_id": f"repwatch_alert:{endpoint.alert_id}",
        "value": str(endpoint.alert_id),
        "action_ts": "1714565220.000100",
    } | action
    return {
        "type": "block_actions",
        "user": USER,
        "api_app_id": "A0FAKE",
        "token": "unused-legacy-token",
        "team": {"id": "T0FAKE", "domain": "fake"},
        "container": {
            "type": "message",
            "message_ts": endpoint.ts,
            "channel_id": endpoint.channel,
            "is_ephemeral": False,
        },
        "channel": {"id": endpoint.channel, "name": "reputation"},
        "message": {"ts": endpoint.ts, "text": "alert"},
        "trigger_id": "1.2.3",
        "response_url": "http://127.0.0.1:9/unused",
        "actions": [element],
    }


def send(
    endpoint: Endpoint,
    payload: dict[str, Any],
    *,
    secret: str = SECRET,
    age: int = 0,
) -> int:
    body = urlencode({"payload": json.dumps(payload)})
    url = f"{endpoint.url}/slack/events"
    return post_signed(url, body, "application/x-www-form-urlencoded", secret, age=age)


def stored(url: str, alert_id: int) -> Alert:
    with session_scope(url) as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert


def thread_replies(fake: FakeSlack) -> list[str]:
    return [m["text"] for m in fake.posted_messages() if m.get("thread_ts")]


def block_types(update: dict[str, Any]) -> list[str]:
    return [block["type"] for block in update["blocks"]]


def test_acknowledge_updates_the_row_edits_the_message_and_logs_in_the_thread(
    alerts_db: str, fake_slack: FakeSlack, endpoint: Endpoint
) -> None:
    assert send(endpoint, click(endpoint, ACKNOWLEDGE)) == 200
    alert = stored(alerts_db, endpoint.alert_id)
    assert (alert.status, alert.acknowledged_by, alert.acknowledged_at) == (
        "acknowledged",
        "U0DANA",
        CLICKED,
    )
    assert (alert.current_step, alert.due_at) == (2, NOW + timedelta(minutes=30))
    [update] = [call.body for call in fake_slack.calls("chat.update")]
    assert (update["channel"], update["ts"]) == (endpoint.channel, endpoint.ts)
    status = json.dumps(update["blocks"], ensure_ascii=False)
    assert "✅ Acknowledged by <@U0DANA>" in status and "▶ *2. Listen" in status
    [reply] = thread_replies(fake_slack)
    assert reply.startswith("✅ <@U0DANA> acknowledged this alert · <!date^")
    assert "(after 7 min). Next: step 2 “Listen, apologise, don't argue”" in reply
    assert fake_slack.posted_messages()[-1]["thread_ts"] == endpoint.ts


def test_a_double_click_changes_and_logs_once(
    alerts_db: str, fake_slack: FakeSlack, endpoint: Endpoint
) -> None:
    assert send(endpoint, click(endpoint, ACKNOWLEDGE)) == 200
    assert send(endpoint, click(endpoint, ACKNOWLEDGE)) == 200
    assert len(thread_replies(fake_slack)) == 1
    assert len(fake_slack.calls("chat.update")) == 2


def test_assign_makes_the_selected_user_the_owner(
    alerts_db: str, fake_slack: FakeSlack, endpoint: Endpoint
) -> None:
    assert send(endpoint, click(endpoint, ASSIGN, selected_user="U0OWNER")) == 200
    alert = stored(alerts_db, endpoint.alert_id)
    assert (alert.assignee, alert.status, alert.acknowledged_by) == (
        "U0OWNER",
        "acknowledged",
        "U0DANA",
    )
    [reply] = thread_replies(fake_slack)
    assert reply.startswith("👤 <@U0DANA> made <@U0OWNER> the owner")
    select_menu = fake_slack.calls("chat.update")[0].body["blocks"][-1]["elements"][0]
    assert select_menu["initial_user"] == "U0OWNER"


def test_next_step_then_resolve_records_the_response_times(
    alerts_db: str, fake_slack: FakeSlack, endpoint: Endpoint
) -> None:
    assert send(endpoint, click(endpoint, NEXT_STEP)) == 200
    assert stored(alerts_db, endpoint.alert_id).current_step == 2
    assert send(endpoint, click(endpoint, RESOLVE)) == 200
    alert = stored(alerts_db, endpoint.alert_id)
    assert (alert.status, alert.resolved_at, alert.resolved_by, alert.due_at) == (
        "resolved",
        CLICKED,
        "U0DANA",
        None,
    )
    assert alert.acknowledged_at == CLICKED
    replies = thread_replies(fake_slack)
    assert replies[0].startswith("▶ <@U0DANA> completed step 1 “Acknowledge fast”")
    assert replies[1].endswith("Time to acknowledge 7 min, to resolve 7 min.")
    final = fake_slack.calls("chat.update")[-1].body
    assert "actions" not in block_types(final)
    assert "🏁 Resolved by <@U0DANA>" in json.dumps(final["blocks"], ensure_ascii=False)


def test_not_negative_stores_a_correction_and_closes_the_alert(
    alerts_db: str, fake_slack: FakeSlack, endpoint: Endpoint
) -> None:
    assert send(endpoint, click(endpoint, NOT_NEGATIVE)) == 200
    alert = stored(alerts_db, endpoint.alert_id)
    assert alert.status == "dismissed"
    with session_scope(alerts_db) as session:
        feedback = session.scalars(select(Feedback)).one()
    assert (feedback.mention_id, feedback.alert_id, feedback.text) == (
        alert.mention_id,
        alert.id,
        "The charger caught fire.",
    )
    assert (feedback.original_label, feedback.corrected_label, feedback.user_id) == (
        "negative",
        "neutral",
        "U0DANA",
    )
    assert (feedback.user_name, feedback.created_at) == ("dana", CLICKED)
    assert "Saved as a correction for retraining" in thread_replies(fake_slack)[0]


@pytest.mark.parametrize(("secret", "age"), [("wrong-secret", 0), (SECRET, 301)])
def test_unsigned_or_stale_requests_are_refused(
    alerts_db: str, fake_slack: FakeSlack, endpoint: Endpoint, secret: str, age: int
) -> None:
    assert send(endpoint, click(endpoint, ACKNOWLEDGE), secret=secret, age=age) == 401
    assert stored(alerts_db, endpoint.alert_id).status == "open"
    assert fake_slack.calls("chat.update") == []


def test_a_request_four_minutes_old_is_still_accepted(
    alerts_db: str, fake_slack: FakeSlack, endpoint: Endpoint
) -> None:
    assert send(endpoint, click(endpoint, ACKNOWLEDGE), age=240) == 200
    assert stored(alerts_db, endpoint.alert_id).status == "acknowledged"


def test_an_unknown_alert_is_explained_to_the_user_only(
    alerts_db: str, fake_slack: FakeSlack, endpoint: Endpoint
) -> None:
    payload = click(endpoint, ACKNOWLEDGE, block_id="repwatch_alert:999999", value="999999")
    assert send(endpoint, payload) == 200
    [ephemeral] = fake_slack.calls("chat.postEphemeral")
    assert ephemeral.body["user"] == "U0DANA"
    assert "alert 999999 is not in the database" in ephemeral.body["text"]
    assert fake_slack.calls("chat.update") == []


def test_health_endpoint_answers(endpoint: Endpoint) -> None:
    with urllib.request.urlopen(f"{endpoint.url}/healthz", timeout=5) as response:
        assert response.read() == b"ok\n"


def test_resolving_an_incident_alert_closes_the_incident(
    alerts_db: str, fake_slack: FakeSlack, endpoint: Endpoint
) -> None:
    text = "My X200 charger overheats and stopped charging after {} days."
    with session_scope(alerts_db) as session:
        source = make_source(session)
        for n in range(4):
            mention = make_mention(session, source, text=text.format(n))
            make_score(session, mention, prob_negative=0.9)
        create_alerts(session, settings_for(alerts_db, fake_slack), now=NOW)
    drain_outbox(alerts_db, sender_for(fake_slack), now=NOW)
    with session_scope(alerts_db) as session:
        incident_alert = session.scalars(select(Alert).where(Alert.kind == "incident")).one()
    target = Endpoint(
        endpoint.url,
        incident_alert.id,
        str(incident_alert.slack_channel),
        str(incident_alert.slack_ts),
    )
    assert send(target, click(target, RESOLVE)) == 200
    with session_scope(alerts_db) as session:
        incident = session.scalars(select(Incident)).one()
    assert (incident.status, incident.resolved_at) == ("resolved", CLICKED)
    update = fake_slack.calls("chat.update")[-1].body
    assert update["ts"] == incident_alert.slack_ts
    assert update["text"].startswith("P2 incident: 4 similar complaints")


def test_the_listener_needs_its_secrets(alerts_db: str, fake_slack: FakeSlack) -> None:
    no_secret = settings_for(alerts_db, fake_slack, SLACK_SIGNING_SECRET=None)
    with pytest.raises(SlackSetupError, match="SLACK_SIGNING_SECRET"):
        build_app(no_secret, http=True)
    assert build_app(no_secret, http=False) is not None  # Socket Mode needs no signing secret
    with pytest.raises(SlackSetupError, match="SLACK_BOT_TOKEN"):
        build_app(settings_for(alerts_db, fake_slack, SLACK_BOT_TOKEN=None), http=False)
