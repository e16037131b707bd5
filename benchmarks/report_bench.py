"""Time the weekly report on 1,000,000 mentions over 52 weeks, on SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.report_bench [--mentions N] [--skip-postgres]

The data is generated (seeded) and bulk-loaded into a fresh database of each kind: a
SQLite file (PRAGMA synchronous=OFF, for loading speed in this benchmark only) and a
throwaway PostgreSQL database ``repwatch_bench`` (COPY), dropped at the end. It then
times, in the same run:

* the weekly figures of all 52 weeks aggregated in SQL (`reports.weekly.weekly_figures`);
* the naive baseline: every mention with its score loaded into Python and aggregated
  there, checked to give the same figures;
* the whole report as `repwatch report weekly` collects it (figures, themes, incidents,
  response, source health), for 8 and for 52 weeks.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from alerts.playbook import load_playbook
from reports.report_data import WeeklyReport, collect_weekly_report
from reports.weekly import WeekRow, last_complete_week, week_bounds, week_start, weekly_figures
from storage.db import get_engine, session_scope
from storage.migrate import upgrade
from storage.models import Mention, Score, Source

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "repwatch_bench"
SOURCES = [(f"acme-{n:02d}", "Acme") for n in range(18)] + [
    (f"globex-{n}", "Globex") for n in (1, 2)
]
LABELS = (("negative", 0.3, -0.7), ("neutral", 0.2, 0.0), ("positive", 0.5, 0.7))
# Complaint and praise fragments; two of a kind make one mention's text.
NEGATIVE_EN = """the lid leaks
it stopped working
support never answered
late delivery
the base overheats
a refund was refused
the handle broke
it smells of burning""".splitlines()
NEGATIVE_KO = """물이 샙니다
고장났어요
고객센터 연락이 안 돼요
배송이 늦어요
환불 거절
과열 문제""".splitlines()
POSITIVE = """boils fast
quiet and elegant
great value
빨리 끓어요
디자인이 예뻐요
works well""".splitlines()
# Column lists as they go into INSERT and COPY statements.
SOURCE_COLUMNS = (
    "id, name, kind, url, brand, every_seconds, enabled, status, consecutive_failures, created_at"
)
MENTION_COLUMNS = (
    "id, source_id, external_id, url, author, text, rating, lang, published_at, fetched_at, "
    "updated_at, content_hash"
)
SCORE_COLUMNS = (
    "mention_id, model, label, prob_negative, prob_neutral, prob_positive, score, confidence, "
    "content_hash, scored_at"
)
ALERT_COLUMNS = (
    "alert_key, kind, mention_id, source_id, severity, reasons, status, current_step, due_at, "
    "created_at, acknowledged_at, resolved_at"
)
RUN_COLUMNS = (
    "source_id, started_at, finished_at, items, new_items, updated_items, errors, outcome, "
    "error_summary"
)
SLA = {"P1": 15, "P2": 60, "P3": 240, "P4": 1440}  # minutes to acknowledge, as the playbook
CHUNK = 50_000


@dataclass(frozen=True)
class Plan:
    """What to generate: `mentions` spread evenly over the `weeks` weeks ending at `end`."""

    mentions: int
    weeks: int
    end: datetime
    seed: int = 7

    @property
    def start(self) -> datetime:
        return self.end - timedelta(weeks=self.weeks)


def _texts() -> dict[str, list[str]]:
    negative = [f"{a}, and {b}." for a in NEGATIVE_EN for b in NEGATIVE_EN if a != b]
    negative += [f"{a}. {b}." for a in NEGATIVE_KO for b in NEGATIVE_KO if a != b]
    positive = [f"Acme kettle: {a}, {b}." for a in POSITIVE for b in POSITIVE if a != b]
    return {
        "negative": negative,
        "neutral": ["It is a kettle.", "그냥 그래요."],
        "positive": positive,
    }


def generate(plan: Plan) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """(mention row, score row) pairs; 2 % of mentions have no published date."""
    rng = random.Random(plan.seed)
    texts, span = _texts(), (plan.end - plan.start).total_seconds()
    weights = [weight for _, weight, _ in LABELS]
    for number in range(1, plan.mentions + 1):
        at = plan.start + timedelta(seconds=rng.random() * span)
        label, _, centre = rng.choices(LABELS, weights)[0]
        words = rng.choice(texts[label])
        published = None if rng.random() < 0.02 else at
        rating = float(rng.randint(1, 5)) if rng.random() < 0.6 else None
        mention = (
            number,
            rng.randint(1, len(SOURCES)),
            f"b{number}",
            f"https://r.example/{number}",
            f"user{number % 997}",
            words,
            rating,
            "ko" if ord(words[0]) > 127 else "en",
            published,
            at,
            at,
            f"h{number}",
        )
        score = max(-1.0, min(1.0, centre + rng.uniform(-0.3, 0.3)))
        probs = (0.8, 0.1, 0.1) if label == "negative" else (0.1, 0.3, 0.6)
        yield mention, (number, "bench", label, *probs, score, 0.8, f"h{number}", at)


def alert_rows(plan: Plan, every: int = 50) -> Iterator[tuple[Any, ...]]:
    """One alert per `every` mentions, acknowledged and resolved after random delays."""
    rng = random.Random(plan.seed + 1)
    span = (plan.end - plan.start).total_seconds()
    for number in range(1, plan.mentions // every + 1):
        created = plan.start + timedelta(seconds=rng.random() * span)
        severity = rng.choice(("P1", "P2", "P3", "P4"))
        ack = created + timedelta(minutes=rng.expovariate(1 / 45)) if rng.random() < 0.85 else None
        resolved = (
            ack + timedelta(hours=rng.expovariate(1 / 6)) if ack and rng.random() < 0.7 else None
        )
        status = "resolved" if resolved else "acknowledged" if ack else "open"
        yield (
            f"bench-{number}",
            "mention",
            number * every,
            rng.randint(1, len(SOURCES)),
            severity,
            "[]",
            status,
            1,
            created + timedelta(minutes=SLA[severity]),
            created,
            ack,
            resolved,
        )


def run_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    """Two crawl runs a day per source; one in fifty fails."""
    rng = random.Random(plan.seed + 2)
    for day in range(plan.weeks * 7):
        for source_id in range(1, len(SOURCES) + 1):
            for hour in (3, 15):
                started = plan.start + timedelta(days=day, hours=hour)
                failed = rng.random() < 0.02
                yield (
                    source_id,
                    started,
                    started + timedelta(seconds=20),
                    40,
                    5,
                    0,
                    3 if failed else 0,
                    "failed" if failed else "ok",
                    "HTTP 503" if failed else None,
                )


def chunks(rows: Iterator[tuple[Any, ...]], size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def source_rows(now: datetime) -> list[tuple[Any, ...]]:
    return [
        (n, name, "rss", f"https://{name}.example/feed", brand, 3600, True, "ok", 0, now)
        for n, (name, brand) in enumerate(SOURCES, start=1)
    ]


def _sqlite_value(value: Any) -> Any:
    # The format SQLAlchemy's SQLite DateTime stores: naive UTC with microseconds.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def load_sqlite(path: Path, plan: Plan) -> None:
    """Bulk-insert the generated rows with executemany of plain tuples."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    insert = _sqlite_inserter(connection)
    insert("sources", SOURCE_COLUMNS, [source_rows(plan.end)])
    for batch in chunks(generate(plan)):
        insert("mentions", MENTION_COLUMNS, [[m for m, _ in batch]])
        insert("scores", SCORE_COLUMNS, [[s for _, s in batch]])
    insert("alerts", ALERT_COLUMNS, chunks(alert_rows(plan)))
    insert("crawl_runs", RUN_COLUMNS, chunks(run_rows(plan)))
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()


