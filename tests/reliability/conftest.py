"""Fixtures of the reliability suite, and its two modes.

CI mode (the default) keeps the whole suite to a few minutes. The long mode,
``REPWATCH_RELIABILITY_LONG=1``, runs the same tests with long outages, many fuzzing
examples, repeated database restarts and the 10,000-mention load.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from repwatch.demo.site import build_site, load_samples
from storage.db import get_engine
from storage.migrate import upgrade
from tests.crawler.conftest import own_postgres_url
from tests.fakes.http_server import FakeHttpServer, fake_http_server
from tests.reliability.harness import WorkerProcess
from tests.reliability.private_postgres import (
    PrivatePostgres,
    PrivatePostgresError,
    private_postgres_server,
)

__all__ = ["fake_http_server", "own_postgres_url"]

LONG_MODE_VARIABLE = "REPWATCH_RELIABILITY_LONG"


@dataclass(frozen=True)
class Mode:
    """How hard the suite pushes: the long mode's figures, or CI's."""

    long: bool
    slack_outage_s: float  # how long Slack stays down after the first failed send
    fuzz_examples: int  # hypothesis examples per parser and strategy
    database_restarts: int  # rounds of "restart PostgreSQL mid-send" while the worker runs
    database_down_s: float  # how long PostgreSQL stays stopped at each restart
    load_mentions: int


CI_MODE = Mode(
    long=False,
    slack_outage_s=6,
    fuzz_examples=25,
    database_restarts=1,
    database_down_s=5,
    load_mentions=200,
)
LONG_MODE = Mode(
    long=True,
    slack_outage_s=200,
    fuzz_examples=1500,
    database_restarts=5,
    database_down_s=30,
    load_mentions=10_000,
)


def long_mode_requested() -> bool:
    return os.environ.get(LONG_MODE_VARIABLE, "") not in ("", "0")


@pytest.fixture(scope="session")
def mode() -> Mode:
    """The figures of the mode this run is in."""
    return LONG_MODE if long_mode_requested() else CI_MODE


def pytest_report_header() -> str:
    chosen = "long" if long_mode_requested() else f"CI (set {LONG_MODE_VARIABLE}=1 for long)"
    return f"reliability mode: {chosen}"


@dataclass(frozen=True)
class DemoSource:
    """The demo's sample site served by a FakeHttpServer (so pages can be held)."""

    server: FakeHttpServer
    expected_mentions: int

    @property
    def url(self) -> str:
        return self.server.base_url


@pytest.fixture
def demo_source(fake_http_server: FakeHttpServer) -> DemoSource:
    """The demo's product reviews (two pages) and news feed, on a fake HTTP server."""
    site = build_site(fake_http_server.base_url, datetime.now(UTC))
    for path, (content_type, body) in site.pages.items():
        fake_http_server.serve(path, body, content_type=content_type)
    samples = load_samples()
    return DemoSource(fake_http_server, len(samples["reviews"]) + len(samples["feed"]))


WorkerFactory = Callable[..., WorkerProcess]


@pytest.fixture
def worker_process(tmp_path: Path) -> Iterator[WorkerFactory]:
    """Make worker processes that log to tmp_path/worker.log; none outlives the test."""
    made: list[WorkerProcess] = []

    def make(config: Path, env: Mapping[str, str], *, verbose: bool = False) -> WorkerProcess:
        worker = WorkerProcess(config, env, tmp_path / "worker.log", verbose=verbose)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.close()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL server of this test's own, which it may stop and start; skipped, saying
    why, where none can be run."""
    with ExitStack() as cleanup:
        try:
            server = cleanup.enter_context(private_postgres_server())
        except PrivatePostgresError as exc:
            pytest.skip(f"no private PostgreSQL server: {exc}")
        yield server


@pytest.fixture
def private_postgres_url(private_postgres: PrivatePostgres) -> Iterator[str]:
    """A migrated database on the private server."""
    url = private_postgres.create_database("repwatch")
    upgrade(url)
    yield url
    get_engine(url).dispose()
