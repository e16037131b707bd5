"""Weekly figures per ISO week and source, aggregated by the database.

`weekly_figures` returns one `WeekRow` per (week, source) for every week of the range,
zero-filled where a source had no mentions; `weekly_totals` sums them across sources.
A mention belongs to the week it was published in, or fetched in when its source gives
no date.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from reports.buckets import iso_week_start
from reports.exceptions import InvalidReportRangeError
from storage.models import Mention, Score, Source

NEGATIVE_LABEL = "negative"


def iso_label(monday: date) -> str:
    """The ISO week of `monday` as ISO 8601 writes it, e.g. ``2026-W47``."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class WeekFigures:
    """What is counted for one week; means are None when nothing was scored or rated."""

    week_start: date
    mentions: int
    negative: int
    scored: int
    rated: int
    mean_score: float | None
    mean_rating: float | None

    @property
    def iso_year(self) -> int:
        return self.week_start.isocalendar().year

    @property
    def iso_week(self) -> int:
        return self.week_start.isocalendar().week

    @property
    def iso_label(self) -> str:
        """The week as ISO 8601 writes it, e.g. ``2026-W47``."""
        return iso_label(self.week_start)

    @property
    def negative_share(self) -> float:
        """Negative mentions over all mentions (0..1); 0 when there were none."""
        return self.negative / self.mentions if self.mentions else 0.0


@dataclass(frozen=True)
class WeekRow(WeekFigures):
    """The figures of one source (of one brand) in one week."""

    source: str
    brand: str = ""

    @classmethod
    def empty(cls, week_start: date, source: str, brand: str = "") -> WeekRow:
        """A week in which the source had no mentions."""
        return cls(week_start, 0, 0, 0, 0, None, None, source, brand)


@dataclass(frozen=True)
class WeekTotal(WeekFigures):
    """The figures of one week summed across sources."""


def week_start(moment: datetime) -> date:
    """The Monday (UTC) of the ISO week holding the aware datetime `moment`."""
    if moment.tzinfo is None:
        raise InvalidReportRangeError("now must be a timezone-aware datetime")
    today = moment.astimezone(UTC).date()
    return today - timedelta(days=today.weekday())


def last_complete_week(now: datetime) -> date:
    """The Monday of the last ISO week that has ended at `now`: what a weekly report covers."""
    return week_start(now) - timedelta(weeks=1)


def parse_iso_week(label: str) -> date:
    """The Monday of an ISO week written like ``2026-W47``."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", label.strip())
    if match is None:
        raise InvalidReportRangeError(f"{label!r} is not an ISO week; write it like 2026-W47")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise InvalidReportRangeError(f"{label!r}: {exc}") from exc


def week_bounds(monday: date, weeks: int = 1) -> tuple[datetime, datetime]:
    """The UTC instants where the week of `monday` starts and `weeks` weeks later end."""
    start = datetime.combine(monday, time(), UTC)
    return start, start + timedelta(weeks=weeks)


def week_time() -> ColumnElement[datetime]:
    """The time that places a mention in a week: published, else fetched."""
    return func.coalesce(Mention.published_at, Mention.fetched_at)


def published_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Mentions whose week time lies in [start, end).

    Measured on a million mentions (docs/benchmarks.md), a sequential scan on this
    expression beats the index on ``published_at`` for windows of 8 to 52 weeks on both
    databases; an expression index on it would serve narrow windows best.
    """
    return and_(week_time() >= start, week_time() < end)


def brand_filter(brand: str | None) -> list[ColumnElement[bool]]:
    """The WHERE clauses that keep the sources of `brand` (none when it is None)."""
    return [] if brand is None else [Source.brand == brand]


def report_weeks(weeks: int, now: datetime) -> list[date]:
    """The Mondays of the `weeks` ISO weeks ending with the one holding `now`, oldest first."""
    if weeks < 1:
        raise InvalidReportRangeError(f"weeks must be at least 1, got {weeks}")
    current = week_start(now)
    return [current - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def weekly_figures(
    session: Session, *, weeks: int = 8, brand: str | None = None, now: datetime | None = None
) -> list[WeekRow]:
    """Figures per ISO week and source, oldest week first; [] when no source exists.

    Every enabled source has a row each week (zeros when it had no mentions); a disabled
    source appears when it had mentions in the window.
    """
    mondays = report_weeks(weeks, now or datetime.now(UTC))
    sources = _sources(session, brand)
    found = {
        (row.week_start, row.source_id): row
        for row in session.execute(_aggregate(*week_bounds(mondays[0], len(mondays))))
        if row.source_id in sources
    }
    shown = {id_ for id_, source in sources.items() if source.enabled}
    shown.update(source_id for _, source_id in found)
    ordered = sorted(shown, key=lambda id_: sources[id_].name)
    return [
        _week_row(found.get((monday, id_)), monday, sources[id_])
        for monday in mondays
        for id_ in ordered
    ]


def _aggregate(start: datetime, end: datetime) -> Select[Any]:
    """Counts and means per week and source id, over every source.

    Grouping by the mention's own ``source_id`` without joining ``sources`` keeps SQLite on
    one sequential scan; the brand is applied to the few result rows instead.
    """
    week = iso_week_start(week_time()).label("week_start")
    return (
        select(
            week,
            Mention.source_id,
            func.count(Mention.id).label("mentions"),
            func.sum(case((Score.label == NEGATIVE_LABEL, 1), else_=0)).label("negative"),
            func.count(Score.id).label("scored"),
            func.count(Mention.rating).label("rated"),
            func.avg(Score.score).label("mean_score"),
            func.avg(Mention.rating).label("mean_rating"),
        )
        .outerjoin(Score, Score.mention_id == Mention.id)
        .where(published_between(start, end))
        .group_by(week, Mention.source_id)
    )


def _week_row(row: Any, monday: date, source: Source) -> WeekRow:
    if row is None:
        return WeekRow.empty(monday, source.name, source.brand)
    return WeekRow(
        week_start=monday,
        source=source.name,
        brand=source.brand,
        mentions=int(row.mentions),
        negative=int(row.negative or 0),
        scored=int(row.scored),
        rated=int(row.rated),
        mean_score=_optional_float(row.mean_score),
        mean_rating=_optional_float(row.mean_rating),
    )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _sources(session: Session, brand: str | None) -> dict[int, Source]:
    """The sources of `brand` (every source when None) by id."""
    sources = session.scalars(select(Source).where(*brand_filter(brand)))
    return {source.id: source for source in sources}


def weekly_totals(rows: Iterable[WeekRow]) -> list[WeekTotal]:
    """Sum rows across sources per week, oldest first."""
    by_week: dict[date, list[WeekRow]] = defaultdict(list)
    for row in rows:
        by_week[row.week_start].append(row)
    return [_total(monday, by_week[monday]) for monday in sorted(by_week)]


def _total(monday: date, rows: list[WeekRow]) -> WeekTotal:
    return WeekTotal(
        week_start=monday,
        mentions=sum(row.mentions for row in rows),
        negative=sum(row.negative for row in rows),
        scored=sum(row.scored for row in rows),
        rated=sum(row.rated for row in rows),
        mean_score=weighted_mean((row.mean_score, row.scored) for row in rows),
        mean_rating=weighted_mean((row.mean_rating, row.rated) for row in rows),
    )


def weighted_mean(pairs: Iterable[tuple[float | None, int]]) -> float | None:
    """The mean of means weighted by their counts; None when no weight is known."""
    known = [(mean, weight) for mean, weight in pairs if mean is not None and weight > 0]
    weight = sum(w for _, w in known)
    return sum(mean * w for mean, w in known) / weight if weight else None
