"""Slack as a destination: chat.postMessage (and a file upload), Slack's errors sorted
for the outbox, and the one place a Slack client is made."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

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

from delivery.destination import SentMessage
from delivery.exceptions import (
    AttachmentError,
    DeliveryError,
    DeliveryFailed,
    InFlightCheckError,
    PartialDeliveryError,
    SlackConfigurationError,
)
from delivery.slack_lookup import UNREADABLE, find_posted

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


# repwatch's own payload keys; ``event`` is the alert as data, for webhooks.
_NOT_FOR_SLACK = frozenset({"file", "posted", "in_thread", "in_flight", "event"})


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
        (``in_flight``). Raises DeliveryFailed, sorted by :func:`slack_failure`.
        """
        try:
            attachment = payload.get("file")
            if attachment is not None:
                check_attachment(attachment)
            sent = self._already_posted(payload) or self._post(channel, payload)
            if attachment is not None:
                self._upload(sent, attachment)
        except (SlackApiError, SlackRequestError, OSError, DeliveryError) as exc:
            raise slack_failure(exc, channel) from exc
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


SlackSendError = SlackApiError | SlackRequestError | OSError | DeliveryError


def slack_failure(exc: SlackSendError, channel: str) -> DeliveryFailed:
    """Sort a failed Slack send: Slack unreachable, refused for good, or refused this
    message; and whether it leaves no doubt that Slack does not have the message."""
    failure = _sorted(exc, channel)
    failure.outcome_known = _outcome_known(exc)
    if isinstance(exc, PartialDeliveryError):
        failure.posted = (exc.channel, exc.ts)
    return failure


def _sorted(exc: SlackSendError, channel: str) -> DeliveryFailed:
    if isinstance(exc, PartialDeliveryError | InFlightCheckError) and isinstance(
        exc.cause, SlackApiError | SlackRequestError | OSError
    ):
        return _sorted(exc.cause, channel)
    if isinstance(exc, DeliveryError | SlackRequestError):
        return DeliveryFailed(str(exc))
    if isinstance(exc, HTTPError):  # the file upload step talks HTTP without the client
        return DeliveryFailed(f"file upload answered HTTP {exc.code}", down=exc.code >= 500)
    if isinstance(exc, OSError):
        return DeliveryFailed(f"connection failed: {exc}", down=True)
    status = exc.response.status_code
    error = str(exc.response.get("error") or f"HTTP {status}")
    if error in PERMANENT_ERRORS:
        return DeliveryFailed(error, refusal=SlackConfigurationError(error, channel))
    retry_after = timedelta(seconds=int(exc.response.headers.get("Retry-After", 0) or 0))
    down = status == 429 or status >= 500
    return DeliveryFailed(f"{error} (HTTP {status})", down=down, retry_after=retry_after)


def _outcome_known(exc: SlackSendError) -> bool:
    """Whether a failed send leaves no doubt whether Slack has the message."""
    if isinstance(exc, InFlightCheckError):
        return False  # the earlier post is still unaccounted for
    if isinstance(exc, SlackApiError):
        return exc.response.status_code < 500  # Slack answered, and did not take it
    # Posted with its file failing, or refused before posting (the attachment check);
    # a connection error or a timeout may come after Slack took the message.
    return isinstance(exc, DeliveryError)
