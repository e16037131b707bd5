"""Requests signed the way Slack signs them (v0 HMAC-SHA256 of timestamp and body)."""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request


def sign(body: str, timestamp: str, secret: str) -> str:
    """The X-Slack-Signature value for `body` sent at `timestamp`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post_signed(url: str, body: str, content_type: str, secret: str, *, age: int = 0) -> int:
    """POST `body` signed with `secret`, dated `age` seconds ago; the HTTP status."""
    timestamp = str(int(time.time()) - age)
    request = urllib.request.Request(
        url,
        data=body.encode(),
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(body, timestamp, secret),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