def _sqlite_inserter(connection: sqlite3.Connection) -> Callable[..., None]:
    def insert(table: str, columns: str, batches: Any) -> None:
        marks = ", ".join("?" * (columns.count(",") + 1))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        for batch in batches:
            connection.executemany(sql, [tuple(map(_sqlite_value, row)) for row in batch])

    return insert


def load_postgres(url: str, plan: Plan) -> None:
    """Bulk-load the generated rows with COPY."""
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        _copy(cursor, "sources", SOURCE_COLUMNS, iter(source_rows(plan.end)))
        # COPY streams one table at a time: the seeded rows are generated twice.
        _copy(cursor, "mentions", MENTION_COLUMNS, (m for m, _ in generate(plan)))
        _copy(cursor, "scores", SCORE_COLUMNS, (s for _, s in generate(plan)))
        _copy(cursor, "alerts", ALERT_COLUMNS, alert_rows(plan))
        _copy(cursor, "crawl_runs", RUN_COLUMNS, run_rows(plan))
        cursor.execute(
            "SELECT setval('sources_id_seq', 100), setval('mentions_id_seq', %s)",
            (plan.mentions + 1,),
        )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def _copy(cursor: Any, table: str, columns: str, rows: Iterator[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def naive_figures(session: Session) -> dict[tuple[date, str], tuple[int, int, float | None]]:
    """The baseline: load every mention with its score and aggregate in Python."""
    stmt = (
        select(Mention.published_at, Mention.fetched_at, Source.name, Score.label, Score.score)
        .join(Source, Mention.source_id == Source.id)
        .outerjoin(Score, Score.mention_id == Mention.id)
        .where(Source.brand == "Acme")
    )
    counts: dict[tuple[date, str], list[Any]] = defaultdict(lambda: [0, 0, []])
    for published, fetched, name, label, score in session.execute(stmt):
        figures = counts[week_start(published or fetched), name]
        figures[0] += 1
        figures[1] += label == "negative"
        if score is not None:
            figures[2].append(score)
    return {
        key: (n, neg, statistics.fmean(s) if s else None) for key, (n, neg, s) in counts.items()
    }


def sql_figures(rows: list[WeekRow]) -> dict[tuple[date, str], tuple[int, int, float | None]]:
    return {
        (r.week_start, r.source): (r.mentions, r.negative, r.mean_score) for r in rows if r.mentions
    }


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _report(session: Session, week: date, weeks: int, now: datetime) -> WeeklyReport:
    return collect_weekly_report(
        session,
        title="Acme",
        week=week,
        weeks=weeks,
        brand="Acme",
        playbook=load_playbook(),
        now=now,
        brand_words=["Acme"],
    )


def measure(url: str, plan: Plan, label: str) -> None:
    """Time the SQL aggregate, the naive baseline and the whole report on one database."""
    week, now = last_complete_week(plan.end), plan.end
    in_week = week_bounds(week)[0]
    with session_scope(url) as session:
        sql_s, rows = timed(
            lambda: weekly_figures(session, weeks=plan.weeks, brand="Acme", now=in_week)
        )
        naive_s, naive = timed(lambda: naive_figures(session))
        same = _same(sql_figures(rows), naive)
        for weeks in (8, plan.weeks):
            report_s, report = timed(partial(_report, session, week, weeks, now))
            print(
                f"{label:10} whole report, {weeks:2} weeks: {report_s:7.2f} s  "
                f"({report.current.mentions} mentions in {report.iso_label}, "
                f"{len(report.themes)} themes)"
            )
    print(f"{label:10} SQL aggregate, {plan.weeks} weeks: {sql_s:7.2f} s")
    print(f"{label:10} naive baseline (load all rows): {naive_s:7.2f} s   same figures: {same}")


def _same(sql: dict[Any, Any], naive: dict[Any, Any]) -> bool:
    if sql.keys() != naive.keys():
        return False
    return all(
        s[:2] == n[:2]
        and (s[2] is None) == (n[2] is None)
        and abs((s[2] or 0) - (n[2] or 0)) < 1e-9
        for s, n in ((sql[key], naive[key]) for key in sql)
    )


def bench_sqlite(plan: Plan, folder: Path) -> None:
    path = folder / "bench.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    get_engine(url).dispose()
    load_s, _ = timed(lambda: load_sqlite(path, plan))
    size = path.stat().st_size >> 20
    print(f"sqlite     load {plan.mentions:,} mentions: {load_s:7.1f} s ({size} MiB)")
    measure(url, plan, "sqlite")
    get_engine(url).dispose()


def bench_postgres(plan: Plan, admin_url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    url = admin_url.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    try:
        upgrade(url)
        load_s, _ = timed(lambda: load_postgres(url, plan))
        print(f"postgresql load {plan.mentions:,} mentions: {load_s:7.1f} s")
        measure(url, plan, "postgresql")
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        admin.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args(argv)
    end = datetime.combine(week_start(datetime.now(UTC)), datetime.min.time(), UTC)
    plan = Plan(args.mentions, args.weeks, end)
    print(
        f"{args.mentions:,} mentions over {args.weeks} weeks ending {end:%Y-%m-%d}, "
        f"{len(SOURCES)} sources, {args.mentions // 50:,} alerts"
    )
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="repwatch-bench-") as folder:
            bench_sqlite(plan, Path(folder))
    if not args.skip_postgres:
        bench_postgres(plan, args.postgres_admin_url)


if __name__ == "__main__":
    main()
