"""Two workers against one on a 10,000-mention backlog: PostgreSQL, Redis, loopback HTTP.

    .venv/bin/python -m benchmarks.two_workers [--mentions 10000] [--sources 10]
        [--model starter] [--threads 1] [--rounds 1 2]

A local review site (:mod:`benchmarks.local_sources`) serves the backlog as paged
schema.org listings, 100 reviews a page, spread over ``--sources`` sources; 10 % of the
reviews were published in the last 12 hours (alerted when negative), the rest 2 to 60
days ago (the first crawl's quiet backfill). Then, for one worker and for two:

1. a fresh PostgreSQL database, migrated (as the deployment's ``migrate`` service does);
2. that many ``repwatch worker`` processes at once, sharing the database and Redis
   (``REPWATCH_REDIS_URL``), posting to a local fake Slack;
3. wait until every mention is stored and scored, every alert decided and posted, and
   nothing changed for a while; the time is measured to the last write of the pass;
4. read each worker's Prometheus counters, stop the workers (SIGTERM), check the counts.

Each worker scores on ``--threads`` threads, by default the worker's own setting
(``sentiment.num_threads`` unset: one per CPU), as a user's worker runs; ``--threads 1``
makes each worker a fixed one-CPU unit, to ask what a second unit adds.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
import yaml
from sqlalchemy import func, select, text

from benchmarks.local_sources import Review, ReviewSite, SlackRecorder
from storage.db import session_scope
from storage.models import Alert, Mention, OutboxMessage, Score
from storage.testing import throwaway_postgres_database

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/15"
PER_PAGE = 100
RECENT_SHARE = 0.10
QUIET_S = 12.0  # nothing changed for this long after the last score: the pass is over
TIMEOUT_S = 900.0
PROCESS_EVERY = "5s"
CONNECTIONS = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
COMPLAINTS = [
    "the lid leaks boiling water",
    "it stopped working after a week",
    "support never answered my emails",
    "the base overheats and smells of burning",
    "the handle cracked on the second day",
    "the refund was refused twice",
    "the delivery came three weeks late",
    "rust appeared inside the jug",
]
PRAISE = [
    "it boils a litre in three minutes",
    "the handle stays cool",
    "it is quiet and looks lovely",
    "delivery was quick and well packed",
    "the filter keeps limescale out",
    "it switches off reliably when done",
]
NEUTRAL = [
    "it is an ordinary kettle",
    "it does the job, nothing special",
    "the colour is a bit darker than in the photo",
]


def review_text(number: int, rng: random.Random) -> tuple[str, int]:
    """A unique review text and its rating: 30 % complaints, 20 % neutral, 50 % praise."""
    kind = number % 10
    if kind < 3:
        first, second = rng.sample(COMPLAINTS, 2)
        return f"Order {number}: {first}, and {second}. Very disappointed.", rng.choice([1, 2])
    if kind < 5:
        return f"Order {number}: {rng.choice(NEUTRAL)}.", 3
    first, second = rng.sample(PRAISE, 2)
    return f"Order {number}: {first} and {second}. Happy with it.", rng.choice([4, 5])


def backlog(sources: Sequence[str], mentions: int, now: datetime) -> dict[str, list[Review]]:
    """`mentions` reviews dealt round-robin to the sources, seeded."""
    rng = random.Random(7)
    reviews: dict[str, list[Review]] = {source: [] for source in sources}
    for number in range(mentions):
        body, rating = review_text(number, rng)
        recent = rng.random() < RECENT_SHARE
        age = timedelta(hours=rng.uniform(0, 12)) if recent else timedelta(days=rng.uniform(2, 60))
        review = Review(f"{number:06d}", f"Customer {number}", body, rating, now - age)
        reviews[sources[number % len(sources)]].append(review)
    return reviews


def fresh_database(admin_url: str) -> AbstractContextManager[str]:
    """A new, migrated PostgreSQL database, dropped afterwards."""
    return throwaway_postgres_database(admin_url, prefix="repwatch_scale")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Options:
    mentions: int
    sources: int
    model: str
    threads: int | None
    redis_url: str
    admin_url: str


def write_config(
    path: Path,
    database_url: str,
    site: ReviewSite,
    sources: Sequence[str],
    options: Options,
    metrics_port: int,
) -> Path:
    config = {
        "database_url": database_url,
        "redis_url": options.redis_url,
        "allow_private_networks": True,
        "model": options.model,
        "brand": {"name": "Acme", "keywords": ["Acme"]},
        "sources": [
            {
                "name": name,
                "kind": "schemaorg",
                "url": site.listing_url(name),
                "every": "1h",
                "max_pages": 100,
            }
            for name in sources
        ],
        "slack": {"channel": "C0BENCH"},
        # Every recent complaint pages on its own, so that sending is exercised too (with
        # incidents on, a backlog like this one pages a handful of incident alerts).
        "incidents": {"enabled": False},
        "sentiment": {"num_threads": options.threads, "batch_size": 32},
        "worker": {"process_every": PROCESS_EVERY, "metrics_port": metrics_port},
        "report": {"enabled": False},
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def start_worker(config: Path, slack: SlackRecorder, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {"SLACK_BOT_TOKEN": "xoxb-bench", "REPWATCH_SLACK_BASE_URL": slack.base_url}
    command = [sys.executable, "-m", "repwatch.cli", "worker", "--config", str(config)]
    return subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


@dataclass(frozen=True)
class Snapshot:
    stored: int
    scored: int
    alerts: int
    queued: int
    sent: int
    last_write: datetime | None
    phases: dict[str, datetime | None]
    connections: int

    @property
    def marker(self) -> tuple[int, ...]:
        return (self.stored, self.scored, self.alerts, self.queued, self.sent)


def snapshot(database_url: str) -> Snapshot:
    with session_scope(database_url) as session:
        current = Score.content_hash == Mention.content_hash
        scored = select(func.count()).select_from(Score).join(Mention).where(current)
        sent = (
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.sent_at.is_not(None))
        )
        columns = {
            "stored": Mention.fetched_at,
            "scored": Score.scored_at,
            "decided": Alert.created_at,
            "sent": OutboxMessage.sent_at,
        }
        phases = {name: session.scalar(select(func.max(c))) for name, c in columns.items()}
        last = list(phases.values())
        return Snapshot(
            stored=int(session.scalar(select(func.count()).select_from(Mention)) or 0),
            scored=int(session.scalar(scored) or 0),
            alerts=int(session.scalar(select(func.count()).select_from(Alert)) or 0),
            queued=int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0),
            sent=int(session.scalar(sent) or 0),
            last_write=max((moment for moment in last if moment is not None), default=None),
            phases=phases,
            connections=int(session.scalar(CONNECTIONS) or 0) - 1,  # less this one
        )


def wait_for_pass(
    database_url: str, expected: int, workers: Sequence[subprocess.Popen[bytes]]
) -> Snapshot:
    """Poll until all is stored and scored, everything queued was sent, and nothing has
    changed for QUIET_S seconds (every worker passes every PROCESS_EVERY)."""
    deadline = time.monotonic() + TIMEOUT_S
    last_marker: tuple[int, ...] = ()
    since, peak = time.monotonic(), 0
    while time.monotonic() < deadline:
        if any(worker.poll() is not None for worker in workers):
            raise SystemExit("a worker exited early; see its log")
        state = snapshot(database_url)
        peak = max(peak, state.connections)
        if state.marker != last_marker:
            last_marker, since = state.marker, time.monotonic()
        done = state.stored == state.scored == expected and state.sent == state.queued
        if done and time.monotonic() - since >= QUIET_S:
            return dataclasses.replace(state, connections=peak)
        time.sleep(0.5)
    raise SystemExit(f"the pass did not finish in {TIMEOUT_S:.0f}s")


def worker_counters(port: int) -> Counter[str]:
    """The worker's repwatch_* counters, summed over their labels (whole numbers)."""
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
    totals: Counter[str] = Counter()
    for line in body.decode().splitlines():
        if line.startswith("repwatch_") and "_total" in line:
            name, value = line.rsplit(" ", 1)
            totals[name.split("{", 1)[0]] += int(float(value))
    return totals


