"""Local stand-ins for the benchmarks: a review site and Slack, both over HTTP on loopback.

* :class:`ReviewSite` serves one paged product-review listing per source, the reviews
  embedded as schema.org JSON-LD with ``rel=next`` links (what the ``schemaorg`` spider
  reads), newest first, built at request time so that reviews published later show up.
  It counts the requests of every path.
* :class:`SlackRecorder` answers ``chat.postMessage`` as Slack does and notes the
  moment each message arrived.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


class LoopbackServer:
    """A threaded HTTP server on a free loopback port, answering while `serving()`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"

    @contextmanager
    def serving(self) -> Iterator[Self]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


def _reply(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@dataclass(frozen=True)
class Review:
    """One review as the site shows it."""

    review_id: str
    author: str
    text: str
    rating: int
    published_at: datetime
    lang: str = "en"

    def json_ld(self, base_url: str) -> dict[str, Any]:
        return {
            "@type": "Review",
            "@id": f"urn:bench:review:{self.review_id}",
            "url": f"{base_url}/reviews/{self.review_id}",
            "author": {"@type": "Person", "name": self.author},
            "datePublished": self.published_at.isoformat(),
            "inLanguage": self.lang,
            "reviewBody": self.text,
            "reviewRating": {"@type": "Rating", "ratingValue": self.rating, "bestRating": 5},
        }


class ReviewSite(LoopbackServer):
    """Paged review listings at ``/<source>/reviews?page=N``, `per_page` reviews a page."""

    def __init__(self, per_page: int = 100) -> None:
        self.per_page = per_page
        self.requests: Counter[str] = Counter()
        self._reviews: dict[str, list[Review]] = {}
        self._lock = threading.Lock()
        super().__init__(_site_handler(self))
        self.base_url = self.origin

    def listing_url(self, source: str) -> str:
        return f"{self.base_url}/{source}/reviews"

    def publish(self, source: str, *reviews: Review) -> None:
        """Add reviews to a source's listing (it shows the newest first)."""
        with self._lock:
            listing = self._reviews.setdefault(source, [])
            listing.extend(reviews)
            listing.sort(key=lambda review: review.published_at, reverse=True)

    def page(self, source: str, number: int) -> bytes | None:
        """The HTML of one listing page, or None when there is no such page."""
        with self._lock:
            listing = list(self._reviews.get(source, ()))
        chunk = listing[(number - 1) * self.per_page : number * self.per_page]
        if source not in self._reviews or (number > 1 and not chunk):
            return None
        has_next = number * self.per_page < len(listing)
        return _page_html(self.base_url, source, number, chunk, has_next)

    def count(self, path: str) -> None:
        with self._lock:
            self.requests[path] += 1


def _page_html(base_url: str, source: str, number: int, chunk: list[Review], more: bool) -> bytes:
    product = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": f"Kettle ({source})",
        "brand": {"@type": "Brand", "name": "Acme"},
        "review": [review.json_ld(base_url) for review in chunk],
    }
    ld = json.dumps(product, ensure_ascii=False).replace("</", "<\\/")
    link = f'<link rel="next" href="/{source}/reviews?page={number + 1}">' if more else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reviews</title>'
        f'{link}<script type="application/ld+json">{ld}</script></head><body></body></html>'
    ).encode()


def _site_handler(site: ReviewSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.count(self.path)
            parts = urlsplit(self.path)
            if parts.path == "/robots.txt":
                _reply(self, 200, b"User-agent: *\nAllow: /\n", "text/plain")
                return
            source, _, rest = parts.path.strip("/").partition("/")
            number = int(parse_qs(parts.query).get("page", ["1"])[0])
            body = site.page(source, number) if rest == "reviews" else None
            if body is None:
                _reply(self, 404, b"not found", "text/plain")
            else:
                _reply(self, 200, body, "text/html; charset=utf-8")

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the request counts are the log."""

    return Handler


@dataclass(frozen=True)
class Arrival:
    """One message Slack accepted, and when (Unix time)."""

    at: float
    body: dict[str, Any]


class SlackRecorder(LoopbackServer):
    """Answers ``chat.postMessage`` (and any other method) with ``ok``; records posts."""

    def __init__(self) -> None:
        self.arrivals: list[Arrival] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        super().__init__(_slack_handler(self))
        self.base_url = f"{self.origin}/api/"

    def receive(self, method: str, body: dict[str, Any], at: float) -> dict[str, Any]:
        if method != "chat.postMessage":
            return {"ok": True}
        with self._lock:
            self.arrivals.append(Arrival(at, body))
            ts = f"1700000000.{next(self._ts):06d}"
        return {"ok": True, "channel": str(body.get("channel", "C0BENCH")), "ts": ts}

    def posts(self) -> list[Arrival]:
        with self._lock:
            return list(self.arrivals)


def _slack_handler(recorder: SlackRecorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            at = time.time()
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw) if raw.startswith(b"{") else {}
            method = urlsplit(self.path).path.rsplit("/", 1)[-1]
            data = json.dumps(recorder.receive(method, body, at)).encode()
            _reply(self, 200, data, "application/json; charset=utf-8")

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the arrivals are the log."""

    return Handler
