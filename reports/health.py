"""Source health of the report week: each source's status and its crawl runs that week.

A source is *quiet* when it fetches fine but brings nothing new, *broken* when its
crawls fail (see `crawler`); runs that failed or counted errors in the week show too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from reports.weekly import brand_filter, week_bounds
from storage.models import CrawlRun, Source

PROBLEM_STATUSES = frozenset({"quiet", "broken"})
FAILED_OUTCOME = "failed"


@dataclass(frozen=True)
class SourceHealth:
    """One source in the report week; `last_error` is untrusted text."""

    source: str
    kind: str
    enabled: bool
    status: str
    runs: int
    failed_runs: int
    errors: int
    new_items: int
    last_run_at: datetime | None
    last_item_at: datetime | None
    last_error: str | None

    @property
    def needs_attention(self) -> bool:
        """Quiet or broken now, or failing or erring during the week."""
        return self.status in PROBLEM_STATUSES or self.failed_runs > 0 or self.errors > 0


def load_source_health(session: Session, monday: date, brand: str | None) -> list[SourceHealth]:
    """Every source of `brand` (all when None) with its crawl runs of the week, by name."""
    start, end = week_bounds(monday)
    in_week = (CrawlRun.started_at >= start, CrawlRun.started_at < end)
    runs = (
        select(
            CrawlRun.source_id,
            func.count(CrawlRun.id).label("runs"),
            func.sum(case((CrawlRun.outcome == FAILED_OUTCOME, 1), else_=0)).label("failed"),
            func.coalesce(func.sum(CrawlRun.errors), 0).label("errors"),
            func.coalesce(func.sum(CrawlRun.new_items), 0).label("new_items"),
        )
        .where(*in_week)
        .group_by(CrawlRun.source_id)
        .subquery()
    )
    stmt = (
        select(Source, runs.c.runs, runs.c.failed, runs.c.errors, runs.c.new_items)
        .outerjoin(runs, runs.c.source_id == Source.id)
        .where(*brand_filter(brand))
        .order_by(Source.name)
    )
    errors = _last_errors(session, start, end)
    return [_health(row, errors.get(row[0].id)) for row in session.execute(stmt)]


def _last_errors(session: Session, start: datetime, end: datetime) -> dict[int, str]:
    """The latest error summary of each source's runs in [start, end)."""
    stmt = (
        select(CrawlRun.source_id, CrawlRun.error_summary)
        .where(CrawlRun.started_at >= start, CrawlRun.started_at < end)
        .where(CrawlRun.error_summary.is_not(None))
        .order_by(CrawlRun.started_at)
    )
    return {source_id: summary for source_id, summary in session.execute(stmt) if summary}


def _health(row: Any, error: str | None) -> SourceHealth:
    source, runs, failed, errors, new_items = row
    return SourceHealth(
        source=source.name,
        kind=source.kind,
        enabled=source.enabled,
        status=source.status,
        runs=int(runs or 0),
        failed_runs=int(failed or 0),
        errors=int(errors or 0),
        new_items=int(new_items or 0),
        last_run_at=source.last_run_at,
        last_item_at=source.last_item_at,
        last_error=error,
    )
