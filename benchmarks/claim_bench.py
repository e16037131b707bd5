"""Time the scoring claim and the backlog count with 1,000,000 scored mentions stored.

    .venv/bin/python -m benchmarks.claim_bench [--mentions N] [--skip-sqlite]

Every worker pass asks which mentions wait for a score (`claim_mentions_to_score`) and
every metrics refresh counts them. The database holds `--mentions` scored mentions
(generated and bulk-loaded as in `benchmarks.report_bench`) and a backlog of 200 new
ones. In the same run it times, as the median of 7 calls each:

* the naive baseline, the query repwatch used before ``mentions.needs_score``: every
  mention joined to its score, kept when it has none or one for another text;
* the claim and the count as repwatch runs them now (the ``needs_score`` partial index).

Both must find the same mentions. PostgreSQL uses a throwaway database, dropped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, func, select, text, update
from sqlalchemy.orm import Session

from benchmarks.report_bench import Plan, load_postgres, load_sqlite
from reports.weekly import week_start
from storage.db import session_scope
from storage.migrate import upgrade
from storage.models import Mention, Score, utcnow
from storage.repository import claim_mentions_to_score
from storage.testing import throwaway_postgres_database

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKLOG = 200
CLAIM = 256  # what one worker claims per transaction (repwatch.steps.SCORE_CHUNK)
REPEATS = 7


def naive_waiting(limit: int | None) -> Select[Any]:
    """The join the scoring claim used before `needs_score`."""
    stmt = (
        select(Mention.id)
        .outerjoin(Score, Score.mention_id == Mention.id)
        .where((Score.id.is_(None)) | and_(Score.content_hash != Mention.content_hash))
        .order_by(Mention.id)
    )
    return stmt.limit(limit) if limit else stmt


def prepare(url: str, plan: Plan) -> None:
    """Mark the loaded (scored) mentions as such and add a backlog of new ones."""
    with session_scope(url) as session:
        session.execute(update(Mention).values(needs_score=False))
        now = utcnow()
        session.add_all(
            Mention(
                source_id=1,
                external_id=f"backlog-{n}",
                text=f"new mention {n}",
                content_hash=f"new-{n}",
                published_at=now,
            )
            for n in range(BACKLOG)
        )
    with session_scope(url) as session:
        session.execute(text("ANALYZE"))


def median_ms(url: str, action: Callable[[Session], Any]) -> tuple[float, Any]:
    """Median milliseconds of `action` in its own transaction (rolled back), and its result."""
    times, result = [], None
    for _ in range(REPEATS):
        with session_scope(url) as session:
            started = time.perf_counter()
            result = action(session)
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()
    return statistics.median(times), result


def measure(url: str, label: str) -> None:
    naive_claim = naive_waiting(CLAIM).with_for_update(of=Mention, skip_locked=True)
    old_ms, old_ids = median_ms(url, lambda s: list(s.scalars(naive_claim)))
    new_ms, claimed = median_ms(
        url, lambda s: [m.id for m in claim_mentions_to_score(s, CLAIM) or []]
    )
    assert old_ids == claimed and len(claimed) == BACKLOG, (len(old_ids), len(claimed))
    count_naive = select(func.count()).select_from(naive_waiting(None).subquery())
    old_count_ms, old_count = median_ms(url, lambda s: s.scalar(count_naive))
    count_now = select(func.count()).where(Mention.needs_score)
    new_count_ms, new_count = median_ms(url, lambda s: s.scalar(count_now))
    assert old_count == new_count == BACKLOG
    print(
        f"{label:10} claim {CLAIM}: naive join {old_ms:8.1f} ms  needs_score {new_ms:6.1f} ms "
        f"({old_ms / new_ms:,.0f}x) | backlog count: naive {old_count_ms:8.1f} ms  "
        f"needs_score {new_count_ms:6.1f} ms ({old_count_ms / new_count_ms:,.0f}x)"
    )


def bench_sqlite(plan: Plan, folder: Path) -> None:
    path = folder / "claim.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    load_sqlite(path, plan)
    prepare(url, plan)
    measure(url, "sqlite")


def bench_postgres(plan: Plan) -> None:
    with throwaway_postgres_database(POSTGRES_ADMIN_URL, prefix="repwatch_claim") as url:
        load_postgres(url, plan)
        prepare(url, plan)
        measure(url, "postgresql")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)
    end = datetime.combine(week_start(datetime.now(UTC)), datetime.min.time(), UTC)
    plan = Plan(args.mentions, 52, end)
    print(f"{args.mentions:,} scored mentions and {BACKLOG} waiting; median of {REPEATS} calls")
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            bench_sqlite(plan, Path(folder))
    bench_postgres(plan)


if __name__ == "__main__":
    main()
