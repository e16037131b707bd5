"""Push 10,000 mentions through the whole flow — crawl and store, score, decide, send —
and measure each stage: mentions per second and peak memory.

    .venv/bin/python -m benchmarks.load_10k [--mentions N] [--model tiny|starter|PATH]
        [--postgres] [--starter-sample N]

The mentions are generated (seeded) and served as RSS feeds by an HTTP server on
loopback, ``--per-feed`` mentions a feed, one source a feed. The real crawler (one
``python -m crawler`` child for every source) fetches and stores them, one transaction
per mention as in production. Then, in this process, the worker's own steps: score every
mention (``repwatch.steps.score_pending``), decide alerts (``steps.decide``), and send the
outbox to a fake Slack Web API on loopback (``steps.send`` until the outbox is empty).

Scoring 10,000 texts with the starter model takes minutes on two CPU cores, so the flow
is scored by default with a tiny randomly initialised model (``--model tiny``, the test
suite's builder) and the starter model's own rate is measured on ``--starter-sample``
texts. ``--model starter`` scores the whole flow with it.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr
from rich.console import Console
from sqlalchemy import func, select

from config.settings import Settings
from crawler.runner import crawl_sources
from repwatch import steps
from repwatch.flow import load_scorer
from sentiment.scorer import ScoreInput, Scorer
from storage.db import session_scope
from storage.migrate import upgrade
from storage.models import Mention, OutboxMessage
from storage.testing import throwaway_postgres_database
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.slack_server import FakeSlack
from tests.sentiment.tiny import THREE_CLASS, build_tiny_model

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NEGATIVE = [
    "the Acme kettle stopped working after a week",
    "support never answered my emails about the Acme order",
    "the Acme heater smells of burning, I want a refund",
    "my Acme blender broke and the shop refused a refund",
    "Acme delivery was three weeks late and the box was crushed",
]
POSITIVE = [
    "the Acme kettle is quiet and boils fast",
    "great service from Acme, the replacement came the next day",
    "very happy with the Acme blender, easy to clean",
    "Acme support answered in ten minutes, thank you",
]
COMPLAINT_WORDS = ["stopped working", "never answered", "refund", "broke", "late", "고장"]
KOREAN = ["에이크미 주전자가 일주일 만에 고장났어요", "에이크미 서비스가 아주 좋아요"]
T = TypeVar("T")


@dataclass(frozen=True)
class Stage:
    """One measured stage: what it handled, how long it took, memory after it."""

    name: str
    count: int
    seconds: float
    peak_rss_mib: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else float("inf")

    def line(self, unit: str = "mentions") -> str:
        return (
            f"{self.name:<16} {self.count:>6} {unit:<9} {self.seconds:7.1f} s "
            f"{self.rate:8.1f} {unit}/s   peak RSS {self.peak_rss_mib:6.0f} MiB"
        )


@dataclass
class LoadReport:
    """Everything one run measured and counted."""

    mentions: int
    stages: list[Stage] = field(default_factory=list)
    crawler_peak_rss_mib: float = 0.0
    alerts: int = 0
    messages: int = 0
    posted: int = 0
    repeated_posts: int = 0
    starter_rate: float | None = None


def peak_rss_mib() -> float:
    """This process's high-water mark of resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ChildPeakMemory:
    """The largest peak RSS (VmHWM) of this process's children while it is open (Linux
    /proc). getrusage(RUSAGE_CHILDREN) cannot tell: it counts the parent's pages a child
    had at fork, before it exec'd."""

    def __init__(self, every_s: float = 0.1) -> None:
        self.every_s = every_s
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ChildPeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024

    def _watch(self) -> None:
        parent = str(os.getpid())
        while not self._stop.wait(self.every_s):
            for stat in Path("/proc").glob("[0-9]*/stat"):
                with suppress(OSError, IndexError, ValueError):
                    if stat.read_text().rsplit(")", 1)[1].split()[1] == parent:
                        self.peak_kib = max(self.peak_kib, _vm_hwm_kib(stat.parent / "status"))


