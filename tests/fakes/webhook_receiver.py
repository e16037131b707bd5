"""A loopback webhook receiver: checks repwatch's signature on its own, keeps the delivery
keys it has handled (so a retried message is handled once), and answers as scripted."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

SECRET = "whsec-test-7c1f"


@dataclass(frozen=True)
class Answer:
    """One scripted answer; `delay_s` holds it back after the request is handled."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    signed: bool  # the signature matched SECRET

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.received: list[Received] = []
        # Delivery key → body, for messages taken (signed, answered 2xx), first time only.
        self.handled: dict[str, Any] = {}
        self.script: list[Answer] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/hooks/repwatch"

    def answer_next(self, *answers: Answer) -> None:
        """Answer the next requests so, in order; then 200 again."""
        with self._lock:
            self.script.extend(answers)

    def take(self, headers: dict[str, str], body: bytes) -> Answer:
        timestamp = headers.get("X-Repwatch-Timestamp", "")
        expected = (
            "v1="
            + hmac.new(
                self.secret.encode(), f"v1:{timestamp}:".encode() + body, hashlib.sha256
            ).hexdigest()
        )
        signed = hmac.compare_digest(expected, headers.get("X-Repwatch-Signature", ""))
        with self._lock:
            self.received.append(Received(headers, body, signed))
            answer = self.script.pop(0) if self.script else Answer()
            if signed and answer.status < 300:
                self.handled.setdefault(headers.get("X-Repwatch-Delivery", ""), json.loads(body))
            return answer

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = receiver.take(dict(self.headers.items()), body)
            time.sleep(answer.delay_s)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: `received` is the log."""

    return Handler


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()
