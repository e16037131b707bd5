"""Crawling with several workers: scrapy-redis's queue and dupe filter in the real Redis.

Each crawl below is a real crawler process (``python -m crawler``) fetching over HTTP on
loopback, as a worker's crawl is; two crawls with the same run (the same interval of the
source) stand for two workers crawling that source at the same time.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import func, select

from config.settings import Settings
from crawler.job import CrawlJob, CrawlSummary
from crawler.runner import run_crawler_process
from crawler.scrapy_settings import CLOSESPIDER_TIMEOUT, build_settings, run_number
from storage.db import session_scope
from storage.models import Mention
from storage.repository import sync_sources
from tests.crawler.conftest import crawl_settings, fixture_bytes
from tests.fakes.http_server import FakeHttpServer

REDIS_URL = os.environ.get("REPWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
EVERY_S = 3600.0
RUN_START = 1_800_000_000.0  # a fixed moment, so that "the same run" does not depend on the clock
PAGES = ["/shop/reviews_page1.html", "/shop/reviews_page2.html", "/shop/reviews_page3.html"]


@pytest.fixture
def redis_url() -> str:
    """The real Redis server; skipped with the reason when it does not answer."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.fixture
def source_name(redis_url: str) -> Iterator[str]:
    """A source name of this test's own, its Redis keys deleted afterwards."""
    name = f"shared-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"repwatch:{name}:*"):
        client.delete(key)


def _shop(server: FakeHttpServer) -> None:
    for page, path in enumerate(PAGES, start=1):
        server.serve(path, fixture_bytes(f"reviews_page{page}.html"))


def _settings(server: FakeHttpServer, database_url: str, redis_url: str, name: str) -> Settings:
    source = {"name": name, "kind": "schemaorg", "url": server.url(PAGES[0]), "every": "1h"}
    settings = crawl_settings(database_url, [source])
    return settings.model_copy(update={"redis_url": redis_url})


def _crawl(settings: Settings, started_at: float, **scrapy_settings: object) -> CrawlSummary:
    """One worker's crawl of the source, in the run that `started_at` falls in."""
    with session_scope(settings.database_url) as session:
        sync_sources(session, settings.brand.name, settings.sources)
    job = CrawlJob.for_sources(settings, settings.sources, scrapy_settings=scrapy_settings)
    reported = run_crawler_process(dataclasses.replace(job, started_at=started_at), None)
    return reported[settings.sources[0].name]


def _page_fetches(server: FakeHttpServer) -> list[str]:
    return [path for path in server.requested_paths() if path.startswith("/shop/")]


def _stored(database_url: str) -> int:
    with session_scope(database_url) as session:
        return int(session.scalar(select(func.count()).select_from(Mention)) or 0)


def test_two_crawls_of_one_run_fetch_each_page_once(
    server: FakeHttpServer, sqlite_url: str, redis_url: str, source_name: str
) -> None:
    _shop(server)
    settings = _settings(server, sqlite_url, redis_url, source_name)

    first = _crawl(settings, RUN_START)
    second = _crawl(settings, RUN_START + 60)  # another worker, later in the same interval

    assert _page_fetches(server) == PAGES
    assert (first.items, first.new_items, first.errors) == (6, 6, 0)
    # The second worker's start page was already fetched in this run: nothing to do, and
    # no reason to call the source broken.
    assert (second.items, second.errors) == (0, 0)
    assert second.source_status != "broken"
    assert _stored(sqlite_url) == 6


def test_the_next_run_fetches_the_start_page_again(
    server: FakeHttpServer, sqlite_url: str, redis_url: str, source_name: str
) -> None:
    _shop(server)
    settings = _settings(server, sqlite_url, redis_url, source_name)

    _crawl(settings, RUN_START)
    rerun = _crawl(settings, RUN_START + EVERY_S)

    # A new run starts with an empty dupe filter; paging stops at the known items.
    assert _page_fetches(server) == [*PAGES, PAGES[0]]
    assert (rerun.items, rerun.new_items, rerun.unchanged_items) == (2, 0, 2)


def test_a_page_queued_by_one_worker_is_fetched_by_another(
    server: FakeHttpServer, sqlite_url: str, redis_url: str, source_name: str
) -> None:
    _shop(server)
    settings = _settings(server, sqlite_url, redis_url, source_name)
    queue_key = f"repwatch:{source_name}:{run_number(RUN_START, EVERY_S)}:requests"

    # A worker that stops after its first page (as if it had been stopped) leaves the
    # next page in the run's queue…
    stopped = _crawl(settings, RUN_START, CLOSESPIDER_PAGECOUNT=1)
    assert _page_fetches(server) == PAGES[:1]
    assert redis.Redis.from_url(redis_url).zcard(queue_key) == 1

    # …and the next worker crawling this run takes it from there.
    resumed = _crawl(settings, RUN_START + 60)

    assert _page_fetches(server) == PAGES
    assert stopped.new_items + resumed.new_items == 6
    assert _stored(sqlite_url) == 6


def test_run_keys_are_per_source_and_expire(
    server: FakeHttpServer, sqlite_url: str, redis_url: str, source_name: str
) -> None:
    _shop(server)
    settings = _settings(server, sqlite_url, redis_url, source_name)

    _crawl(settings, RUN_START)

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    run = run_number(RUN_START, EVERY_S)
    assert set(client.scan_iter(f"repwatch:{source_name}:*")) == {
        f"repwatch:{source_name}:{run}:dupefilter"  # the queue is empty, so Redis dropped it
    }
    ttl = client.ttl(f"repwatch:{source_name}:{run}:dupefilter")
    assert 2 * EVERY_S < ttl <= 2 * EVERY_S + CLOSESPIDER_TIMEOUT


def test_redis_gives_each_source_its_own_shared_queue(sqlite_url: str) -> None:
    sources = [
        {"name": name, "kind": "rss", "url": f"http://127.0.0.1:9/{name}.xml"}
        for name in ("one", "two")
    ]
    settings = crawl_settings(sqlite_url, sources)
    solo = CrawlJob.for_sources(settings, settings.sources)
    shared = dataclasses.replace(solo, redis_url=REDIS_URL)

    assert build_settings(solo, solo.sources[0])["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert {build_settings(shared, target)["SCHEDULER"] for target in shared.sources} == {
        "crawler.scheduler.SharedRunScheduler"
    }
    keys = {build_settings(shared, target)["SCHEDULER_QUEUE_KEY"] for target in shared.sources}
    assert len(keys) == 2