def _vm_hwm_kib(status: Path) -> int:
    """The process's peak resident memory; 0 for a child that has exited (a zombie has none)."""
    lines = status.read_text().splitlines()
    line = next((line for line in lines if line.startswith("VmHWM:")), None)
    return int(line.split()[1]) if line else 0


def timed(name: str, run: Callable[[], T], count: Callable[[T], int] | int) -> tuple[Stage, T]:
    """Run one stage and measure it; `count` is how many items it handled (or says so)."""
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    handled = count(result) if callable(count) else count
    return Stage(name, handled, seconds, peak_rss_mib()), result


def mention_text(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice(KOREAN)
    pool = NEGATIVE if rng.random() < 0.35 else POSITIVE
    return ". ".join(rng.sample(pool, 2))


def rss_feed(name: str, count: int, rng: random.Random, now: datetime) -> str:
    """One RSS feed of `count` items published over the last twelve hours."""
    items = []
    for number in range(count):
        published = now - timedelta(seconds=rng.randrange(12 * 3600))
        items.append(
            f"<item><title>{escape(name)} post {number}</title>"
            f"<guid isPermaLink='false'>{name}-{number}</guid>"
            f"<link>https://forum.example.com/{name}/{number}</link>"
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape(mention_text(rng))}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name}</title>{''.join(items)}</channel></rss>"
    )


def serve_feeds(server: FakeHttpServer, mentions: int, per_feed: int) -> list[dict[str, str]]:
    """Serve the generated feeds; the source configuration for each."""
    rng, now = random.Random(20240501), datetime.now(UTC)
    sources = []
    for index, start in enumerate(range(0, mentions, per_feed)):
        name = f"feed-{index:03d}"
        body = rss_feed(name, min(per_feed, mentions - start), rng, now)
        url = server.serve(f"/{name}.xml", body, content_type="application/rss+xml")
        sources.append({"name": name, "kind": "rss", "url": url})
    return sources


def load_settings(
    database_url: str, sources: list[dict[str, str]], model: str, slack: FakeSlack, incidents: bool
) -> Settings:
    """The flow's settings. The complaint words alert whatever the model says, so that a
    tiny random model raises as many alerts as a real one would."""
    settings = Settings.model_validate(
        {
            "database_url": database_url,
            "allow_private_networks": True,
            "model": model,
            "brand": {"name": "Acme", "keywords": ["Acme", "에이크미"]},
            "sources": sources,
            "crawl": {"autothrottle": False, "concurrent_requests_per_domain": 8},
            "slack": {"channel": "C0LOAD"},
            "rules": {"keywords": COMPLAINT_WORDS, "keyword_threshold": 0.0},
            "incidents": {"enabled": incidents},
            "report": {"enabled": False},
        }
    )
    token = SecretStr("xoxb-load")
    return settings.model_copy(update={"slack_base_url": slack.base_url, "slack_bot_token": token})


def count_rows(database_url: str, model: type, *where: Any) -> int:
    with session_scope(database_url) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def send_all(settings: Settings) -> int:
    """Drain the outbox to fake Slack; the messages sent."""
    console, sent = Console(file=io.StringIO()), 0
    while True:
        delivery = steps.send(settings, console)
        sent += delivery.sent
        if delivery.pending == 0 or delivery.sent == 0:
            return sent


def starter_rate(texts: list[str]) -> float:
    """Texts per second the starter model scores (model loading not counted)."""
    scorer = Scorer.load("starter")
    started = time.perf_counter()
    scorer.score([ScoreInput(text) for text in texts])
    return len(texts) / (time.perf_counter() - started)


@dataclass(frozen=True)
class LoadPlan:
    """What to push through the flow, and how."""

    mentions: int
    model: str
    per_feed: int = 1000
    incidents: bool = True
    starter_sample: int = 0


