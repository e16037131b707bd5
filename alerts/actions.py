"""What the buttons do to an alert: acknowledge, assign, next step, resolve, not negative.

Each action changes the stored alert and returns a line for the alert's thread that
says who did what and when. Acting on a closed alert, or doing what is already done,
changes nothing and logs nothing, so a double click is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.controls import is_user_id, user_ref
from alerts.exceptions import AlertNotFoundError, InteractionError
from alerts.playbook import Playbook, deadline
from delivery.outbox import insert_new
from delivery.slack_text import slack_date
from storage.models import Alert, Feedback, Incident, Mention

NOT_NEGATIVE_LABEL = "neutral"
MISSED_COMPLAINT_LABEL = "negative"


@dataclass(frozen=True)
class Actor:
    """The Slack user who clicked."""

    user_id: str
    name: str | None = None


@dataclass(frozen=True)
class ActionResult:
    """What an action did: whether anything changed, and the thread line saying so."""

    alert_id: int
    changed: bool
    log: str = ""


def describe_elapsed(span: timedelta) -> str:
    """A response time in words: "12 min", "3 h 05 min", "2 d 4 h"."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def load_for_update(session: Session, alert_id: int) -> Alert:
    """The alert, locked against a concurrent click (PostgreSQL); raises if unknown."""
    alert = session.scalars(select(Alert).where(Alert.id == alert_id).with_for_update()).first()
    if alert is None:
        raise AlertNotFoundError(f"alert {alert_id} is not in the database")
    return alert


def _open(alert: Alert) -> bool:
    return alert.status in ("open", "acknowledged")


def _step_title(playbook: Playbook, number: int) -> str:
    return playbook.steps[number - 1].title["en"]


def _advance(alert: Alert, playbook: Playbook) -> str:
    """Move to the next step and set its deadline; returns the "Next: …" sentence."""
    alert.current_step += 1
    step = playbook.steps[alert.current_step - 1]
    alert.due_at = deadline(step, alert.severity, alert.created_at)
    return (
        f"Next: step {alert.current_step} “{_step_title(playbook, alert.current_step)}”, "
        f"due {slack_date(alert.due_at)}."
    )


def _claim(alert: Alert, actor: Actor, now: datetime) -> None:
    alert.status = "acknowledged"
    alert.acknowledged_at = now
    alert.acknowledged_by = actor.user_id


def acknowledge(
    session: Session, alert_id: int, actor: Actor, now: datetime, playbook: Playbook
) -> ActionResult:
    """Claim the alert; this completes step 1 ("Acknowledge fast")."""
    alert = load_for_update(session, alert_id)
    if alert.status != "open":
        return ActionResult(alert.id, False)
    _claim(alert, actor, now)
    log = f"✅ {user_ref(actor.user_id)} acknowledged this alert · {slack_date(now)}"
    log += f" (after {describe_elapsed(now - alert.created_at)})."
    if alert.current_step == 1 and len(playbook.steps) > 1:
        log += " " + _advance(alert, playbook)
    return ActionResult(alert.id, True, log)


def assign(
    session: Session,
    alert_id: int,
    actor: Actor,
    assignee: str,
    now: datetime,
    playbook: Playbook,
) -> ActionResult:
    """Make `assignee` the owner; an alert nobody acknowledged yet is acknowledged too."""
    if not is_user_id(assignee):
        raise InteractionError(f"not a Slack user id: {assignee!r}")
    alert = load_for_update(session, alert_id)
    if not _open(alert) or alert.assignee == assignee:
        return ActionResult(alert.id, False)
    log = f"👤 {user_ref(actor.user_id)} made {user_ref(assignee)} the owner · {slack_date(now)}."
    if alert.status == "open":
        _claim(alert, actor, now)
        if alert.current_step == 1 and len(playbook.steps) > 1:
            log += " " + _advance(alert, playbook)
    alert.assignee = assignee
    return ActionResult(alert.id, True, log)


