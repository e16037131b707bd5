"""SLA reminders: an overdue playbook step gets one reminder in the alert's thread.

An alert is overdue when its current step's deadline (`Alert.due_at`) has passed and
it is still open or acknowledged. It is reminded once per step (`Alert.reminded_step`);
for the severities in ``sla.escalate`` (P1 and P2 by default) the reminder also
mentions ``sla.manager_group`` and the first escalation is recorded in
`Alert.escalated_at`. Reminders go through the outbox like every other message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from alerts.actions import describe_elapsed
from alerts.controls import user_ref
from alerts.playbook import Playbook, load_playbook
from alerts.severity import Severity
from config.settings import SlaConfig
from delivery.destination import Destination
from delivery.drain import DrainResult, drain_outbox
from delivery.outbox import alert_message_channel, enqueue
from delivery.slack import SlackSender
from delivery.slack_text import chat_message, slack_date
from storage.db import session_scope
from storage.models import Alert, utcnow


@dataclass(frozen=True)
class ReminderResult:
    """Reminders queued, how many of them escalated, and the outbox drain after."""

    reminded: int
    escalated: int
    delivery: DrainResult


def overdue_alerts(now: datetime) -> Select[Alert]:
    """Open or acknowledged alerts whose current step is overdue and not yet reminded."""
    return (
        select(Alert)
        .where(Alert.status.in_(("open", "acknowledged")), Alert.due_at <= now)
        .where(or_(Alert.reminded_step.is_(None), Alert.reminded_step < Alert.current_step))
        .order_by(Alert.severity, Alert.due_at, Alert.id)
    )


def _who(alert: Alert) -> str:
    if alert.assignee:
        return f"{user_ref(alert.assignee)} owns it."
    if alert.acknowledged_by:
        return f"{user_ref(alert.acknowledged_by)} acknowledged it; nobody owns it yet."
    return "Nobody has acknowledged it yet."


def reminder_message(
    alert: Alert, playbook: Playbook, now: datetime, manager_group: str | None
) -> dict[str, Any]:
    """The thread reply for an overdue step; `manager_group` set means escalate."""
    number = alert.current_step
    title = playbook.steps[number - 1].title["en"] if number <= len(playbook.steps) else "?"
    due = alert.due_at or now
    text = (
        f"⏰ Overdue: step {number} “{title}” was due {slack_date(due)} "
        f"({describe_elapsed(now - due)} ago). {_who(alert)}"
    )
    if manager_group:
        text += (
            f"\n<!subteam^{manager_group}> this {alert.severity} alert is overdue: please make "
            "sure someone with authority is on it."
        )
    return chat_message(text) | {"in_thread": True}


def queue_reminders(
    session: Session, now: datetime, sla: SlaConfig, playbook: Playbook
) -> tuple[int, int]:
    """Queue one reminder per overdue step of each delivered alert; (reminded, escalated)."""
    reminded = escalated = 0
    for alert in session.scalars(overdue_alerts(now)):
        channel = alert_message_channel(session, alert)
        if channel is None:
            continue  # its own message has not gone out: nothing to remind in yet
        escalate = alert.severity in sla.escalate and sla.manager_group is not None
        payload = reminder_message(alert, playbook, now, sla.manager_group if escalate else None)
        enqueue(
            session,
            dedup_key=f"reminder:{alert.id}:step:{alert.current_step}",
            channel=channel,
            payload=payload,
            priority=Severity(alert.severity).priority,
            alert_id=alert.id,
            now=now,
        )
        alert.reminded_step = alert.current_step
        reminded += 1
        if escalate:
            escalated += 1
            alert.escalated_at = alert.escalated_at or now
    return reminded, escalated


def send_reminders(
    database_url: str,
    sender_or_client: Destination | WebClient,
    now: datetime | None = None,
    *,
    sla: SlaConfig | None = None,
    playbook: Playbook | None = None,
) -> ReminderResult:
    """Queue reminders for overdue steps, then deliver the outbox (reminders included)."""
    moment = now or utcnow()
    config = sla or SlaConfig()
    sender = (
        SlackSender(sender_or_client)
        if isinstance(sender_or_client, WebClient)
        else sender_or_client
    )
    reminded = escalated = 0
    if config.reminders:
        with session_scope(database_url) as session:
            reminded, escalated = queue_reminders(
                session, moment, config, playbook or load_playbook()
            )
    delivery = drain_outbox(database_url, sender, now=moment)
    return ReminderResult(reminded, escalated, delivery)
