"""A fake Slack Web API over real HTTP on 127.0.0.1, for tests.

It speaks the protocol `slack_sdk.WebClient` speaks (POST, JSON or form bodies, a bearer
token) and records every request. The scenario comes from the request:

* token ``xoxb-ratelimited``: the first request answers 429 with ``Retry-After: 1``;
* token ``xoxb-outage``: answers 500 until the test calls ``end_outage()``;
* token ``xoxb-invalid``: ``invalid_auth``;
* token ``xoxb-no-history``: the app lacks the history scopes, so ``conversations.*``
  answers ``missing_scope``;
* ``channel=C_NOT_FOUND``: ``channel_not_found``;
* a file named ``flaky-*``: its first upload answers 500.

Posted messages are kept per channel, with their ``metadata``, and read back as Slack
does: ``conversations.history`` (the channel's own messages, newest first; a channel
name instead of an id is ``channel_not_found``) and ``conversations.replies`` (the thread's
parent, then its replies, oldest first), both paged with ``limit``, ``cursor``,
``has_more`` and ``response_metadata.next_cursor``, within ``oldest`` / ``latest``, and
with each message's ``metadata`` only when ``include_all_metadata`` is set. Timestamps
(``ts``) follow the wall clock, as Slack's do.

A test can also hold every answer (``hold_answers()`` … ``release_answers()``): Slack has
acted on the request but the caller does not know yet, as when it dies mid-send. The
server can listen on a given port, so a test can start it after a spell of "connection
refused".

Methods: ``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``, ``auth.test``,
``conversations.history``, ``conversations.replies`` and the three steps of
``files_upload_v2`` (``files.getUploadURLExternal``, the upload URL,
``files.completeUploadExternal``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

RATE_LIMITED_TOKEN = "xoxb-ratelimited"
OUTAGE_TOKEN = "xoxb-outage"
INVALID_TOKEN = "xoxb-invalid"
NO_HISTORY_TOKEN = "xoxb-no-history"
HISTORY_SCOPES = "channels:history,groups:history,mpim:history,im:history"
MISSING_CHANNEL = "C_NOT_FOUND"
MAX_BLOCKS = 50
MAX_TEXT_CHARS = 3000
DEFAULT_PAGE, MAX_PAGE = 100, 999  # conversations.* `limit`
HOLD_LIMIT_S = 120  # a held answer goes out after this even if no test releases it

Reply = tuple[int, dict[str, Any], dict[str, str]]


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes
    status: int = 0
    response: dict[str, Any] = field(default_factory=dict)
    response_headers: dict[str, str] = field(default_factory=dict)

    @property
    def api_method(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        return self.body.get("token")


def parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    """A request body as a dict: JSON or form-encoded; JSON-looking form values decoded."""
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        return dict(json.loads(raw.decode("utf-8")))
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {key: _maybe_json(value) for key, value in parse_qsl(raw.decode("utf-8"))}
    return {}


def _maybe_json(value: str) -> Any:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _too_big(blocks: Any) -> bool:
    """What Slack answers `invalid_blocks` for, on the limits repwatch must keep."""
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        return True
    texts = [b.get("text", {}).get("text", "") for b in blocks if isinstance(b, dict)]
    return any(len(text) > MAX_TEXT_CHARS for text in texts)


def _flag(value: Any) -> bool:
    """A boolean argument as Slack reads it: ``true`` or ``1`` (slack_sdk sends ``1``)."""
    return str(value).lower() in ("1", "true")


def _in_window(message: dict[str, Any], body: dict[str, Any]) -> bool:
    """Within ``oldest`` and ``latest``, bounds excluded unless ``inclusive``."""
    ts = float(message["ts"])
    oldest, latest = float(body.get("oldest") or 0), float(body.get("latest") or "inf")
    if _flag(body.get("inclusive")):
        return oldest <= ts <= latest
    return oldest < ts < latest


def _page(messages: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
    """One page of `messages` by ``limit`` and ``cursor``, with metadata only when asked."""
    start = int(base64.b64decode(body.get("cursor", "")).decode().removeprefix("next:") or 0)
    end = start + min(max(int(body.get("limit") or DEFAULT_PAGE), 1), MAX_PAGE)
    shown = messages[start:end]
    if not _flag(body.get("include_all_metadata")):
        shown = [{k: v for k, v in m.items() if k != "metadata"} for m in shown]
    answer: dict[str, Any] = {"ok": True, "messages": shown, "has_more": end < len(messages)}
    if answer["has_more"]:
        answer["response_metadata"] = {
            "next_cursor": base64.b64encode(f"next:{end}".encode()).decode()
        }
    return answer


class FakeSlack:
    """The server state: recorded requests, scenario switches and the method table."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[RecordedRequest] = []
        self.outage = True
        self._answering = threading.Event()
        self._answering.set()
        self.uploads: dict[str, bytes] = {}
        self._filenames: dict[str, str] = {}
        self._failed_uploads: set[str] = set()
        self._rate_limited: set[str] = set()
        self._file_ids = itertools.count(1)
        self._last_us = 0
        self.messages: dict[str, list[dict[str, Any]]] = {}  # by channel id, in posting order
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.root_url = f"http://127.0.0.1:{self._server.server_port}/"
        self.base_url = f"{self.root_url}api/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release_answers()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def end_outage(self) -> None:
        """From now on the outage token gets normal answers."""
        self.outage = False

    def hold_answers(self) -> None:
        """Act on requests as usual (a message is posted) but answer none until released."""
        self._answering.clear()

    def release_answers(self) -> None:
        """Send the held answers, and answer at once from now on."""
        self._answering.set()

    def calls(self, api_method: str) -> list[RecordedRequest]:
        """Requests made to one API method, in order."""
        return [r for r in self.requests if r.api_method == api_method]

    def posted_messages(self) -> list[dict[str, Any]]:
        """Bodies of the chat.postMessage requests that Slack accepted, in order."""
        return [r.body for r in self.calls("chat.postMessage") if r.response.get("ok")]

    def log_lines(self) -> list[str]:
        """The request log in one line a request: method, status, what was asked."""
        return [_log_line(request) for request in self.requests]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._serve(self)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the recorded requests are the log."""

        return Handler

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        headers = {key.lower(): value for key, value in handler.headers.items()}
        path = urlsplit(handler.path).path
        # An upload's body is the file itself, not API arguments.
        is_api = path.startswith("/api/")
        body = parse_body(headers.get("content-type", ""), raw) if is_api else {}
        request = RecordedRequest(handler.command, path, headers, body, raw)
        with self._lock:
            self.requests.append(request)
            status, payload, extra_headers = self._answer(request)
        request.status, request.response = status, payload
        request.response_headers = extra_headers
        self._answering.wait(HOLD_LIMIT_S)
        # The caller may have died while its answer was held: nobody to tell.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._write(handler, status, payload, extra_headers)

    @staticmethod
    def _write(
        handler: BaseHTTPRequestHandler,
        status: int,
        payload: dict[str, Any],
        headers: dict[str, str],
    ) -> None:
        data = json.dumps(payload).encode("utf-8") if status < 500 else b"Internal Server Error"
        handler.send_response(status)
        content_type = "application/json; charset=utf-8" if status < 500 else "text/plain"
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, request: RecordedRequest) -> Reply:
        if request.path.startswith("/upload/"):
            return self._receive_upload(request)
        scenario = self._scenario(request)
        if scenario is not None:
            return scenario
        method = self._methods().get(request.api_method)
        if method is None or not request.path.startswith("/api/"):
            return 404, {"ok": False, "error": "unknown_method"}, {}
        return 200, method(request.body), {}

    def _receive_upload(self, request: RecordedRequest) -> Reply:
        file_id = request.path.rsplit("/", 1)[-1]
        filename = self._filenames.get(file_id, "")
        if filename.startswith("flaky-") and filename not in self._failed_uploads:
            self._failed_uploads.add(filename)
            return 500, {}, {}
        self.uploads[file_id] = request.raw
        return 200, {"ok": True}, {}

    def _scenario(self, request: RecordedRequest) -> Reply | None:
        token = request.token
        if token == RATE_LIMITED_TOKEN and token not in self._rate_limited:
            self._rate_limited.add(token)
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
        if token == OUTAGE_TOKEN and self.outage:
            return 500, {}, {}
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if token == INVALID_TOKEN:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if token == NO_HISTORY_TOKEN and request.api_method.startswith("conversations."):
            refusal = {"ok": False, "error": "missing_scope", "needed": HISTORY_SCOPES}
            return 200, {**refusal, "provided": "chat:write,chat:write.public"}, {}
        return None

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    def _next_ts(self) -> str:
        """The wall clock to the microsecond, never twice the same, as Slack's are."""
        self._last_us = max(time.time_ns() // 1000, self._last_us + 1)
        return f"{self._last_us // 1_000_000}.{self._last_us % 1_000_000:06d}"

    @staticmethod
    def channel_id(channel: str) -> str:
        """The id Slack answers with: ids stay, names map to a stable fake id."""
        if channel[:1] in "CGD" and channel.isupper():
            return channel
        return "C" + hashlib.sha1(channel.encode()).hexdigest()[:10].upper()

    def _auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": self.root_url,
            "team": "Fake",
            "team_id": "T0FAKE",
            "user": "repwatch",
            "user_id": "U0FAKE",
            "bot_id": "B0FAKE",
        }

    def _check_channel(self, body: dict[str, Any], key: str = "channel") -> dict[str, Any] | None:
        channel = str(body.get(key) or "")
        if not channel or channel == MISSING_CHANNEL:
            return {"ok": False, "error": "channel_not_found"}
        return None

    def _post_message(self, body: dict[str, Any]) -> dict[str, Any]:
        refused = self._check_channel(body)
        if refused:
            return refused
        if not body.get("text") and not body.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if "blocks" in body and _too_big(body["blocks"]):
            return {"ok": False, "error": "invalid_blocks"}
        channel = self.channel_id(str(body["channel"]))
        message = self._message(body)
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _message(self, body: dict[str, Any]) -> dict[str, Any]:
        """A bot's message as Slack stores it (and shows it to conversations.*)."""
        message = {
            "type": "message",
            "user": "U0FAKE",
            "bot_id": "B0FAKE",
            "app_id": "A0FAKE",
            "text": body.get("text", ""),
            "blocks": body.get("blocks", []),
            "ts": self._next_ts(),
        }
        keep = {key: body[key] for key in ("thread_ts", "metadata") if body.get(key)}
        return message | keep

    def _readable_channel(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """conversations.* take a channel id only: a name is not found."""
        refused = self._check_channel(body)
        if refused is None and self.channel_id(str(body["channel"])) != body["channel"]:
            refused = {"ok": False, "error": "channel_not_found"}
        return refused

    def _history(self, body: dict[str, Any]) -> dict[str, Any]:
        refused = self._readable_channel(body)
        if refused:
            return refused
        messages = self.messages.get(str(body["channel"]), [])
        # Thread replies are not in the channel's history, only in their thread.
        own = [m for m in messages if m.get("thread_ts", m["ts"]) == m["ts"]]
        newest_first = [m for m in reversed(own) if _in_window(m, body)]
        return _page(newest_first, body) | {"pin_count": 0}

    def _replies(self, body: dict[str, Any]) -> dict[str, Any]:
        refused = self._readable_channel(body)
        if refused:
            return refused
        messages = self.messages.get(str(body["channel"]), [])
        parent = next((m for m in messages if m["ts"] == body.get("ts")), None)
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        replies = [m for m in messages if m.get("thread_ts") == parent["ts"] and m is not parent]
        # The parent comes first on the first page only, as Slack pages it.
        shown = [m for m in replies if _in_window(m, body)]
        return _page([parent, *shown], body)

    def _update(self, body: dict[str, Any]) -> dict[str, Any]:
        refused = self._check_channel(body)
        if refused:
            return refused
        if not body.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        channel = self.channel_id(str(body["channel"]))
        return {"ok": True, "channel": channel, "ts": body["ts"], "text": body.get("text", "")}

    def _post_ephemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        refused = self._check_channel(body)
        if refused:
            return refused
        if not body.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _upload_url(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("filename") or not str(body.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids):08d}"
        self._filenames[file_id] = str(body["filename"])
        return {"ok": True, "upload_url": f"{self.root_url}upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        files = body.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        if any(item.get("id") not in self.uploads for item in files):
            return {"ok": False, "error": "file_not_found"}
        if body.get("channel_id") == MISSING_CHANNEL:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}


def _log_line(request: RecordedRequest) -> str:
    """One request as a line: what was called, with what, and what Slack answered."""
    body = request.body
    asked = [
        f"{key}={body[key]}" for key in ("channel", "ts", "thread_ts", "filename") if key in body
    ]
    if "text" in body:
        asked.append(f"text={str(body['text'])[:60]!r}")
    answer = request.response.get("error") or request.response.get("ts") or ""
    if "Retry-After" in request.response_headers:
        answer += f" (Retry-After: {request.response_headers['Retry-After']})"
    name = request.api_method if request.path.startswith("/api/") else "upload"
    return f"{request.method} {name} [{request.status}] {' '.join(asked)} -> {answer}".rstrip(" ->")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running fake Slack Web API; `.base_url` ends in ``/api/``."""
    server = FakeSlack().start()
    try:
        yield server
    finally:
        server.stop()
