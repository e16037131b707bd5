"""Sending, kept apart from rendering: the drain delivers stored payloads from the outbox.

`drain_outbox` claims one due message at a time, sends it through a destination and
records the result in the same transaction. Before the send, in a transaction of its
own, it commits that the send starts (`OutboxInFlight`); a Slack message whose earlier
post has no recorded outcome is first looked for in Slack by the outbox key every post
carries as metadata (`delivery/slack_lookup.py`), and a webhook delivery is repeated
under the same delivery key, which the receiver deduplicates on. The destination sorts
its failures (:class:`delivery.exceptions.DeliveryFailed`) three ways:

* unreachable (HTTP 429 after the client's own retries, 5xx, connection errors): the
  message backs off, every due message to that destination is held until then;
* refused this one message: it backs off, the drain goes on;
* refused for a reason a person must fix (a Slack token, a channel): the drain stops
  with that error (`SlackConfigurationError`); the messages stay queued.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from delivery.console import ConsoleSender
from delivery.destination import Destination, RoutingDestination
from delivery.exceptions import DeliveryError, DeliveryFailed
from delivery.outbox import (
    RETRY_BASE,
    answered_channel_id,
    clear_in_flight,
    hold_pending_until,
    in_flight_since,
    mark_failed,
    mark_posted,
    mark_sent,
    next_due,
    pending_count,
    record_in_flight,
    thread_target,
)
from delivery.slack import SlackSender, build_web_client
from delivery.slack_lookup import outbox_metadata
from storage.db import get_engine
from storage.models import OutboxMessage, utcnow


def outbox_sender(
    base_url: str,
    token: str | None,
    console: Console,
    webhooks: Mapping[str, Destination] | None = None,
) -> Destination:
    """The outbox's destination: Slack with a token, else the console; and the
    configured webhooks for their ``webhook:NAME`` addresses.

    Its Slack client leaves server and connection errors to the outbox instead of
    retrying the post at once: the outbox looks the message up in Slack before posting
    it again.
    """
    slack: Destination = (
        ConsoleSender(console)
        if token is None
        else SlackSender(build_web_client(base_url, token, retry_server_errors=False))
    )
    return RoutingDestination(slack, webhooks or {})


@dataclass(frozen=True)
class DrainResult:
    sent: int
    failed: int
    pending: int


@dataclass(frozen=True)
class _Outcome:
    delivered: bool
    down: bool = False
    refusal: DeliveryError | None = None


def _outgoing(session: Session, message: OutboxMessage) -> tuple[str, dict[str, Any]] | None:
    """Channel and payload as sent now; None makes it wait for its thread.

    Every post carries the outbox key as metadata. After a post whose outcome is unknown,
    ``in_flight`` tells the sender to look for it first: by which key, in which channel id,
    since when.
    """
    addressed = _addressed(session, message)
    if addressed is None:
        return None
    channel, payload = addressed
    payload["metadata"] = outbox_metadata(message.dedup_key)
    since = in_flight_since(session, message)
    if since is not None:
        payload["in_flight"] = {
            "dedup_key": message.dedup_key,
            "channel": answered_channel_id(session, channel),
            "since": since,
        }
    return channel, payload


def _addressed(session: Session, message: OutboxMessage) -> tuple[str, dict[str, Any]] | None:
    """Channel and payload: a thread reply gets its thread; None makes it wait."""
    payload = dict(message.payload)
    if not payload.pop("in_thread", False):
        return message.channel, payload
    target = thread_target(session, message)
    if target is None:
        return None
    channel, thread_ts = target
    return channel, payload | ({"thread_ts": thread_ts} if thread_ts else {})


def _attempt(
    factory: sessionmaker[Session],
    session: Session,
    message: OutboxMessage,
    sender: Destination,
    now: datetime,
) -> _Outcome:
    """Send one claimed message and record the result on it."""
    outgoing = _outgoing(session, message)
    if outgoing is None:
        message.next_attempt_at = now + RETRY_BASE
        message.last_error = "waiting for the alert's own message to be sent"
        return _Outcome(False)
    _commit_in_flight(factory, message, now)
    try:
        sent = sender.send(*outgoing)
    except DeliveryFailed as failure:
        if failure.posted is not None:
            mark_posted(message, *failure.posted)
        if failure.outcome_known:
            clear_in_flight(session, message)
        return _record_failure(session, message, outgoing[0], failure, now)
    mark_sent(session, message, sent.channel, sent.ts, now)
    clear_in_flight(session, message)
    return _Outcome(True)


def _commit_in_flight(
    factory: sessionmaker[Session], message: OutboxMessage, now: datetime
) -> None:
    """Commit that a post starts, so that a crash before its result is recorded leaves a
    trace. A session of its own: the claim's transaction stays open to hold the row lock
    (and on SQLite it has written nothing yet, so this write does not wait for it)."""
    with factory() as session, session.begin():
        record_in_flight(session, message.id, now)


def _record_failure(
    session: Session, message: OutboxMessage, address: str, failure: DeliveryFailed, now: datetime
) -> _Outcome:
    if failure.refusal is not None:
        # Not this message's fault: keep it as it is, note why it waits.
        message.last_error = failure.error
        return _Outcome(False, refusal=failure.refusal)
    until = mark_failed(message, failure.error, now, failure.retry_after)
    if failure.down:
        hold_pending_until(session, until, address)
    return _Outcome(False, down=failure.down)


def session_factory(database: str | sessionmaker[Session]) -> sessionmaker[Session]:
    """A session factory from a database URL or an existing factory."""
    if isinstance(database, str):
        return sessionmaker(get_engine(database), expire_on_commit=False)
    return database


def drain_outbox(
    database: str | sessionmaker[Session],
    sender: Destination,
    *,
    limit: int = 100,
    now: datetime | None = None,
) -> DrainResult:
    """Send up to `limit` due messages, most urgent first, committing after each one.

    A destination found unreachable gets no more tries in this drain (its messages are
    held); the others go on. Raises the destination's refusal, e.g.
    SlackConfigurationError (messages kept) when Slack refuses the token or channel.
    """
    factory = session_factory(database)
    moment = now or utcnow()
    sent = failed = 0
    for _ in range(limit):
        outcome = _drain_one(factory, sender, moment)
        if outcome is None:
            break
        sent, failed = sent + outcome.delivered, failed + (not outcome.delivered)
        if outcome.refusal is not None:
            raise outcome.refusal
    with factory() as session:
        return DrainResult(sent=sent, failed=failed, pending=pending_count(session))


def _drain_one(
    factory: sessionmaker[Session], sender: Destination, now: datetime
) -> _Outcome | None:
    """Claim, send and record one message in one transaction; None when none is due."""
    with factory() as session, session.begin():
        message = session.scalars(next_due(now)).first()
        if message is None:
            return None
        return _attempt(factory, session, message, sender, now)
