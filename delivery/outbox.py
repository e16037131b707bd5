"""The outbox table's operations: enqueue once, claim the next due message, record results.

Sending is at-least-once from here, and a post is not repeated blindly: a message is
marked sent in the same transaction that claimed it, right after Slack accepted it, and its
post's start is committed on its own before (`record_in_flight`), so a post that a crash or
a lost connection left without a result is looked for in Slack before the message is
posted again (`delivery/drain.py`).

A message's address (the ``channel`` column) is a Slack channel or ``webhook:NAME``
(delivery/destination.py). A payload is the chat.postMessage arguments (less the
channel) plus, optionally:

* ``in_thread: true`` — reply in the thread of the message of the outbox row's alert;
  the thread is looked up when sending, so the reply waits for that message;
* ``file: {"path", "filename", "title"}`` — upload this file to the channel after the
  message (docs/alerts.md, "Outbox payloads");
* ``event: {...}`` — the alert as data (kind, severity, source, reasons, link), which a
  webhook delivers as JSON and Slack never sees;
* ``posted: {"channel", "ts"}`` — written by the drain when the message went out but
  its file did not, so a retry uploads the file without posting the message twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from config.settings import WEBHOOK_ADDRESS
from storage.models import Alert, Base, OutboxInFlight, OutboxMessage

RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)


def insert_new(
    session: Session, model: type[Base], values: dict[str, Any], key: str | list[str]
) -> int | None:
    """Insert a row unless one with the same unique `key` (column or columns) exists;
    the new id or None.

    PostgreSQL and SQLite, the two databases repwatch supports, both speak ON CONFLICT.
    """
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    dialect_insert = postgresql.insert if on_postgresql else sqlite.insert
    columns = [key] if isinstance(key, str) else key
    stmt = dialect_insert(model).values(**values).on_conflict_do_nothing(index_elements=columns)
    row = session.execute(stmt.returning(model.__table__.c.id)).first()
    return None if row is None else int(row[0])


def enqueue(
    session: Session,
    *,
    dedup_key: str,
    channel: str,
    payload: dict[str, Any],
    priority: int = 4,
    alert_id: int | None = None,
    now: datetime,
) -> int | None:
    """Queue a message once per `dedup_key`; returns its id, or None if already queued."""
    values = {
        "dedup_key": dedup_key,
        "alert_id": alert_id,
        "channel": channel,
        "payload": payload,
        "priority": priority,
        "next_attempt_at": now,
        "created_at": now,
    }
    return insert_new(session, OutboxMessage, values, "dedup_key")


def next_due(now: datetime) -> Select[OutboxMessage]:
    """The next unsent message that is due, most urgent first, locked for this worker.

    On PostgreSQL other workers skip the locked row; SQLite ignores the lock clause. The
    lock is FOR NO KEY UPDATE: it keeps other senders off the row just as well, and lets
    another connection insert the row's `OutboxInFlight` (whose foreign key takes a key
    share lock on the message) while the claim is held.
    """
    return (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.priority, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True, key_share=True)
    )


def is_thread_reply(payload: dict[str, Any]) -> bool:
    """Whether a payload replies in a thread rather than starting a message of its own."""
    return bool(payload.get("in_thread") or payload.get("thread_ts"))


def mark_sent(
    session: Session, message: OutboxMessage, channel: str, ts: str | None, now: datetime
) -> None:
    """Record a delivery on the message and, for an alert's own Slack post, on its alert."""
    message.attempts += 1
    message.sent_at = now
    message.last_error = None
    _record_where(message, channel, ts)
    if ts is None or message.alert_id is None or is_thread_reply(message.payload):
        return
    alert = session.get(Alert, message.alert_id)
    if alert is not None:
        alert.slack_channel, alert.slack_ts = channel, ts


