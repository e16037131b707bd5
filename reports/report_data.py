"""The whole weekly report as one value: figures, trends, themes, incidents, response, health.

`collect_weekly_report` reads everything in one session; the renderers (HTML, CSV, the
chart, the Slack digest, the terminal) only format this value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from alerts.playbook import Playbook
from reports.health import SourceHealth, load_source_health
from reports.incidents import IncidentSummary, load_incidents
from reports.outputs import source_trends
from reports.response import (
    ResponseFigures,
    load_alert_times,
    load_overdue,
    response_figures,
    sla_targets,
)
from reports.themes import Theme, find_themes, load_background, load_negatives
from reports.trends import Trend, trends
from reports.weekly import (
    WeekRow,
    WeekTotal,
    iso_label,
    week_bounds,
    weekly_figures,
    weekly_totals,
)
from sentiment.terms import ignored_terms


@dataclass(frozen=True)
class WeeklyReport:
    """Everything one weekly report shows. `week` is the Monday of the report week, the
    last of the `weeks` weeks of the window; `brand` None means every source."""

    title: str
    brand: str | None
    week: date
    weeks: int
    generated_at: datetime
    rows: list[WeekRow]
    totals: list[WeekTotal]
    themes: list[Theme]
    incidents: list[IncidentSummary]
    response: ResponseFigures
    health: list[SourceHealth]
    total_trends: list[Trend] = field(init=False)
    row_trends: dict[tuple[str, str], Trend] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_trends", trends(self.totals))
        object.__setattr__(self, "row_trends", source_trends(self.rows))

    @property
    def iso_label(self) -> str:
        """The report week as ISO 8601 writes it, e.g. ``2026-W47``."""
        return iso_label(self.week)

    @property
    def week_end(self) -> date:
        """The Sunday that ends the report week."""
        return self.week + timedelta(days=6)

    @property
    def complete(self) -> bool:
        """Whether the report week had ended when the report was made."""
        return self.generated_at >= week_bounds(self.week)[1]

    @property
    def current(self) -> WeekTotal:
        """The totals of the report week (zeros when no source exists)."""
        if self.totals:
            return self.totals[-1]
        return WeekTotal(self.week, 0, 0, 0, 0, None, None)

    @property
    def current_trend(self) -> Trend:
        """The report week against the week before and the average of the earlier weeks."""
        return self.total_trends[-1] if self.total_trends else Trend(None, None)

    @property
    def week_rows(self) -> list[tuple[WeekRow, Trend]]:
        """Each source's figures in the report week with its trend, busiest first."""
        rows = [row for row in self.rows if row.week_start == self.week]
        rows.sort(key=lambda row: (-row.mentions, row.source))
        return [(row, self.row_trends[row.iso_label, row.source]) for row in rows]

    @property
    def has_data(self) -> bool:
        """Whether any mention fell in the window."""
        return any(total.mentions for total in self.totals)


def collect_weekly_report(
    session: Session,
    *,
    title: str,
    week: date,
    weeks: int,
    brand: str | None,
    playbook: Playbook,
    now: datetime,
    brand_words: Iterable[str] = (),
) -> WeeklyReport:
    """Read the report of the week of Monday `week` and the `weeks` - 1 weeks before it.

    `brand_words` (the brand's name and keywords) never become theme labels.
    """
    rows = weekly_figures(session, weeks=weeks, brand=brand, now=week_bounds(week)[0])
    negatives = load_negatives(session, week, brand)
    background = load_background(session, week - timedelta(weeks=weeks - 1), weeks, brand)
    overdue, overdue_count = load_overdue(session, now, brand)
    alerts = load_alert_times(session, week, brand)
    return WeeklyReport(
        title=title,
        brand=brand,
        week=week,
        weeks=weeks,
        generated_at=now,
        rows=rows,
        totals=weekly_totals(rows),
        themes=find_themes(negatives, background, ignore=ignored_terms(brand_words)),
        incidents=load_incidents(session, week, brand),
        response=response_figures(alerts, sla_targets(playbook), now, overdue, overdue_count),
        health=load_source_health(session, week, brand),
    )
