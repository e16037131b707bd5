"""The crawler's child processes, forked from a server that has imported the crawl."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.exceptions import CrawlProcessError
from crawler.job import CrawlSummary
from crawler.runner import crawl_sources
from storage.migrate import upgrade
from tests.crawler.child_probe_spiders import ECHOED_VARIABLE, EXIT_STATUS
from tests.crawler.conftest import crawl_settings, stderr_into
from tests.fakes.http_server import FakeHttpServer

PROBES = "tests.crawler.child_probe_spiders"


def test_the_fork_server_imports_the_crawl_but_installs_no_reactor() -> None:
    check = (
        "import sys, crawler.preload; "
        "print('twisted.internet.reactor' in sys.modules, "
        "all(m in sys.modules for m in ('crawler.pipelines.store', 'crawler.spiders.schemaorg', "
        "'scrapy.core.downloader.handlers.http11', 'scrapy.downloadermiddlewares.retry')))"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


def _probe_source(server: FakeHttpServer, spider: str) -> dict[str, str]:
    url = server.serve("/probe", "<html><body>nothing here</body></html>")
    return {"name": "probe", "kind": "custom", "url": url, "spider": spider}


def test_each_child_takes_the_environment_and_stderr_of_its_parent_at_the_crawl(
    tmp_path: Path, fake_http_server: FakeHttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    upgrade(database_url)
    source = _probe_source(fake_http_server, f"{PROBES}:EnvironmentEchoSpider")
    settings = crawl_settings(database_url, [source])
    seen = []
    for value in ("first", "second"):  # the fork server is running by the second crawl
        monkeypatch.setenv(ECHOED_VARIABLE, value)
        log = tmp_path / f"{value}.log"
        with stderr_into(log):
            crawl_sources(settings, progress=None)
        seen.append(log.read_text(encoding="utf-8"))
    assert f"{ECHOED_VARIABLE}=first" in seen[0]
    assert f"{ECHOED_VARIABLE}=second" in seen[1] and "=first" not in seen[1]


def test_a_child_that_dies_before_reporting_is_a_crawl_process_error(
    tmp_path: Path, fake_http_server: FakeHttpServer
) -> None:
    database_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    upgrade(database_url)
    source = _probe_source(fake_http_server, f"{PROBES}:DyingSpider")
    with pytest.raises(CrawlProcessError, match=f"exited with status {EXIT_STATUS}"):
        crawl_sources(crawl_settings(database_url, [source]), progress=None)


def test_a_progress_callback_that_raises_stops_the_child(
    tmp_path: Path, fake_http_server: FakeHttpServer
) -> None:
    database_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    upgrade(database_url)
    quick = _probe_source(fake_http_server, f"{PROBES}:EnvironmentEchoSpider")
    endless = _probe_source(fake_http_server, f"{PROBES}:NeverIdleSpider") | {"name": "endless"}

    def fail(summary: CrawlSummary) -> None:
        raise RuntimeError(f"progress failed at {summary.source}")

    settings = crawl_settings(database_url, [quick, endless])
    with pytest.raises(RuntimeError, match="progress failed at probe"):
        crawl_sources(settings, progress=fail)
    assert not [p for p in multiprocessing.active_children() if p.name == "repwatch-crawler"]
