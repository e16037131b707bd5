"""Crawl runs and source health, written when a spider closes.

The numbers come from the crawl's stats: the store pipeline counts
``repwatch/items/{new,updated,unchanged}``, spiders count parse errors, empty
pages and failed requests, the block-page middleware counts ``repwatch/blocked``,
Scrapy counts responses per HTTP status. The health rules live in
:mod:`crawler.health`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.health import BROKEN, health_status, overdue, usual_gap
from crawler.job import CrawlSummary
from storage.models import CrawlRun, Mention, Source, utcnow
from storage.repository import MentionData

FAILURES = "repwatch/request_failures"
PARSE_ERRORS = "repwatch/parse_errors"
# Payloads read all the same (a feed that is not well-formed XML): logged, not an error.
PARSE_WARNINGS = "repwatch/parse_warnings"
BLOCKED = "repwatch/blocked"
EMPTY_PAGES = "repwatch/empty_pages"
# A kind's API credentials are not set; ``MISSING_CREDENTIALS/<VARIABLE>`` names them.
MISSING_CREDENTIALS = "repwatch/missing_credentials"
ERROR_STATS = {
    PARSE_ERRORS: "parse errors",
    FAILURES: "failed requests",
    MISSING_CREDENTIALS: "missing credentials",
    BLOCKED: "block pages",
    "repwatch/store_errors": "store errors",
    "spider_exceptions/count": "spider exceptions",
}
STATUS_PREFIX = "downloader/response_status_count/"


@dataclass(frozen=True)
class RunCounts:
    """The numbers of one run, read from its crawl stats."""

    new_items: int
    updated_items: int
    unchanged_items: int
    errors: int
    status_counts: dict[str, int]
    error_summary: str | None
    blocked: int = 0
    empty_pages: int = 0

    @property
    def items(self) -> int:
        return self.new_items + self.updated_items + self.unchanged_items

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any]) -> RunCounts:
        return cls(
            new_items=int(stats.get("repwatch/items/new", 0)),
            updated_items=int(stats.get("repwatch/items/updated", 0)),
            unchanged_items=int(stats.get("repwatch/items/unchanged", 0)),
            errors=sum(int(stats.get(key, 0)) for key in ERROR_STATS),
            status_counts=_prefixed(stats, STATUS_PREFIX),
            error_summary=describe_errors(stats),
            blocked=int(stats.get(BLOCKED, 0)),
            empty_pages=int(stats.get(EMPTY_PAGES, 0)),
        )


def _prefixed(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {key[len(prefix) :]: int(v) for key, v in stats.items() if key.startswith(prefix)}


def describe_errors(stats: Mapping[str, Any]) -> str | None:
    """A short line such as "2 parse errors; 1 failed requests (http_404: 1)"."""
    parts = []
    for key, label in ERROR_STATS.items():
        count = int(stats.get(key, 0))
        if count:
            parts.append(f"{count} {label}{_detail(stats, key)}")
    if int(stats.get(EMPTY_PAGES, 0)):
        parts.append("the page held no items")
    return "; ".join(parts) or None


def _detail(stats: Mapping[str, Any], key: str) -> str:
    """What failed requests failed of ("http_404: 1"), which credentials are missing."""
    if key == MISSING_CREDENTIALS:
        return " (set " + " and ".join(sorted(_prefixed(stats, key + "/"))) + ")"
    if key != FAILURES:
        return ""
    kinds = _prefixed(stats, FAILURES + "/")
    return " (" + ", ".join(f"{kind}: {n}" for kind, n in sorted(kinds.items())) + ")"


def source_status(counts: RunCounts, had_mentions: bool, is_overdue: bool = True) -> str:
    """The source's health after a run with these numbers (see :mod:`crawler.health`)."""
    return health_status(
        errors=counts.errors,
        empty_page=counts.empty_pages > 0,
        had_mentions=had_mentions,
        new_items=counts.new_items,
        overdue=is_overdue,
    )


@dataclass(frozen=True)
class RunContext:
    """What the store pipeline knew when the run started."""

    source_id: int
    started_at: datetime
    first_run: bool
    backfill_window: timedelta

    def is_backfill(self, data: MentionData) -> bool:
        """On a first run, mentions older than the window (or undated) are history."""
        if not self.first_run:
            return False
        published = data.published_at
        return published is None or published < self.started_at - self.backfill_window


def record_run(session: Session, context: RunContext, stats: Mapping[str, Any]) -> CrawlSummary:
    """Write the `crawl_runs` row, update the source's health; return the summary."""
    counts = RunCounts.from_stats(stats)
    finished_at = utcnow()
    source = session.get_one(Source, context.source_id)
    published = _recent_publication_dates(session, context.source_id)
    is_overdue = overdue(max(published, default=None), usual_gap(published), finished_at)
    status = source_status(counts, bool(published) or _has_mentions(session, source), is_overdue)
    run = _crawl_run(context, finished_at, counts)
    session.add(run)
    became_broken = status == BROKEN and source.status != BROKEN
    _update_health(source, status, finished_at, counts)
    session.flush()
    return _summary(source.name, run, status, counts, context, became_broken)


def _recent_publication_dates(session: Session, source_id: int) -> list[datetime]:
    stmt = (
        select(Mention.published_at)
        .where(Mention.source_id == source_id, Mention.published_at.is_not(None))
        .order_by(Mention.published_at.desc())
        .limit(50)
    )
    return [published for published in session.scalars(stmt) if published is not None]


def _has_mentions(session: Session, source: Source) -> bool:
    return (
        session.scalar(select(Mention.id).where(Mention.source_id == source.id).limit(1))
        is not None
    )


def _crawl_run(context: RunContext, finished_at: datetime, counts: RunCounts) -> CrawlRun:
    return CrawlRun(
        source_id=context.source_id,
        started_at=context.started_at,
        finished_at=finished_at,
        items=counts.items,
        new_items=counts.new_items,
        updated_items=counts.updated_items,
        errors=counts.errors,
        status_counts=counts.status_counts,
        duration_s=(finished_at - context.started_at).total_seconds(),
        outcome="failed" if counts.errors else "ok",
        error_summary=counts.error_summary,
    )


def _update_health(source: Source, status: str, finished_at: datetime, counts: RunCounts) -> None:
    source.status = status
    source.last_run_at = finished_at
    source.consecutive_failures = source.consecutive_failures + 1 if status == BROKEN else 0
    if counts.new_items:
        source.last_item_at = finished_at


def _summary(
    name: str,
    run: CrawlRun,
    status: str,
    counts: RunCounts,
    context: RunContext,
    became_broken: bool,
) -> CrawlSummary:
    backfill_before = context.started_at - context.backfill_window if context.first_run else None
    return CrawlSummary(
        source=name,
        outcome=run.outcome or "failed",
        source_status=status,
        items=counts.items,
        new_items=counts.new_items,
        updated_items=counts.updated_items,
        unchanged_items=counts.unchanged_items,
        errors=counts.errors,
        status_counts=counts.status_counts,
        duration_s=round(run.duration_s or 0.0, 3),
        crawl_run_id=run.id,
        error_summary=counts.error_summary,
        blocked=counts.blocked,
        first_run=context.first_run,
        became_broken=became_broken,
        backfill_before=backfill_before.isoformat() if backfill_before else None,
    )