def stop(workers: Sequence[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()


@dataclass(frozen=True)
class RoundResult:
    workers: int
    state: Snapshot
    wall_s: float
    phase_s: dict[str, float]
    counters: list[Counter[str]]
    page_requests: int
    distinct_pages: int
    posts: int
    distinct_posts: int
    paging_alerts: int
    alert_messages: int
    load_average: float
    table_bytes: dict[str, int]


def run_round(workers: int, options: Options, folder: Path) -> RoundResult:
    """Serve a fresh backlog and run `workers` workers over it on a fresh database."""
    prefix = f"w{workers}-{uuid.uuid4().hex[:4]}"
    sources = [f"{prefix}-shop-{n:02d}" for n in range(options.sources)]
    site, slack = ReviewSite(PER_PAGE), SlackRecorder()
    for source, reviews in backlog(sources, options.mentions, datetime.now(UTC)).items():
        site.publish(source, *reviews)
    with ExitStack() as stack:
        stack.enter_context(site.serving())
        stack.enter_context(slack.serving())
        database_url = stack.enter_context(fresh_database(options.admin_url))
        stack.callback(forget_run_keys, options.redis_url, prefix)
        ports = [free_port() for _ in range(workers)]
        configs = [
            write_config(folder / f"{prefix}-{n}.yaml", database_url, site, sources, options, port)
            for n, port in enumerate(ports)
        ]
        started = datetime.now(UTC)
        processes = [
            start_worker(config, slack, folder / f"{prefix}-worker-{n}.log")
            for n, config in enumerate(configs)
        ]
        try:
            state = wait_for_pass(database_url, options.mentions, processes)
            counters = [worker_counters(port) for port in ports]
        finally:
            stop(processes)
        assert state.last_write is not None
        return summarise(workers, state, started, counters, site, slack, database_url)


def summarise(
    workers: int,
    state: Snapshot,
    started: datetime,
    counters: list[Counter[str]],
    site: ReviewSite,
    slack: SlackRecorder,
    database_url: str,
) -> RoundResult:
    assert state.last_write is not None
    listing = {path: n for path, n in site.requests.items() if "/reviews" in path}
    posts = [arrival.body for arrival in slack.posts()]
    distinct = {repr(sorted(body.items())) for body in posts}
    with session_scope(database_url) as session:
        paging = session.scalar(
            select(func.count()).select_from(Alert).where(Alert.status != "grouped")
        )
        alert_messages = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.dedup_key.like("alert:%"), OutboxMessage.sent_at.is_not(None))
        )
    return RoundResult(
        workers=workers,
        state=state,
        wall_s=(state.last_write - started).total_seconds(),
        phase_s={
            name: (moment - started).total_seconds()
            for name, moment in state.phases.items()
            if moment is not None
        },
        counters=counters,
        page_requests=sum(listing.values()),
        distinct_pages=len(listing),
        posts=len(posts),
        distinct_posts=len(distinct),
        paging_alerts=int(paging or 0),
        alert_messages=int(alert_messages or 0),
        load_average=os.getloadavg()[1],
        table_bytes=table_sizes(database_url),
    )