def run_load(database_url: str, plan: LoadPlan) -> LoadReport:
    """The whole flow over generated mentions, measured stage by stage."""
    upgrade(database_url)
    report = LoadReport(plan.mentions)
    server, slack = FakeHttpServer().start(), FakeSlack().start()
    try:
        sources = serve_feeds(server, plan.mentions, plan.per_feed)
        settings = load_settings(database_url, sources, plan.model, slack, plan.incidents)
        _measure_stages(settings, report)
        report.messages = count_rows(database_url, OutboxMessage)
        posted = [r for r in slack.calls("chat.postMessage") if r.response.get("ok")]
        identities = {json.dumps(r.body, sort_keys=True) for r in posted}
        report.posted, report.repeated_posts = len(posted), len(posted) - len(identities)
    finally:
        server.stop()
        slack.stop()
    if plan.starter_sample:
        report.starter_rate = starter_rate(sample_texts(database_url, plan.starter_sample))
    return report


def _measure_stages(settings: Settings, report: LoadReport) -> None:
    database_url = settings.database_url

    def stored(_: object) -> int:
        return count_rows(database_url, Mention)

    with ChildPeakMemory() as crawler_memory:
        stage, _ = timed("crawl + store", lambda: crawl_sources(settings, progress=None), stored)
    report.stages.append(stage)
    report.crawler_peak_rss_mib = crawler_memory.peak_mib
    stage, scorer = timed("load model", lambda: load_scorer(settings), 1)
    report.stages.append(stage)
    stage, _ = timed("score", lambda: steps.score_pending(settings, scorer), int)
    report.stages.append(stage)
    stage, report.alerts = timed("decide", lambda: steps.decide(settings), stage.count)
    report.stages.append(stage)
    report.stages.append(timed("send", lambda: send_all(settings), int)[0])


def sample_texts(database_url: str, count: int) -> list[str]:
    with session_scope(database_url) as session:
        return list(session.scalars(select(Mention.text).order_by(Mention.id).limit(count)))


@contextmanager
def throwaway_database(postgres: bool, workdir: Path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh PostgreSQL database dropped at the end."""
    if not postgres:
        yield f"sqlite:///{workdir / 'load.db'}"
        return
    with throwaway_postgres_database(
        POSTGRES_ADMIN_URL, prefix="repwatch_load", migrated=False
    ) as url:
        yield url


def print_report(report: LoadReport, database: str, model: str) -> None:
    print(f"{report.mentions:,} mentions through the whole flow on {database}, model {model}")
    for stage in report.stages:
        print(stage.line({"load model": "model", "send": "messages"}.get(stage.name, "mentions")))
    flow = [s for s in report.stages if s.name != "load model"]
    total = sum(stage.seconds for stage in flow)
    print(
        f"{'whole flow':<16} {report.mentions:>6} mentions  {total:7.1f} s "
        f"{report.mentions / total:8.1f} mentions/s"
    )
    print(f"crawler child peak RSS {report.crawler_peak_rss_mib:.0f} MiB")
    print(
        f"alerts {report.alerts}, outbox messages {report.messages}, posted to fake Slack "
        f"{report.posted}, posted twice {report.repeated_posts}"
    )
    if report.starter_rate is not None:
        print(f"starter model alone: {report.starter_rate:.1f} texts/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=10_000)
    parser.add_argument("--per-feed", type=int, default=1000)
    parser.add_argument("--model", default="tiny", help="tiny, starter, or a model path/hub id")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL database")
    parser.add_argument("--starter-sample", type=int, default=500)
    parser.add_argument(
        "--no-incidents", action="store_true", help="one alert a complaint, no grouping"
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        throwaway_database(args.postgres, Path(folder)) as url,
    ):
        model = args.model
        if model == "tiny":
            model = str(build_tiny_model(Path(folder) / "tiny", THREE_CLASS))
        plan = LoadPlan(
            args.mentions, model, args.per_feed, not args.no_incidents, args.starter_sample
        )
        report = run_load(url, plan)
    print_report(report, "PostgreSQL" if args.postgres else "SQLite", args.model)


if __name__ == "__main__":
    main()
