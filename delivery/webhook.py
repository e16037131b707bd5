"""A signed JSON webhook as a destination: each outbox message POSTed as JSON.

The body::

    {"delivery": "<outbox key>", "address": "webhook:ops", "text": "<fallback text>",
     "event": {...alert as data...} | null, "blocks": [...Block Kit...]}

and its headers:

* ``X-Repwatch-Delivery``: the outbox key, the same on every retry of the message:
  a receiver that keeps the keys it has handled sees each message once;
* ``X-Repwatch-Timestamp``: Unix seconds when this try was signed;
* ``X-Repwatch-Signature``: ``v1=`` and the hex HMAC-SHA256, keyed with the webhook's
  secret, of ``v1:{timestamp}:{body}`` (as Slack signs its requests; check it with
  :func:`verify_signature` and refuse old timestamps).

A 2xx answer is a delivery. 408, 429, 5xx, a timeout or no connection: the webhook is
unreachable, so its messages wait and are retried by the outbox with backoff (a
``Retry-After`` is honoured); any other answer refuses this message only, which backs
off while the others go on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from delivery.destination import SentMessage
from delivery.exceptions import DeliveryFailed
from delivery.slack_lookup import dedup_key_of

SIGNATURE_VERSION = "v1"
MAX_TIMESTAMP_AGE_S = 300
UNREACHABLE_STATUSES = frozenset({408, 429})
USER_AGENT = "repwatch-webhook/1"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Repwatch-Signature`` value of `body` sent at `timestamp`."""
    signed = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify_signature(
    secret: str, timestamp: str, body: bytes, given: str, now: float | None = None
) -> bool:
    """Whether a request carries this secret's signature and is fresh (5 minutes): what
    a receiver checks before it trusts a body."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= MAX_TIMESTAMP_AGE_S and hmac.compare_digest(
        signature(secret, timestamp, body), given
    )


def webhook_body(address: str, payload: Mapping[str, Any]) -> bytes:
    """The JSON a webhook receives for one outbox message."""
    document = {
        "delivery": dedup_key_of(payload),
        "address": address,
        "text": payload.get("text"),
        "event": payload.get("event"),
        "blocks": payload.get("blocks", []),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookSender:
    """POSTs each message to one URL, signed with the webhook's secret."""

    def __init__(self, url: str, secret: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def send(self, address: str, payload: Mapping[str, Any]) -> SentMessage:
        body = webhook_body(address, payload)
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the URL is checked http(s) in config
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                "X-Repwatch-Delivery": dedup_key_of(payload) or "",
                "X-Repwatch-Timestamp": timestamp,
                "X-Repwatch-Signature": signature(self.secret, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout):  # noqa: S310
                return SentMessage(channel=address, ts=None)
        except urllib.error.HTTPError as exc:
            raise _answered(exc) from exc
        except (urllib.error.URLError, OSError) as exc:
            # A timeout may come after the receiver took the message: the retry carries
            # the same delivery key, so the receiver can tell.
            failure = DeliveryFailed(f"webhook unreachable: {exc}", down=True, outcome_known=False)
            raise failure from exc


def _answered(exc: urllib.error.HTTPError) -> DeliveryFailed:
    status = exc.code
    retry_after = exc.headers.get("Retry-After", "") if exc.headers else ""
    wait = timedelta(seconds=int(retry_after)) if retry_after.strip().isdigit() else timedelta(0)
    down = status in UNREACHABLE_STATUSES or status >= 500
    return DeliveryFailed(f"webhook answered HTTP {status}", down=down, retry_after=wait)
