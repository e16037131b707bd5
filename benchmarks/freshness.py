"""Publication-to-Slack latency of the real worker polling a local source every 60 s.

    .venv/bin/python -m benchmarks.freshness [--publications 12] [--every 60s]
        [--gap-min 15] [--gap-max 55] [--seed 1] [--backlog 10000]

A local review site (:mod:`benchmarks.local_sources`) starts with 30 reviews from past
weeks; ``repwatch worker --config FILE`` polls it (``every: 60s``, ``worker.jitter`` at
its default) on a fresh PostgreSQL database and posts to a local fake Slack that notes
when each message arrives. Once the first crawl (the quiet backfill) is stored, the site
publishes one new negative review at a time, after a random pause, its ``datePublished``
the moment it appears. Latency = the Slack arrival of its alert − that moment.

``--backlog N`` adds a second source, ``archive``, holding N older reviews (the
:mod:`benchmarks.two_workers` mix, 2 to 60 days old but for a tenth from the last 12
hours), crawled once at the start: the publications begin as soon as it is stored, while
the worker still has it to score. Each publication notes how many mentions were waiting
to be scored when it appeared. The target is then the issue's: every complaint on Slack
within the crawl interval plus 60 s.

Incidents are switched off in this run: a dozen complaints within minutes would open a
spike incident and later ones would reach Slack as thread replies of it rather than
alerts of their own; the path measured (poll, crawl, score, decide, send) is the same.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import func, select

from benchmarks.local_sources import Review, ReviewSite, SlackRecorder
from benchmarks.two_workers import POSTGRES_ADMIN_URL, backlog, fresh_database, stop
from config.settings import parse_duration
from storage.db import session_scope
from storage.models import CrawlRun, Mention

SOURCE = "shop"
ARCHIVE = "archive"
HISTORY = 30
COMPLAINTS = [
    "The kettle lid snapped off and boiling water burned my hand",
    "Support hung up on me twice and my refund is still missing",
    "After four days the base sparked and tripped the fuse in our flat",
    "Delivered with a cracked jug and a courier who refused the return",
    "It tastes of plastic whatever we do, the descaler did not help",
    "The switch stays on after boiling, the element glowed red, scary",
    "Ordered white, received grey, and the shop ignores every email",
    "Limescale flakes came out of the spout on the very first use",
    "Handle wobbles loose, two screws fell out within a week",
    "The app pairing fails every morning and the timer never fires",
    "Leaks from the seam at the bottom onto the worktop each time",
    "Warranty claim rejected because the receipt was an email, absurd",
    "Whistle screams at an awful pitch and cannot be switched off",
    "Rust spots inside after a fortnight, not what stainless means",
    "The cord is so short it only reaches the socket from the floor",
]


@dataclass(frozen=True)
class Publication:
    review: Review
    at: float  # Unix time it appeared on the site
    waiting: int  # mentions stored but not yet scored at that moment


def old_reviews(now: datetime) -> list[Review]:
    """The site's history: what the first crawl stores quietly."""
    return [
        Review(
            f"old-{n:03d}",
            f"Past customer {n}",
            f"Past review {n}: works fine.",
            4,
            now - timedelta(days=3 + n),
        )
        for n in range(HISTORY)
    ]


