"""Hostile sources through a real crawl with ``allow_private_networks: false``: redirects
to loopback and to the metadata service, file:// URLs, oversized answers, XML entity
bombs and external entities are refused or harmless.

A crawl that refuses private addresses cannot reach a test server on 127.0.0.1, so the
crawler child is given an HTTP proxy on loopback (``http_proxy``, which Scrapy obeys):
the sources name a public address, the SSRF guard judges that address, and the proxy —
a fake server — answers for "the internet". No packet leaves loopback: the proxy logs
every request, and the test checks the public site was only ever reached through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from config.settings import Settings
from crawler.job import CrawlSummary
from crawler.runner import crawl_sources
from repwatch.cli import app
from storage.db import session_scope
from storage.models import Mention
from tests.fakes.http_server import FakeHttpServer

pytestmark = pytest.mark.reliability

PUBLIC = "http://93.184.215.14"  # a global address; only ever reached through the proxy
METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
MAX_RESPONSE_BYTES = 1024 * 1024
INTERNAL_SECRET = "internal-admin-secret-4f2a"
RSS = "application/rss+xml"


def _feed(description: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>Acme</title>'
        f"<item><guid>1</guid><title>Acme review</title><description>{description}"
        "</description></item></channel></rss>"
    )


def _billion_laughs() -> str:
    levels = [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return _feed("&lol9;", '<!DOCTYPE rss [<!ENTITY lol0 "lol">' + "".join(levels) + "]>")


def _quadratic_blowup() -> str:
    return _feed("&a;" * 20_000, f'<!DOCTYPE rss [<!ENTITY a "{"A" * 100_000}">]>')


@pytest.fixture
def internal() -> Iterator[FakeHttpServer]:
    """A service on loopback that no crawl may reach."""
    server = FakeHttpServer().start()
    server.serve("/admin", _feed(INTERNAL_SECRET), content_type=RSS)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def internet(monkeypatch: pytest.MonkeyPatch, internal: FakeHttpServer) -> Iterator[FakeHttpServer]:
    """The proxy standing in for public sites; the crawler child inherits http_proxy."""
    proxy = FakeHttpServer().start()
    for variable in ("no_proxy", "NO_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("http_proxy", proxy.base_url)
    monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
    xxe = (
        '<!DOCTYPE rss [<!ENTITY file SYSTEM "file:///etc/passwd">'
        f'<!ENTITY web SYSTEM "{internal.url("/xxe")}">]>'
    )
    pages = {
        "/feed.xml": _feed("The Acme kettle is fine."),
        "/laughs.xml": _billion_laughs(),
        "/quadratic.xml": _quadratic_blowup(),
        "/xxe.xml": _feed("before &file; &web; after", xxe),
        "/dtd.xml": _feed("a DTD", f'<!DOCTYPE rss SYSTEM "{internal.url("/evil.dtd")}">'),
    }
    for path, body in pages.items():
        proxy.serve(PUBLIC + path, body, content_type=RSS)
    try:
        yield proxy
    finally:
        proxy.stop()


def _sources(internal: FakeHttpServer) -> dict[str, str]:
    port = urlsplit(internal.base_url).port
    return {
        "control": f"{PUBLIC}/feed.xml",
        "to-loopback": f"{PUBLIC}/redirect/302?to={internal.url('/admin')}",
        "to-localhost": f"{PUBLIC}/redirect/301?to=http://localhost:{port}/admin",
        "to-metadata": f"{PUBLIC}/redirect/302?to={METADATA}",
        "direct-loopback": internal.url("/admin"),
        "endless": f"{PUBLIC}/stream/{4 * MAX_RESPONSE_BYTES}",
        "laughs": f"{PUBLIC}/laughs.xml",
        "quadratic": f"{PUBLIC}/quadratic.xml",
        "xxe": f"{PUBLIC}/xxe.xml",
        "dtd": f"{PUBLIC}/dtd.xml",
    }


def _settings(database_url: str, sources: dict[str, str]) -> Settings:
    return Settings.model_validate(
        {
            "database_url": database_url,
            "allow_private_networks": False,
            "brand": {"name": "Acme"},
            "sources": [{"name": n, "kind": "rss", "url": u} for n, u in sources.items()],
            "crawl": {"autothrottle": False, "max_response_bytes": MAX_RESPONSE_BYTES},
        }
    )


def _texts(database_url: str) -> list[str]:
    with session_scope(database_url) as session:
        return [f"{m.title} {m.text} {m.raw_excerpt}" for m in session.scalars(select(Mention))]


def test_a_crawl_refuses_private_targets_huge_answers_and_entity_tricks(
    sqlite_url: str, internet: FakeHttpServer, internal: FakeHttpServer
) -> None:
    summaries = crawl_sources(_settings(sqlite_url, _sources(internal)), progress=None)
    by_name: dict[str, CrawlSummary] = {s.source: s for s in summaries}

    assert by_name["control"].new_items == 1  # the proxy works; public sites are crawled
    for name in ("to-loopback", "to-localhost", "to-metadata", "direct-loopback"):
        assert "ssrf_refused: 1" in (by_name[name].error_summary or ""), name
    assert internal.requests == []  # not the redirect targets, not the external entities
    assert all(path.startswith(PUBLIC + "/") for path in internet.requested_paths())
    assert "DownloadCancelledError" in (by_name["endless"].error_summary or "")
    for name in ("laughs", "quadratic", "xxe", "dtd"):
        assert by_name[name].duration_s < 30, name
    texts = _texts(sqlite_url)
    assert not any(INTERNAL_SECRET in text or "root:x:0:0" in text for text in texts)
    assert max(len(text) for text in texts) < 50_000  # no entity expanded into a flood


def test_a_file_url_in_the_configuration_is_refused_with_the_key_and_the_fix(
    tmp_path: Path,
) -> None:
    config = tmp_path / "repwatch.yaml"
    config.write_text(
        "sources:\n  - {name: local, kind: rss, url: 'file:///etc/passwd'}\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["crawl", "--config", str(config)])

    assert result.exit_code == 2
    assert "sources.0.url: Value error, must be an http:// or https:// URL" in result.output
