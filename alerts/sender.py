"""Sending, kept apart from rendering: senders deliver stored payloads from the outbox.

`drain_outbox` claims one due message at a time, sends it and records the result in the
same transaction. Before the post, in a transaction of its own, it commits that the post
starts (`OutboxInFlight`); a message whose earlier post has no recorded outcome is first
looked for in Slack by the outbox key every post carries as metadata
(`alerts/slack_lookup.py`), and marked sent if Slack has it. Failures are sorted three
ways:

* Slack unreachable (HTTP 429 after the client's own retries, 5xx, connection errors):
  the message backs off, every due message is held until then, and the drain stops.
* Slack refused this one message (``ok: false`` with another error): it backs off, the
  drain goes on.
* Slack refused for a reason a person must fix (token, channel): the drain stops with
  `SlackConfigurationError`; the messages stay queued.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.error import HTTPError

from rich.console import Console
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from sqlalchemy.orm import Session, sessionmaker

from alerts.console import render_message
from alerts.exceptions import (
    AlertsError,
    AttachmentError,
    InFlightCheckError,
    PartialDeliveryError,
    SlackConfigurationError,
)
from alerts.outbox import (
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
from alerts.slack_lookup import UNREADABLE, find_posted, outbox_metadata
from storage.db import get_engine
from storage.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset(
    {"channel_not_found", "invalid_auth", "not_in_channel", "account_inactive", "token_revoked"}
)


def build_web_client(
    base_url: str,
    token: str,
    *,
    timeout: int = 15,
    max_retries: int = 2,
    retry_interval: RetryIntervalCalculator | None = None,
    retry_server_errors: bool = True,
) -> WebClient:
    """The one place a Slack client is made: base URL, timeout and retry handlers.

    Rate limits wait for Retry-After; server and connection errors back off exponentially
    with jitter unless another `retry_interval` is given. Without `retry_server_errors`
    only rate limits are retried: a 5xx or a lost connection may hide a post Slack took.
    """
    interval = retry_interval or BackoffRetryIntervalCalculator(backoff_factor=0.5)
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=max_retries)]
    if retry_server_errors:
        handlers += [
            ServerErrorRetryHandler(max_retry_count=max_retries, interval_calculator=interval),
            ConnectionErrorRetryHandler(max_retry_count=max_retries, interval_calculator=interval),
        ]
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=handlers)


def outbox_sender(base_url: str, token: str | None, console: Console) -> Sender:
    """The outbox's sender: Slack with a token, else the console.

    Its client leaves server and connection errors to the outbox instead of retrying the
    post at once: the outbox looks the message up in Slack before posting it again.
    """
    if token is None:
        return ConsoleSender(console)
    return SlackSender(build_web_client(base_url, token, retry_server_errors=False))


@dataclass(frozen=True)
class SentMessage:
    """Where a message went; `ts` is None when it was not posted to Slack."""

    channel: str
    ts: str | None


class Sender(Protocol):
    def send(self, channel: str, payload: Mapping[str, Any]) -> SentMessage:
        """Deliver one message payload; raise on failure."""
        ...


_NOT_FOR_SLACK = frozenset({"file", "posted", "in_thread", "in_flight"})


def chat_arguments(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The chat.postMessage arguments of a payload, without repwatch's own keys."""
    return {key: value for key, value in payload.items() if key not in _NOT_FOR_SLACK}


class SlackSender:
    """Posts stored payloads with chat.postMessage, and uploads their file if they have one."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def send(self, channel: str, payload: Mapping[str, Any]) -> SentMessage:
        """Post the payload (and upload its file); returns the channel id and the message ts.

        A message Slack already has is not posted again: one the drain recorded as
        ``posted``, or one found in Slack after an earlier post whose outcome was lost
        (``in_flight``). Raises PartialDeliveryError when the message went out but its file
        did not, and InFlightCheckError when Slack could not be asked.
        """
        attachment = payload.get("file")
        if attachment is not None:
            check_attachment(attachment)
        sent = self._already_posted(payload) or self._post(channel, payload)
        if attachment is not None:
            self._upload(sent, attachment)
        return sent

    def _post(self, channel: str, payload: Mapping[str, Any]) -> SentMessage:
        response = self.client.chat_postMessage(channel=channel, **chat_arguments(payload))
        return SentMessage(channel=str(response["channel"]), ts=str(response["ts"]))

    def _already_posted(self, payload: Mapping[str, Any]) -> SentMessage | None:
        posted = payload.get("posted")
        if posted:
            return SentMessage(channel=str(posted["channel"]), ts=posted.get("ts"))
        in_flight = payload.get("in_flight")
        return self._find(in_flight, payload) if in_flight else None

    def _find(self, in_flight: Mapping[str, Any], payload: Mapping[str, Any]) -> SentMessage | None:
        """The message as an earlier post left it in Slack; None when it is not there, or
        when this app may not read the channel (then the post goes ahead: at least once)."""
        channel, key = str(in_flight["channel"]), str(in_flight["dedup_key"])
        try:
            ts = find_posted(
                self.client, channel, key, in_flight["since"], payload.get("thread_ts")
            )
        except SlackApiError as exc:
            if exc.response.get("error") not in UNREADABLE:
                raise InFlightCheckError(exc) from exc
            _warn_unchecked(key, channel, exc)
            return None
        except (SlackRequestError, OSError) as exc:
            raise InFlightCheckError(exc) from exc
        return None if ts is None else SentMessage(channel=channel, ts=ts)

    def _upload(self, sent: SentMessage, attachment: Mapping[str, Any]) -> None:
        try:
            self.client.files_upload_v2(
                channel=sent.channel,
                file=str(attachment["path"]),
                filename=str(attachment.get("filename") or Path(attachment["path"]).name),
                title=attachment.get("title"),
            )
        except (SlackApiError, SlackRequestError, OSError) as exc:
            raise PartialDeliveryError(sent.channel, sent.ts, exc) from exc


def _warn_unchecked(dedup_key: str, channel: str, exc: SlackApiError) -> None:
    needed = exc.response.get("needed")
    log.warning(
        "cannot check whether outbox message %s already reached %s (%s%s); posting it, "
        "so it may appear twice",
        dedup_key,
        channel,
        exc.response.get("error"),
        f", the app needs {needed}" if needed else "",
    )


def check_attachment(attachment: Any) -> None:
    """Refuse a ``file`` entry that is not a readable file at an absolute path."""
    path = attachment.get("path") if isinstance(attachment, Mapping) else None
    if not isinstance(path, str) or not Path(path).is_absolute():
        raise AttachmentError(f"the payload's file needs an absolute 'path', got {path!r}")
    if not Path(path).is_file():
        raise AttachmentError(f"the file to upload does not exist: {path}")


class ConsoleSender:
    """Prints messages in the terminal instead; used when no Slack token is set."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def send(self, channel: str, payload: Mapping[str, Any]) -> SentMessage:
        """Print the payload as a readable panel (a file is shown by its path)."""
        self.console.print(render_message(channel, payload))
        return SentMessage(channel=channel, ts=None)