def forget_run_keys(redis_url: str, prefix: str) -> None:
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"repwatch:{prefix}-*"):
        client.delete(key)


def table_sizes(database_url: str) -> dict[str, int]:
    """Bytes on disk of the tables that grow with mentions (with indexes and TOAST)."""
    tables = ("mentions", "scores", "alerts", "outbox", "crawl_runs")
    with session_scope(database_url) as session:
        return {
            name: int(session.scalar(text(f"SELECT pg_total_relation_size('{name}')")) or 0)
            for name in tables
        }


def report(result: RoundResult, mentions: int) -> list[str]:
    state = result.state

    def per_worker(name: str) -> list[int]:
        return [int(counters[name]) for counters in result.counters]

    scored_by = per_worker("repwatch_mentions_scored_total")
    new_by = per_worker("repwatch_new_mentions_total")
    alerts_by = per_worker("repwatch_alerts_created_total")
    sent_by = per_worker("repwatch_messages_sent_total")
    label = "1 worker " if result.workers == 1 else f"{result.workers} workers"
    return [
        f"{label}: stored {state.stored} (new per worker {new_by}, sum {sum(new_by)}); "
        f"listing pages fetched {result.page_requests} for {result.distinct_pages} pages",
        f"{' ' * len(label)}  scored {state.scored} (per worker {scored_by}, sum {sum(scored_by)})",
        f"{' ' * len(label)}  alerts {state.alerts} ({result.paging_alerts} paging; raised per "
        f"worker {alerts_by}); outbox {state.queued} queued, {state.sent} sent "
        f"(per worker {sent_by})",
        f"{' ' * len(label)}  Slack posts {result.posts}, distinct {result.distinct_posts}; "
        f"alert messages sent {result.alert_messages}; peak PostgreSQL connections "
        f"{state.connections}",
        f"{' ' * len(label)}  wall {result.wall_s:.1f} s, "
        f"{mentions / result.wall_s:.0f} mentions/s (machine load average, 5 min: "
        f"{result.load_average:.1f}); last "
        + ", ".join(f"{name} at {at:.1f} s" for name, at in result.phase_s.items()),
    ]


