"""Legacy character sets and sloppy feeds crawled for real over HTTP.

The bodies are real payloads (tests/fixtures/README.md) served with the headers real
servers send: a Korean feed re-encoded as EUC-KR with only the HTTP header saying so,
feedparser's own undeclared Japanese and Thai feeds, a French review page in
windows-1252, a TechCrunch feed with a blank line before its XML declaration, and a
songkick page carrying one review in both JSON-LD and microdata.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crawler.job import CrawlSummary
from crawler.runner import crawl_sources
from storage.db import session_scope
from storage.models import Mention, Source
from tests.crawler.conftest import crawl_settings, fixture_bytes
from tests.fakes.http_server import FakeHttpServer


def _serve(server: FakeHttpServer) -> list[dict[str, object]]:
    korean = fixture_bytes("google_news_ko.xml").decode("utf-8").encode("euc-kr", "replace")
    server.serve("/ko.xml", korean, content_type="application/rss+xml; charset=EUC-KR")
    server.serve(
        "/ja.xml", fixture_bytes("feedparser_chardet_shiftjis.xml"), content_type="text/xml"
    )
    server.serve(
        "/eucjp.xml",
        fixture_bytes("feedparser_chardet_eucjp.xml"),
        content_type="application/rss+xml; charset=euc-jp",
    )
    server.serve("/th.xml", fixture_bytes("feedparser_chardet_tis620.xml"), content_type="text/xml")
    french = fixture_bytes("trustpilot_jsonld.html").decode("utf-8")
    undeclared = french.replace('<meta charset="utf-8"/>', "")
    server.serve(
        "/fr.html",
        undeclared.encode("cp1252", "replace"),
        content_type="text/html; charset=windows-1252",
    )
    techcrunch = b'\n<?xml version="1.0" encoding="UTF-8"?>' + fixture_bytes("techcrunch_feed.rss")
    server.serve("/techcrunch.xml", techcrunch, content_type="application/rss+xml")
    songkick = fixture_bytes("songkick_years_and_years.html")
    server.serve("/songkick.html", songkick, content_type="text/html; charset=utf-8")

    def source(name: str, kind: str, path: str, **options: object) -> dict[str, object]:
        return {"name": name, "kind": kind, "url": server.url(path), **options}

    return [
        source("ko", "rss", "/ko.xml", match_keywords=True, keywords=["삼성전자"]),
        source("ja", "rss", "/ja.xml"),
        source("eucjp", "rss", "/eucjp.xml"),
        source("th", "rss", "/th.xml"),
        source("fr", "schemaorg", "/fr.html"),
        source("techcrunch", "rss", "/techcrunch.xml"),
        source("songkick", "schemaorg", "/songkick.html"),
    ]


@pytest.fixture
def crawled(
    fake_http_server: FakeHttpServer, sqlite_url: str
) -> tuple[dict[str, CrawlSummary], str]:
    settings = crawl_settings(sqlite_url, _serve(fake_http_server))
    summaries = crawl_sources(settings, progress=None)
    return {summary.source: summary for summary in summaries}, sqlite_url


def _texts(database_url: str, source: str) -> list[tuple[str | None, str]]:
    with session_scope(database_url) as session:
        stmt = select(Mention.title, Mention.text).join(Source).where(Source.name == source)
        return [(title, text) for title, text in session.execute(stmt)]


def test_every_source_is_stored_healthy_and_readable(
    crawled: tuple[dict[str, CrawlSummary], str],
) -> None:
    summaries, database_url = crawled

    outcome = {name: (s.items, s.errors, s.source_status) for name, s in summaries.items()}
    assert outcome == {
        "ko": (1, 0, "ok"),  # the keyword matched: the text is Korean, not mojibake
        "ja": (1, 0, "ok"),
        "eucjp": (1, 0, "ok"),
        "th": (1, 0, "ok"),
        "fr": (3, 0, "ok"),
        "techcrunch": (1, 0, "ok"),  # a blank line before <?xml is no parse error
        "songkick": (1, 0, "ok"),  # one review, though the page has it twice
    }
    assert not any(s.became_broken or s.health_alert_key for s in summaries.values())
    ((ko_title, _),) = _texts(database_url, "ko")
    assert ko_title is not None and "삼성전자" in ko_title
    assert _texts(database_url, "ja")[0][0] == "DrecomRSSに記事投稿が反映されない…"
    assert _texts(database_url, "eucjp")[0][0] == "ゲーム三昧な正月"
    assert _texts(database_url, "th")[0][1].startswith("สำนักงานส่งเสริมอุตสาหกรรม")
    assert any("je l’ai reçu" in text for _, text in _texts(database_url, "fr"))
