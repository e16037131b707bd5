"""Real crawls: ``crawl_sources`` → ``python -m crawler`` → HTTP on loopback → SQLite.

Each ``crawl_sources`` call starts one crawler process for all its sources.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config.settings import CrawlConfig
from crawler.exceptions import UnknownSourceError
from crawler.job import CrawlSummary
from crawler.runner import crawl_sources
from storage.db import session_scope
from storage.models import CrawlRun, Mention, Source
from tests.crawler.conftest import RSS, crawl_settings, fixture_bytes
from tests.fakes.http_server import FakeHttpServer

SSRF_MIDDLEWARE = "crawler.middlewares.ssrf.SsrfGuardMiddleware"


def _source_config(server: FakeHttpServer, name: str, kind: str, path: str) -> dict[str, str]:
    return {"name": name, "kind": kind, "url": server.url(path)}


def _mentions(database_url: str, source: str) -> list[Mention]:
    with session_scope(database_url) as session:
        stmt = select(Mention).join(Source).where(Source.name == source).order_by(Mention.id)
        return list(session.scalars(stmt))


def _source(database_url: str, name: str) -> Source:
    with session_scope(database_url) as session:
        return session.scalars(select(Source).where(Source.name == name)).one()


def _runs(database_url: str, name: str) -> list[CrawlRun]:
    with session_scope(database_url) as session:
        stmt = select(CrawlRun).join(Source).where(Source.name == name).order_by(CrawlRun.id)
        return list(session.scalars(stmt))


def _numbers(summaries: list[CrawlSummary]) -> list[tuple[object, ...]]:
    return [
        (s.source, s.items, s.new_items, s.updated_items, s.errors, s.source_status)
        for s in summaries
    ]


def test_new_then_unchanged_then_updated_and_emptied(
    server: FakeHttpServer, sqlite_url: str
) -> None:
    alerts = _source_config(server, "alerts", "rss", "/alerts.atom")
    shop = _source_config(server, "shop", "schemaorg", "/shop.html")
    settings = crawl_settings(sqlite_url, [alerts, shop])
    server.serve("/alerts.atom", fixture_bytes("google_alerts.atom"), content_type=RSS)
    server.serve("/shop.html", fixture_bytes("microdata_reviews.html"))
    reported: list[str] = []

    first = crawl_sources(settings, progress=lambda summary: reported.append(summary.source))
    second = crawl_sources(settings, progress=None)
    edited = fixture_bytes("google_alerts.atom").replace(b"fix is coming", b"fix is shipping")
    server.serve("/alerts.atom", edited, content_type=RSS)
    server.serve("/shop.html", "<html><body>Reviews are temporarily unavailable</body></html>")
    third = crawl_sources(settings, progress=None)

    assert _numbers(first) == [("alerts", 2, 2, 0, 0, "ok"), ("shop", 2, 2, 0, 0, "ok")]
    assert sorted(reported) == ["alerts", "shop"]
    assert _numbers(second) == [("alerts", 2, 0, 0, 0, "quiet"), ("shop", 2, 0, 0, 0, "quiet")]
    assert [s.unchanged_items for s in second] == [2, 2]
    # An edit updates the row; a productive source that now parses nothing is broken.
    assert _numbers(third) == [("alerts", 2, 0, 1, 0, "quiet"), ("shop", 0, 0, 0, 0, "broken")]
    assert [m.author for m in _mentions(sqlite_url, "shop")] == ["W. Coyote", "R. Runner"]
    assert "fix is shipping" in _mentions(sqlite_url, "alerts")[0].text
    shop_row = _source(sqlite_url, "shop")
    assert (shop_row.status, shop_row.consecutive_failures) == ("broken", 1)
    assert shop_row.last_item_at is not None and shop_row.last_run_at is not None
    assert shop_row.last_item_at < shop_row.last_run_at
    runs = _runs(sqlite_url, "alerts")
    assert [(r.items, r.new_items, r.updated_items, r.outcome) for r in runs] == [
        (2, 2, 0, "ok"),
        (2, 0, 0, "ok"),
        (2, 0, 1, "ok"),
    ]
    assert runs[0].status_counts == {"200": 1, "404": 1}  # the feed, and robots.txt
    assert runs[0].id == first[0].crawl_run_id
    assert all(s.duration_s < 5 for s in first + second + third)


def test_identifies_itself_and_respects_robots_txt(server: FakeHttpServer, sqlite_url: str) -> None:
    server.serve("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.serve("/private/feed.xml", fixture_bytes("blog_rss2.xml"), content_type=RSS)
    settings = crawl_settings(
        sqlite_url,
        [
            _source_config(server, "open", "rss", "/fixtures/google_alerts.atom"),
            _source_config(server, "hidden", "rss", "/private/feed.xml"),
        ],
    )

    open_, hidden = crawl_sources(settings, progress=None)

    assert "/private/feed.xml" not in server.requested_paths()
    assert (open_.new_items, open_.errors) == (2, 0)
    assert (hidden.items, hidden.errors, hidden.error_summary) == (
        0,
        1,
        "1 failed requests (robots_txt: 1)",
    )
    agents = {request.headers["User-Agent"] for request in server.requests}
    assert agents == {CrawlConfig().user_agent}


def test_follows_rel_next_up_to_max_pages(server: FakeHttpServer, sqlite_url: str) -> None:
    for page in (1, 2, 3):
        server.serve(f"/shop/reviews_page{page}.html", fixture_bytes(f"reviews_page{page}.html"))
    source = _source_config(server, "boulders", "schemaorg", "/shop/reviews_page1.html")

    (summary,) = crawl_sources(crawl_settings(sqlite_url, [source]), max_pages=2, progress=None)

    assert [p for p in server.requested_paths() if p.startswith("/shop/")] == [
        "/shop/reviews_page1.html",
        "/shop/reviews_page2.html",
    ]
    assert (summary.items, summary.new_items, summary.errors) == (4, 4, 0)
    assert [m.author for m in _mentions(sqlite_url, "boulders")] == [
        "Reviewer 1A",
        "Reviewer 1B",
        "Reviewer 2A",
        "Reviewer 2B",
    ]


def test_unreadable_payloads_count_as_errors_and_other_sources_are_stored(
    server: FakeHttpServer, sqlite_url: str
) -> None:
    settings = crawl_settings(
        sqlite_url,
        [
            _source_config(server, "blog", "rss", "/fixtures/blog_rss2.xml"),
            _source_config(server, "bad-feed", "rss", "/fixtures/malformed_feed.xml"),
            _source_config(server, "not-a-feed", "rss", "/fixtures/reviews_page1.html"),
            _source_config(server, "bad-page", "schemaorg", "/fixtures/broken_jsonld.html"),
            _source_config(server, "product", "schemaorg", "/fixtures/product_jsonld.html"),
        ],
    )

    summaries = crawl_sources(settings, progress=None)

    assert [(s.source, s.items, s.errors, s.outcome, s.source_status) for s in summaries] == [
        ("blog", 3, 0, "ok", "ok"),
        ("bad-feed", 2, 0, "ok", "ok"),  # malformed XML read leniently: a warning only
        ("not-a-feed", 0, 1, "failed", "broken"),  # an HTML page where a feed should be
        ("bad-page", 2, 1, "failed", "broken"),  # the microdata reviews are kept
        ("product", 3, 1, "failed", "broken"),  # its rel=next page is a 404 here
    ]
    assert summaries[2].error_summary == "1 parse errors"
    assert summaries[4].error_summary == "1 failed requests (http_404: 1)"
    assert [m.author for m in _mentions(sqlite_url, "bad-page")] == [
        "Hungry Bird",
        "Disappointed Coyote",
    ]
    assert [r.errors for r in _runs(sqlite_url, "bad-feed")] == [0]
    assert [r.errors for r in _runs(sqlite_url, "not-a-feed")] == [1]
    assert _source(sqlite_url, "bad-page").consecutive_failures == 1


def test_the_connection_itself_is_refused_a_non_public_address(
    server: FakeHttpServer, sqlite_url: str
) -> None:
    # With the request check switched off, the resolver the downloader connects with
    # still refuses "localhost": the address checked is the address connected to.
    source = _source_config(server, "local", "rss", "/fixtures/blog_rss2.xml")
    source["url"] = source["url"].replace("127.0.0.1", "localhost")
    settings = crawl_settings(sqlite_url, [source]).model_copy(
        update={"allow_private_networks": False}
    )
    no_request_check = {"DOWNLOADER_MIDDLEWARES": {SSRF_MIDDLEWARE: None}, "RETRY_TIMES": 0}

    (summary,) = crawl_sources(settings, progress=None, scrapy_settings=no_request_check)

    assert server.requests == []
    assert (summary.items, summary.source_status) == (0, "broken")


def test_loopback_is_refused_unless_private_networks_are_allowed(
    server: FakeHttpServer, sqlite_url: str
) -> None:
    source = _source_config(server, "local", "rss", "/fixtures/blog_rss2.xml")
    settings = crawl_settings(sqlite_url, [source]).model_copy(
        update={"allow_private_networks": False}
    )

    (summary,) = crawl_sources(settings, progress=None)

    assert server.requests == []  # not even robots.txt
    assert (summary.items, summary.errors, summary.source_status) == (0, 1, "broken")
    assert summary.error_summary == "1 failed requests (ssrf_refused: 1)"


def test_retries_redirects_failures_and_size_limit(server: FakeHttpServer, sqlite_url: str) -> None:
    server.serve("/big.xml", b"<rss>" + b" " * 200_000 + b"</rss>", content_type=RSS)
    settings = crawl_settings(
        sqlite_url,
        [
            _source_config(server, "flaky", "rss", "/flaky/2/fixtures/blog_rss2.xml"),
            _source_config(
                server, "limited", "rss", "/flaky/1/fixtures/blog_rss2.xml?retry_after=1"
            ),
            _source_config(server, "moved", "rss", "/redirect/301?to=/fixtures/blog_rss2.xml"),
            _source_config(server, "to-file", "rss", "/redirect/302?to=file:///etc/hostname"),
            _source_config(server, "gone", "rss", "/status/404"),
            _source_config(server, "huge", "rss", "/big.xml"),
        ],
        max_response_bytes=65536,
    )

    flaky, limited, moved, to_file, gone, huge = crawl_sources(settings, progress=None)

    assert (flaky.items, flaky.errors) == (3, 0)
    assert flaky.status_counts == {"503": 2, "200": 1, "404": 1}  # two retries, then the feed
    assert (limited.items, limited.errors) == (3, 0)
    assert limited.duration_s >= 1.0  # waited as Retry-After asked
    assert (moved.items, moved.errors) == (3, 0)
    assert moved.status_counts == {"301": 1, "200": 1, "404": 1}
    assert (to_file.items, to_file.error_summary) == (0, "1 failed requests (http_302: 1)")
    assert (gone.errors, gone.error_summary) == (1, "1 failed requests (http_404: 1)")
    assert huge.error_summary == "1 failed requests (DownloadCancelledError: 1)"


@pytest.mark.postgres
def test_stores_into_postgresql(server: FakeHttpServer, own_postgres_url: str) -> None:
    settings = crawl_settings(
        own_postgres_url,
        [
            _source_config(server, "alerts", "rss", "/fixtures/google_alerts.atom"),
            _source_config(server, "product", "schemaorg", "/fixtures/microdata_reviews.html"),
        ],
    )

    first = crawl_sources(settings, progress=None)
    second = crawl_sources(settings, progress=None)

    assert _numbers(first) == [("alerts", 2, 2, 0, 0, "ok"), ("product", 2, 2, 0, 0, "ok")]
    assert [(s.new_items, s.unchanged_items) for s in second] == [(0, 2), (0, 2)]
    assert len(_mentions(own_postgres_url, "product")) == 2


def test_unknown_source_names_are_refused(sqlite_url: str) -> None:
    settings = crawl_settings(sqlite_url, [])

    with pytest.raises(UnknownSourceError, match="unknown source nope; configured: none"):
        crawl_sources(settings, ["nope"], progress=None)
    assert crawl_sources(settings, progress=None) == []