@dataclass(frozen=True)
class DrainResult:
    sent: int
    failed: int
    pending: int


@dataclass(frozen=True)
class _Failure:
    error: str
    slack_down: bool = False
    permanent: bool = False
    retry_after: timedelta = timedelta(0)


@dataclass(frozen=True)
class _Outcome:
    delivered: bool
    slack_down: bool = False
    refusal: SlackConfigurationError | None = None


SendError = SlackApiError | SlackRequestError | OSError | AlertsError


def _failure(exc: SendError) -> _Failure:
    """Sort a send failure: Slack unreachable, refused for good, or refused this message."""
    if isinstance(exc, PartialDeliveryError | InFlightCheckError) and isinstance(
        exc.cause, SlackApiError | SlackRequestError | OSError
    ):
        return _failure(exc.cause)
    if isinstance(exc, AlertsError | SlackRequestError):
        return _Failure(str(exc))
    if isinstance(exc, HTTPError):  # the file upload step talks HTTP without the client
        return _Failure(f"file upload answered HTTP {exc.code}", slack_down=exc.code >= 500)
    if isinstance(exc, OSError):
        return _Failure(f"connection failed: {exc}", slack_down=True)
    status = exc.response.status_code
    error = str(exc.response.get("error") or f"HTTP {status}")
    if error in PERMANENT_ERRORS:
        return _Failure(error, permanent=True)
    retry_after = timedelta(seconds=int(exc.response.headers.get("Retry-After", 0) or 0))
    down = status == 429 or status >= 500
    return _Failure(f"{error} (HTTP {status})", slack_down=down, retry_after=retry_after)


def _outcome_known(exc: SendError) -> bool:
    """Whether a failed send leaves no doubt whether Slack has the message."""
    if isinstance(exc, InFlightCheckError):
        return False  # the earlier post is still unaccounted for
    if isinstance(exc, SlackApiError):
        return exc.response.status_code < 500  # Slack answered, and did not take it
    # Posted with its file failing, or refused before posting (the attachment check);
    # a connection error or a timeout may come after Slack took the message.
    return isinstance(exc, AlertsError)


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
    sender: Sender,
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
    except (SlackApiError, SlackRequestError, OSError, AlertsError) as exc:
        if isinstance(exc, PartialDeliveryError):
            mark_posted(message, exc.channel, exc.ts)
        if _outcome_known(exc):
            clear_in_flight(session, message)
        return _record_failure(session, message, _failure(exc), now)
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
    session: Session, message: OutboxMessage, failure: _Failure, now: datetime
) -> _Outcome:
    if failure.permanent:
        # Not this message's fault: keep it as it is, note why it waits.
        message.last_error = failure.error
        return _Outcome(False, refusal=SlackConfigurationError(failure.error, message.channel))
    until = mark_failed(message, failure.error, now, failure.retry_after)
    if failure.slack_down:
        hold_pending_until(session, until)
    return _Outcome(False, slack_down=failure.slack_down)


def session_factory(database: str | sessionmaker[Session]) -> sessionmaker[Session]:
    """A session factory from a database URL or an existing factory."""
    if isinstance(database, str):
        return sessionmaker(get_engine(database), expire_on_commit=False)
    return database


def drain_outbox(
    database: str | sessionmaker[Session],
    sender: Sender,
    *,
    limit: int = 100,
    now: datetime | None = None,
) -> DrainResult:
    """Send up to `limit` due messages, most urgent first, committing after each one.

    Raises SlackConfigurationError (messages kept) when Slack refuses the token or channel.
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
        if outcome.slack_down:
            break
    with factory() as session:
        return DrainResult(sent=sent, failed=failed, pending=pending_count(session))


def _drain_one(factory: sessionmaker[Session], sender: Sender, now: datetime) -> _Outcome | None:
    """Claim, send and record one message in one transaction; None when none is due."""
    with factory() as session, session.begin():
        message = session.scalars(next_due(now)).first()
        if message is None:
            return None
        return _attempt(factory, session, message, sender, now)