def write_config(
    path: Path, database_url: str, site: ReviewSite, every: str, with_archive: bool
) -> Path:
    sources: list[dict[str, object]] = [
        {"name": SOURCE, "kind": "schemaorg", "url": site.listing_url(SOURCE), "every": every}
    ]
    if with_archive:
        sources.append(
            {
                "name": ARCHIVE,
                "kind": "schemaorg",
                "url": site.listing_url(ARCHIVE),
                "every": "1d",
                "max_pages": 100,
            }
        )
    config = {
        "database_url": database_url,
        "allow_private_networks": True,
        "brand": {"name": "Acme", "keywords": ["Acme"]},
        "sources": sources,
        "slack": {"channel": "C0FRESH"},
        "incidents": {"enabled": False},
        "worker": {"metrics_port": None},
        "report": {"enabled": False},
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def wait_for_backfill(database_url: str, worker: subprocess.Popen[bytes], expected: int) -> None:
    """Until the first crawls are recorded with everything the site held stored."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit("the worker exited early; see its log")
        with session_scope(database_url) as session:
            runs = session.scalar(select(func.count()).select_from(CrawlRun)) or 0
            stored = session.scalar(select(func.count()).select_from(Mention)) or 0
        if runs and stored >= expected:
            return
        time.sleep(0.5)
    raise SystemExit("the first crawl did not finish in 300 s")


def waiting_to_score(database_url: str) -> int:
    with session_scope(database_url) as session:
        query = select(func.count()).select_from(Mention).where(Mention.needs_score)
        return session.scalar(query) or 0


def publish_at_random(
    site: ReviewSite,
    count: int,
    gaps: tuple[float, float],
    rng: random.Random,
    database_url: str,
) -> list[Publication]:
    published = []
    for number in range(count):
        time.sleep(rng.uniform(*gaps))
        text = f"Complaint {number:02d}: {COMPLAINTS[number % len(COMPLAINTS)]}."
        review = Review(
            f"new-{number:03d}", f"Fresh customer {number:02d}", text, 1, datetime.now(UTC)
        )
        site.publish(SOURCE, review)
        waiting = waiting_to_score(database_url)
        published.append(Publication(review, review.published_at.timestamp(), waiting))
        print(
            f"published {review.review_id} at {review.published_at:%H:%M:%S} "
            f"({waiting} mentions waiting to be scored)",
            flush=True,
        )
    return published


def arrival_of(publication: Publication, slack: SlackRecorder) -> float | None:
    """When the first Slack post quoting this review arrived, if one did."""
    marker = f"Complaint {publication.review.review_id[-2:]}:"
    for arrival in slack.posts():
        if marker in json.dumps(arrival.body, ensure_ascii=False):
            return arrival.at
    return None


def wait_for_alerts(
    published: Sequence[Publication], slack: SlackRecorder, limit_s: float
) -> list[float | None]:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        arrivals = [arrival_of(publication, slack) for publication in published]
        if all(arrival is not None for arrival in arrivals):
            return arrivals
        time.sleep(0.5)
    return [arrival_of(publication, slack) for publication in published]


def percentile(values: Sequence[float], share: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publications", type=int, default=12)
    parser.add_argument("--every", default="60s", help="the source's crawl interval")
    parser.add_argument("--gap-min", type=float, default=15.0)
    parser.add_argument("--gap-max", type=float, default=55.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--backlog", type=int, default=0, help="older reviews on a second source, to score"
    )
    parser.add_argument(
        "--target-p95",
        type=float,
        default=None,
        help="seconds; by default 75, or with --backlog the crawl interval + 60 for every alert",
    )
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args(argv)
    site, slack = ReviewSite(), SlackRecorder()
    now = datetime.now(UTC)
    site.publish(SOURCE, *old_reviews(now))
    if args.backlog:
        site.publish(ARCHIVE, *backlog([ARCHIVE], args.backlog, now)[ARCHIVE])
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="repwatch-fresh-")))
        stack.enter_context(site.serving())
        stack.enter_context(slack.serving())
        database_url = stack.enter_context(fresh_database(args.postgres_admin_url))
        config = write_config(
            folder / "repwatch.yaml", database_url, site, args.every, bool(args.backlog)
        )
        env = os.environ | {
            "SLACK_BOT_TOKEN": "xoxb-fresh",
            "REPWATCH_SLACK_BASE_URL": slack.base_url,
        }
        log = folder / "worker.log"
        command = [sys.executable, "-m", "repwatch.cli", "worker", "--config", str(config)]
        worker = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        stack.callback(stop, [worker])
        wait_for_backfill(database_url, worker, HISTORY + args.backlog)
        print(
            f"backfill stored ({HISTORY + args.backlog} reviews, "
            f"{waiting_to_score(database_url)} waiting to be scored, "
            f"{len(slack.posts())} Slack posts); publishing {args.publications} negative reviews",
            flush=True,
        )
        rng = random.Random(args.seed)
        gaps = (args.gap_min, args.gap_max)
        published = publish_at_random(site, args.publications, gaps, rng, database_url)
        arrivals = wait_for_alerts(published, slack, limit_s=180)
        if worker.poll() is not None:
            print(log.read_text(encoding="utf-8")[-3000:])
    latencies = [a - p.at for p, a in zip(published, arrivals, strict=True) if a is not None]
    missing = sum(arrival is None for arrival in arrivals)
    print("latencies (s): " + ", ".join(f"{latency:.1f}" for latency in latencies))
    if not latencies:
        print("no alert reached Slack")
        return 1
    p50, p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
    under_backlog = [p.waiting for p in published if p.waiting > 0]
    print(
        f"{len(under_backlog)} of {len(published)} published while mentions waited to be scored"
        + (f" (from {max(under_backlog)} down to {min(under_backlog)})" if under_backlog else "")
    )
    if args.backlog:
        target = args.target_p95 or parse_duration(args.every).total_seconds() + 60
        measured, label = max(latencies), "max"
    else:
        target = args.target_p95 or 75.0
        measured, label = p95, "p95"
    verdict = "met" if measured <= target else "NOT met"
    print(
        f"n={len(latencies)} (missing {missing}), every {args.every}: p50 {p50:.1f} s, "
        f"p95 {p95:.1f} s, max {max(latencies):.1f} s, mean {statistics.fmean(latencies):.1f} s"
        f" (target {label} <= {target:.0f} s: {verdict})"
    )
    return 0 if not missing and measured <= target else 1


if __name__ == "__main__":
    sys.exit(main())