def checks(result: RoundResult, mentions: int) -> list[str]:
    """What must hold whatever the number of workers; the failed ones, as lines."""
    scored = sum(int(c["repwatch_mentions_scored_total"]) for c in result.counters)
    new = sum(int(c["repwatch_new_mentions_total"]) for c in result.counters)
    sent = sum(int(c["repwatch_messages_sent_total"]) for c in result.counters)
    rules = {
        "every mention stored once": result.state.stored == new == mentions,
        "every listing page fetched once": result.page_requests == result.distinct_pages,
        "every mention scored once": result.state.scored == scored == mentions,
        "every paging alert posted": result.alert_messages == result.paging_alerts,
        "every queued message posted once": result.posts
        == result.distinct_posts
        == result.state.queued
        == sent,
    }
    return [f"FAILED: {rule}" for rule, held in rules.items() if not held]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--model", default="starter")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="scoring threads per worker (default: the worker's own, one per CPU)",
    )
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument(
        "--rounds", type=int, nargs="+", default=[1, 2], help="worker counts to run, in turn"
    )
    args = parser.parse_args(argv)
    options = Options(
        args.mentions,
        args.sources,
        args.model,
        args.threads,
        args.redis_url,
        args.postgres_admin_url,
    )
    print(
        f"{options.mentions:,} mentions over {options.sources} sources ({PER_PAGE} a page), "
        f"model {options.model!r}, {options.threads or 'default'} scoring thread(s) per worker, "
        f"{os.cpu_count()} CPUs",
        flush=True,
    )
    failures: list[str] = []
    results = []
    with tempfile.TemporaryDirectory(prefix="repwatch-scale-") as folder:
        for workers in args.rounds:
            result = run_round(workers, options, Path(folder))
            results.append(result)
            print("\n".join(report(result, options.mentions)), flush=True)
            failures += checks(result, options.mentions)
    one = results[0]
    if len(results) > 1:
        print(
            f"{args.rounds[1]} workers against {args.rounds[0]}: "
            f"{one.wall_s / results[1].wall_s:.2f}x the throughput"
        )
    per_million = {
        name: size * 1_000_000 / options.mentions for name, size in one.table_bytes.items()
    }
    print(
        "PostgreSQL size per 1M mentions (extrapolated from this run): "
        + ", ".join(f"{name} {size / 2**30:.2f} GiB" for name, size in per_million.items())
    )
    print("\n".join(failures) or "all checks held")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
