"""The demo's sample sources: a product page with schema.org reviews and an RSS feed.

Pages are built at serve time from `sample_mentions.yaml` so the dates always fall
in the weeks before the demo runs. Everything is served on 127.0.0.1 only.
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

import yaml

REVIEWS_PER_PAGE = 12


@dataclass(frozen=True)
class DemoSite:
    """What the demo serves, keyed by path."""

    brand: str
    pages: dict[str, tuple[str, bytes]]  # path -> (content type, body)


def load_samples() -> dict[str, Any]:
    text = resources.files("repwatch.demo").joinpath("sample_mentions.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _published(days_ago: int, now: datetime) -> datetime:
    day = (now - timedelta(days=days_ago)).date()
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def _review_json(review: dict[str, Any], base_url: str, now: datetime) -> dict[str, Any]:
    # The @id is absolute and port-free so a rerun on another port finds the same review.
    return {
        "@type": "Review",
        "@id": f"urn:repwatch-demo:review:{review['id']}",
        "url": f"{base_url}/product#review-{review['id']}",
        "author": {"@type": "Person", "name": review["author"]},
        "datePublished": _published(review["days_ago"], now).isoformat(),
        "inLanguage": review["lang"],
        "reviewBody": review["text"],
        "reviewRating": {"@type": "Rating", "ratingValue": review["rating"], "bestRating": 5},
    }


def product_page(samples: dict[str, Any], page: int, base_url: str, now: datetime) -> bytes:
    """Page `page` (1-based) of the product's reviews, JSON-LD embedded, rel=next linked."""
    reviews = samples["reviews"]
    chunk = reviews[(page - 1) * REVIEWS_PER_PAGE : page * REVIEWS_PER_PAGE]
    product = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": samples["product"],
        "brand": {"@type": "Brand", "name": samples["brand"]},
        "review": [_review_json(review, base_url, now) for review in chunk],
    }
    has_next = page * REVIEWS_PER_PAGE < len(reviews)
    next_link = f'<link rel="next" href="/product?page={page + 1}">' if has_next else ""
    ld = json.dumps(product, ensure_ascii=False).replace("</", "<\\/")
    items = "".join(
        f"<li><b>{html.escape(r['author'])}</b>: {html.escape(r['text'])}</li>" for r in chunk
    )
    body = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(samples['product'])} reviews</title>{next_link}"
        f'<script type="application/ld+json">{ld}</script></head>'
        f"<body><h1>{html.escape(samples['product'])}</h1><ul>{items}</ul></body></html>"
    )
    return body.encode("utf-8")


def rss_feed(samples: dict[str, Any], base_url: str, now: datetime) -> bytes:
    """An RSS 2.0 feed of news and forum posts about the brand."""
    entries = []
    for item in samples["feed"]:
        published = format_datetime(_published(item["days_ago"], now))
        entries.append(
            "<item>"
            f"<title>{html.escape(item['title'])}</title>"
            f"<link>{base_url}/posts/{item['id']}</link>"
            f'<guid isPermaLink="false">demo-{item["id"]}</guid>'
            f"<dc:creator>{html.escape(item['author'])}</dc:creator>"
            f"<pubDate>{published}</pubDate>"
            f"<description>{html.escape(item['text'])}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{html.escape(samples['brand'])} mentions</title><link>{base_url}/</link>"
        f"<description>News and forum posts</description>{''.join(entries)}</channel></rss>"
    ).encode()


def build_site(base_url: str, now: datetime) -> DemoSite:
    samples = load_samples()
    pages_needed = -(-len(samples["reviews"]) // REVIEWS_PER_PAGE)
    pages: dict[str, tuple[str, bytes]] = {
        "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n"),
        "/feed.xml": ("application/rss+xml", rss_feed(samples, base_url, now)),
        "/product": ("text/html; charset=utf-8", product_page(samples, 1, base_url, now)),
    }
    for page in range(1, pages_needed + 1):
        body = product_page(samples, page, base_url, now)
        pages[f"/product?page={page}"] = ("text/html; charset=utf-8", body)
    return DemoSite(brand=samples["brand"], pages=pages)


class _Handler(BaseHTTPRequestHandler):
    site: DemoSite

    def do_GET(self) -> None:
        page = self.site.pages.get(self.path)
        if page is None:
            self.send_error(404)
            return
        content_type, body = page
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the demo's output readable; the crawl stats count requests."""


@contextmanager
def serve_demo_site(now: datetime | None = None) -> Iterator[tuple[str, DemoSite]]:
    """Serve the sample sources on 127.0.0.1 (ephemeral port); yields (base URL, site)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    site = build_site(base_url, now or datetime.now(UTC))
    server.RequestHandlerClass = type("DemoHandler", (_Handler,), {"site": site})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url, site
    finally:
        server.shutdown()
        server.server_close()
