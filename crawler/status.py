"""Each configured source's health as stored after its last run, for ``repwatch status``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import SourceConfig
from crawler.health import usual_gap
from storage.models import CrawlRun, Mention, Source


@dataclass(frozen=True)
class SourceHealth:
    """One source: its status (new / ok / quiet / broken) and the facts behind it."""

    name: str
    kind: str
    enabled: bool
    status: str
    last_run_at: datetime | None
    newest_item_at: datetime | None
    usual_gap: timedelta | None
    consecutive_failures: int
    last_run: CrawlRun | None


def read_source_health(session: Session, configured: Iterable[SourceConfig]) -> list[SourceHealth]:
    """The health of each configured source, in configuration order."""
    rows = {source.name: source for source in session.scalars(select(Source))}
    return [_health(session, config, rows.get(config.name)) for config in configured]


def _health(session: Session, config: SourceConfig, row: Source | None) -> SourceHealth:
    if row is None:
        return SourceHealth(
            config.name, config.kind, config.enabled, "new", None, None, None, 0, None
        )
    published = list(
        session.scalars(
            select(Mention.published_at)
            .where(Mention.source_id == row.id, Mention.published_at.is_not(None))
            .order_by(Mention.published_at.desc())
            .limit(50)
        )
    )
    dates = [date for date in published if date is not None]
    last_run = session.scalars(
        select(CrawlRun).where(CrawlRun.source_id == row.id).order_by(CrawlRun.id.desc()).limit(1)
    ).first()
    return SourceHealth(
        name=row.name,
        kind=row.kind,
        enabled=config.enabled,
        status=row.status,
        last_run_at=row.last_run_at,
        newest_item_at=max(dates, default=None),
        usual_gap=usual_gap(dates),
        consecutive_failures=row.consecutive_failures,
        last_run=last_run,
    )