def next_step(
    session: Session, alert_id: int, actor: Actor, now: datetime, playbook: Playbook
) -> ActionResult:
    """Mark the current step done and move on; after the last step the alert resolves."""
    alert = load_for_update(session, alert_id)
    if not _open(alert):
        return ActionResult(alert.id, False)
    if alert.current_step >= len(playbook.steps):
        return resolve(session, alert_id, actor, now)
    if alert.status == "open":
        _claim(alert, actor, now)
    done = alert.current_step
    log = (
        f"▶ {user_ref(actor.user_id)} completed step {done} “{_step_title(playbook, done)}” "
        f"· {slack_date(now)}. " + _advance(alert, playbook)
    )
    return ActionResult(alert.id, True, log)


def resolve(session: Session, alert_id: int, actor: Actor, now: datetime) -> ActionResult:
    """Close the alert as resolved and record the response times."""
    alert = load_for_update(session, alert_id)
    if not _open(alert):
        return ActionResult(alert.id, False)
    if alert.acknowledged_at is None:
        _claim(alert, actor, now)
    acknowledged_after = describe_elapsed((alert.acknowledged_at or now) - alert.created_at)
    alert.status, alert.resolved_at, alert.resolved_by = "resolved", now, actor.user_id
    alert.due_at = None
    _close_incident(session, alert, now)
    log = (
        f"🏁 {user_ref(actor.user_id)} resolved this alert · {slack_date(now)}. Time to "
        f"acknowledge {acknowledged_after}, to resolve {describe_elapsed(now - alert.created_at)}."
    )
    return ActionResult(alert.id, True, log)


def _close_incident(session: Session, alert: Alert, now: datetime) -> None:
    if alert.kind != "incident" or alert.incident_id is None:
        return
    incident = session.get(Incident, alert.incident_id)
    if incident is not None:
        incident.status, incident.resolved_at = "resolved", now


def not_negative(session: Session, alert_id: int, actor: Actor, now: datetime) -> ActionResult:
    """Dismiss the alert and store the mention as a correction for retraining."""
    alert = load_for_update(session, alert_id)
    mention = alert.mention
    if alert.kind != "mention" or mention is None:
        raise InteractionError("only an alert on one mention can be marked not negative")
    if not _open(alert):
        return ActionResult(alert.id, False)
    values = _feedback_values(alert, mention, actor, now)
    insert_new(session, Feedback, values, ["mention_id", "user_id", "corrected_label"])
    if alert.acknowledged_at is None:
        _claim(alert, actor, now)
    alert.status, alert.resolved_at, alert.resolved_by = "dismissed", now, actor.user_id
    alert.due_at = None
    log = (
        f"🙅 {user_ref(actor.user_id)} marked this mention as not negative · {slack_date(now)}. "
        "Saved as a correction for retraining; the alert is closed."
    )
    return ActionResult(alert.id, True, log)


def report_missed_complaint(
    session: Session, mention: Mention, actor: Actor, now: datetime
) -> bool:
    """Store `mention` as a complaint that should have paged (a correction to "negative"
    for retraining); False when this person had reported it already."""
    alert = session.scalars(select(Alert).where(Alert.mention_id == mention.id)).first()
    values = _feedback_values(alert, mention, actor, now, MISSED_COMPLAINT_LABEL)
    key = ["mention_id", "user_id", "corrected_label"]
    return insert_new(session, Feedback, values, key) is not None


def _feedback_values(
    alert: Alert | None,
    mention: Mention,
    actor: Actor,
    now: datetime,
    label: str = NOT_NEGATIVE_LABEL,
) -> dict[str, Any]:
    score = mention.score
    return {
        "mention_id": mention.id,
        "alert_id": alert.id if alert is not None else None,
        "text": scored_text(mention.title, mention.text),
        "lang": mention.lang,
        "original_label": score.label if score else None,
        "corrected_label": label,
        "model": score.model if score else None,
        "user_id": actor.user_id,
        "user_name": actor.name,
        "created_at": now,
    }


def scored_text(title: str | None, text: str) -> str:
    """The text as the scorer reads it: the title, when the body does not start with it."""
    title, body = (title or "").strip(), text.strip()
    if title and not body.startswith(title):
        return f"{title}. {body}" if body else title
    return body