def mark_posted(message: OutboxMessage, channel: str, ts: str | None) -> None:
    """The message went out but its file did not: remember it, so a retry does not repost."""
    message.payload = {**message.payload, "posted": {"channel": channel, "ts": ts}}
    _record_where(message, channel, ts)


def _record_where(message: OutboxMessage, channel: str, ts: str | None) -> None:
    """Slack's answer: the message's ts and the channel's id (the console gives neither)."""
    message.result_ts = ts
    message.result_channel = None if ts is None else channel


def record_in_flight(session: Session, message_id: int, now: datetime) -> None:
    """Note that a post of the message starts now; an earlier post whose outcome is still
    unknown keeps its own, earlier time, so a later search reaches back to it."""
    if session.get(OutboxInFlight, message_id) is None:
        session.add(OutboxInFlight(outbox_id=message_id, started_at=now))


def in_flight_since(session: Session, message: OutboxMessage) -> datetime | None:
    """When a post of the message started whose outcome is unknown, or None."""
    record = session.get(OutboxInFlight, message.id)
    return None if record is None else record.started_at


def clear_in_flight(session: Session, message: OutboxMessage) -> None:
    """The outcome of the post is known: Slack has the message, or said it did not take it."""
    session.execute(delete(OutboxInFlight).where(OutboxInFlight.outbox_id == message.id))


def answered_channel_id(session: Session, channel: str) -> str:
    """The channel id Slack answered for an earlier message to `channel`, else `channel`.

    Slack's history methods take ids only, and a message's channel may be a name.
    """
    stmt = select(OutboxMessage.result_channel).where(
        OutboxMessage.channel == channel, OutboxMessage.result_channel.is_not(None)
    )
    return session.scalars(stmt.limit(1)).first() or channel


def alert_message_channel(session: Session, alert: Alert) -> str | None:
    """The channel the alert's own message went to, or None while it is unsent."""
    stmt = select(OutboxMessage.channel).where(
        OutboxMessage.dedup_key == f"alert:{alert.alert_key}", OutboxMessage.sent_at.is_not(None)
    )
    return session.scalars(stmt).first()


def thread_target(session: Session, message: OutboxMessage) -> tuple[str, str | None] | None:
    """Channel and thread ts for an ``in_thread`` reply; None while its alert is unsent.

    Without a Slack ts (the alert went to the console) the reply goes out unthreaded.
    """
    alert = session.get(Alert, message.alert_id) if message.alert_id is not None else None
    if alert is None:
        return message.channel, None
    if alert.slack_ts is not None and alert.slack_channel is not None:
        return alert.slack_channel, alert.slack_ts
    sent_to = alert_message_channel(session, alert)
    return (sent_to, None) if sent_to is not None else None


def retry_delay(attempts: int, at_least: timedelta = timedelta(0)) -> timedelta:
    """Exponential backoff after `attempts` failed tries: 30 s, 1 min, 2 min … up to 1 h."""
    delay = min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)
    return max(delay, at_least)


def mark_failed(
    message: OutboxMessage, error: str, now: datetime, at_least: timedelta = timedelta(0)
) -> datetime:
    """Record a failed try and schedule the next one; returns when that is."""
    message.attempts += 1
    message.last_error = error[:2000]
    message.next_attempt_at = now + retry_delay(message.attempts, at_least)
    return message.next_attempt_at


def hold_pending_until(session: Session, until: datetime, address: str) -> None:
    """The destination of `address` is unreachable: hold every due message to it until
    `until`, so that after the outage they go out together in priority order instead of
    in the order they failed. A webhook is its own destination; Slack is every other
    address."""
    if address.startswith(WEBHOOK_ADDRESS):
        same_destination = OutboxMessage.channel == address
    else:
        same_destination = OutboxMessage.channel.not_like(f"{WEBHOOK_ADDRESS}%")
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at < until,
            same_destination,
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )


def pending_count(session: Session) -> int:
    """Messages not yet sent, due or not."""
    stmt = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    return int(session.scalar(stmt) or 0)
