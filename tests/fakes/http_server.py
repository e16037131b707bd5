"""A local HTTP server that serves saved payloads and records what it was asked.

Routes map a path (with its query string, if any) to a :class:`Payload`. A few
scenario paths decide the answer from the request itself, so a test reads as a
specification:

- ``/status/<code>``: an empty answer with that HTTP status;
- ``/redirect/<code>?to=<url>``: a redirect to `url`;
- ``/flaky/<n>/<path>[?retry_after=<s>][&status=<code>]``: `code` (default 503) with
  ``Retry-After: <s>`` (default 0) for the first `n` requests, then the route ``/<path>``;
- ``/stream/<n>``: `n` bytes with no ``Content-Length``, the end marked by closing.

A test can hold the answer to one path (``hold(path)`` … ``release(path)``), to stop a
crawl in the middle. Requests with an absolute URL (``GET http://host/path``, as a client
sends to a proxy) are answered too, so the server can stand in for a public site behind
an HTTP proxy; routes for them are keyed by the absolute URL.

A POST is answered from the same routes as a GET, its body recorded (a token endpoint).
Anything else is a 404. ``robots.txt`` is a route like any other (a 404 allows all).
Routes match the request path with percent-escapes decoded, so a route can be
written as a spider builds the URL (``?numericFilters=created_at_i>5``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

HOLD_LIMIT_S = 120  # a held request is answered after this even if no test releases it


@dataclass(frozen=True)
class Payload:
    """One canned answer."""

    body: bytes = b""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    declare_length: bool = True


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes = b""


class FakeHttpServer:
    """A threaded HTTP/1.0 server on 127.0.0.1 and an ephemeral port."""

    def __init__(self, routes: Mapping[str, Payload] | None = None) -> None:
        self.routes: dict[str, Payload] = dict(routes or {})
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._flaky_counts: dict[str, int] = {}
        self._holds: dict[str, threading.Event] = {}
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def serve(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Answer `path` with `body`; returns the path's full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type, **(headers or {})}
        self.routes[path] = Payload(data, status, all_headers)
        return self.url(path)

    def serve_file(self, path: str, file: Path, content_type: str) -> str:
        """Answer `path` with the bytes of a saved payload."""
        return self.serve(path, file.read_bytes(), content_type=content_type)

    def requested_paths(self) -> list[str]:
        """Paths asked for so far, in order, percent-escapes decoded."""
        with self._lock:
            return [unquote(request.path) for request in self.requests]

    def start(self) -> FakeHttpServer:
        self._thread.start()
        return self

    def hold(self, path: str) -> None:
        """Leave requests for `path` unanswered until `release(path)`."""
        self._holds[path] = threading.Event()

    def release(self, path: str) -> None:
        """Answer the held requests for `path`, and later ones at once."""
        gate = self._holds.pop(path, None)
        if gate is not None:
            gate.set()

    def wait_if_held(self, path: str) -> None:
        gate = self._holds.get(path)
        if gate is not None:
            gate.wait(HOLD_LIMIT_S)

    def stop(self) -> None:
        for path in list(self._holds):
            self.release(path)
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def answer(self, path: str) -> Payload:
        """The payload for a request path: a scenario, a route, or a 404."""
        parts = urlsplit(path)
        segments = parts.path.strip("/").split("/")
        if segments[0] == "status" and len(segments) == 2:
            return Payload(status=int(segments[1]))
        if segments[0] == "redirect" and len(segments) == 2:
            target = parse_qs(parts.query).get("to", ["/"])[0]
            return Payload(status=int(segments[1]), headers={"Location": target})
        if segments[0] == "flaky" and len(segments) >= 3:
            query = parse_qs(parts.query)
            retry_after = query.get("retry_after", ["0"])[0]
            status = int(query.get("status", ["503"])[0])
            target = "/" + "/".join(segments[2:])
            return self._flaky(path, int(segments[1]), target, (status, retry_after))
        if segments[0] == "stream" and len(segments) == 2:
            return Payload(b"x" * int(segments[1]), declare_length=False)
        return self._route(path)

    def _route(self, path: str) -> Payload:
        return self.routes.get(path) or self.routes.get(unquote(path)) or Payload(b"not found", 404)

    def _flaky(self, path: str, failures: int, target: str, answer: tuple[int, str]) -> Payload:
        with self._lock:
            seen = self._flaky_counts.get(path, 0)
            self._flaky_counts[path] = seen + 1
        if seen < failures:
            status, retry_after = answer
            return Payload(b"try again", status, {"Retry-After": retry_after})
        return self._route(target)


def _handler_for(server: FakeHttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.record(RecordedRequest("GET", self.path, dict(self.headers.items())))
            self._answer()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            server.record(RecordedRequest("POST", self.path, dict(self.headers.items()), body))
            self._answer()

        def _answer(self) -> None:
            server.wait_if_held(self.path)
            payload = server.answer(self.path)
            # The client may have gone away (killed, or it gave up on a held answer).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._write(payload)

        def _write(self, payload: Payload) -> None:
            self.send_response(payload.status)
            for name, value in payload.headers.items():
                self.send_header(name, value)
            if payload.declare_length:
                self.send_header("Content-Length", str(len(payload.body)))
            self.end_headers()
            self.wfile.write(payload.body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the recorded requests are the log."""

    return Handler


@pytest.fixture
def fake_http_server() -> Iterator[FakeHttpServer]:
    """A started :class:`FakeHttpServer` with no routes, stopped after the test."""
    server = FakeHttpServer().start()
    try:
        yield server
    finally:
        server.stop()
