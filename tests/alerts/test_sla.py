"""SLA reminders: one reminder per overdue step in the alert's thread; P1/P2 escalate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from alerts.actions import Actor, acknowledge, resolve
from alerts.playbook import load_playbook
from alerts.service import create_alerts
from alerts.sla import send_reminders
from config.settings import BrandConfig, Settings, SlaConfig
from delivery.drain import drain_outbox
from delivery.slack import build_web_client
from storage.db import session_scope
from storage.models import Alert
from tests.alerts.factories import NOW, make_mention, make_score, make_source
from tests.alerts.test_sender import QUICK_RETRY, sender_for
from tests.fakes.slack_server import FakeSlack

SLA = SlaConfig(manager_group="S0MANAGERS")
SETTINGS = Settings(brand=BrandConfig(name="Acme"))


def raise_alert(url: str, text: str, prob_negative: float, rating: float | None = None) -> int:
    with session_scope(url) as session:
        mention = make_mention(session, make_source(session), text=text, rating=rating)
        make_score(session, mention, prob_negative=prob_negative)
        create_alerts(session, SETTINGS, now=NOW)
        return int(session.scalars(select(Alert.id).order_by(Alert.id.desc())).first() or 0)


def test_overdue_p1_is_reminded_once_per_step_and_escalated(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    alert_id = raise_alert(alerts_db, "The charger caught fire.", 0.97, rating=1)
    sender = sender_for(fake_slack)
    drain_outbox(alerts_db, sender, now=NOW)
    early = send_reminders(alerts_db, sender, NOW + timedelta(minutes=14), sla=SLA)
    assert (early.reminded, early.escalated) == (0, 0)
    late = send_reminders(alerts_db, sender, NOW + timedelta(minutes=20), sla=SLA)
    assert (late.reminded, late.escalated, late.delivery.sent) == (1, 1, 1)
    assert send_reminders(alerts_db, sender, NOW + timedelta(minutes=25), sla=SLA).reminded == 0
    with session_scope(alerts_db) as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        assert (alert.reminded_step, alert.escalated_at) == (1, NOW + timedelta(minutes=20))
    reminder = fake_slack.posted_messages()[-1]
    assert reminder["thread_ts"] == alert.slack_ts and reminder["channel"] == alert.slack_channel
    assert reminder["text"].startswith("⏰ Overdue: step 1 “Acknowledge fast” was due <!date^")
    assert "(5 min ago). Nobody has acknowledged it yet." in reminder["text"]
    assert "<!subteam^S0MANAGERS> this P1 alert is overdue" in reminder["text"]


def test_the_next_step_gets_its_own_reminder(alerts_db: str, fake_slack: FakeSlack) -> None:
    alert_id = raise_alert(alerts_db, "The charger caught fire.", 0.97, rating=1)
    sender = sender_for(fake_slack)
    drain_outbox(alerts_db, sender, now=NOW)
    with session_scope(alerts_db) as session:
        acknowledge(session, alert_id, Actor("U0DANA"), NOW + timedelta(minutes=5), load_playbook())
    assert send_reminders(alerts_db, sender, NOW + timedelta(minutes=20), sla=SLA).reminded == 0
    result = send_reminders(alerts_db, sender, NOW + timedelta(minutes=31), sla=SLA)
    assert result.reminded == 1
    text = fake_slack.posted_messages()[-1]["text"]
    assert "step 2 “Listen, apologise, don't argue”" in text
    assert "<@U0DANA> acknowledged it; nobody owns it yet." in text


def test_p3_is_reminded_without_escalation(alerts_db: str, fake_slack: FakeSlack) -> None:
    raise_alert(alerts_db, "Broken on arrival.", 0.9, rating=2)
    sender = sender_for(fake_slack)
    drain_outbox(alerts_db, sender, now=NOW)
    result = send_reminders(alerts_db, sender, NOW + timedelta(hours=5), sla=SLA)
    assert (result.reminded, result.escalated) == (1, 0)
    assert "subteam" not in fake_slack.posted_messages()[-1]["text"]


def test_no_reminder_for_undelivered_or_closed_alerts(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    raise_alert(alerts_db, "The charger caught fire.", 0.97, rating=1)
    client = build_web_client(fake_slack.base_url, "xoxb-outage", retry_interval=QUICK_RETRY)
    later = NOW + timedelta(hours=1)
    undelivered = send_reminders(alerts_db, client, later, sla=SLA)
    assert (undelivered.reminded, undelivered.delivery.sent) == (0, 0)
    fake_slack.end_outage()
    closed_id = raise_alert(alerts_db, "Another fire, it caught fire.", 0.97, rating=1)
    with session_scope(alerts_db) as session:
        resolve(session, closed_id, Actor("U0DANA"), NOW + timedelta(minutes=1))
    recovered = send_reminders(alerts_db, client, later + timedelta(minutes=2), sla=SLA)
    assert (recovered.reminded, recovered.delivery.sent) == (0, 2)  # the alerts themselves
    result = send_reminders(alerts_db, client, later + timedelta(minutes=3), sla=SLA)
    assert (result.reminded, result.delivery.sent) == (1, 1)  # only the open one


def test_reminders_can_be_switched_off(alerts_db: str, fake_slack: FakeSlack) -> None:
    raise_alert(alerts_db, "The charger caught fire.", 0.97, rating=1)
    sender = sender_for(fake_slack)
    drain_outbox(alerts_db, sender, now=NOW)
    off = SlaConfig(reminders=False, manager_group="S0MANAGERS")
    assert send_reminders(alerts_db, sender, NOW + timedelta(hours=1), sla=off).reminded == 0
