"""Plain outputs of the weekly figures: a CSV file and a table for the terminal."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from reports import formatting as fmt
from reports.trends import Delta, Trend, trends
from reports.weekly import WeekRow, WeekTotal

CSV_COLUMNS = (
    "iso_week",
    "week_start",
    "brand",
    "source",
    "mentions",
    "negative",
    "negative_pct",
    "mean_score",
    "mean_rating",
    "mentions_vs_prev",
    "negative_pp_vs_prev",
    "mean_score_vs_prev",
    "mentions_pct_vs_avg",
    "negative_pp_vs_avg",
    "mean_score_vs_avg",
)


def source_trends(rows: Sequence[WeekRow]) -> dict[tuple[str, str], Trend]:
    """The trend of every (ISO week label, source) in `rows`, each source its own series."""
    series: dict[str, list[WeekRow]] = defaultdict(list)
    for row in rows:
        series[row.source].append(row)
    found: dict[tuple[str, str], Trend] = {}
    for source, weeks in series.items():
        for week, trend in zip(weeks, trends(weeks), strict=True):
            found[week.iso_label, source] = trend
    return found


def write_csv(rows: Sequence[WeekRow], path: Path) -> Path:
    """Write one line per week and source, with its changes; unknown values are empty."""
    found = source_trends(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(_csv_record(row, found[row.iso_label, row.source]) for row in rows)
    return path


def _csv_record(row: WeekRow, trend: Trend) -> tuple[str, ...]:
    return (
        row.iso_label,
        row.week_start.isoformat(),
        row.brand,
        row.source,
        str(row.mentions),
        str(row.negative),
        f"{row.negative_share * 100:.1f}",
        _number(row.mean_score, 3),
        _number(row.mean_rating, 2),
        *_change_cells(trend.vs_previous, absolute=True),
        *_change_cells(trend.vs_average, absolute=False),
    )


def _change_cells(change: Delta | None, *, absolute: bool) -> tuple[str, str, str]:
    """Mentions (a count, or a percentage against an average), share in pp, mean score."""
    if change is None:
        return "", "", ""
    mentions = change.mentions if absolute else _points(change.mentions_pct)
    return (
        _number(mentions, 0 if absolute else 1),
        _number(_points(change.negative_share), 1),
        _number(change.mean_score, 3),
    )


def _points(share: float | None) -> float | None:
    return None if share is None else share * 100


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def render_summary_table(
    totals: Sequence[WeekTotal], console: Console, title: str = "Weekly mentions"
) -> Table:
    """Print the weekly totals as a table (and return it); says "no data" when empty."""
    table = Table(title=title, box=box.SIMPLE_HEAD)
    for column in ("week", "mentions", "negative", "% negative", "mean score", "change"):
        table.add_column(column, justify="left" if column == "week" else "right", no_wrap=True)
    for total, trend in zip(totals, trends(totals), strict=True):
        table.add_row(*_table_cells(total, trend.vs_previous))
    if not any(total.mentions for total in totals):
        table.caption = "no data: no mentions in these weeks"
    console.print(table)
    return table


def _table_cells(total: WeekTotal, previous: Delta | None) -> tuple[str, ...]:
    return (
        total.iso_label,
        str(total.mentions),
        str(total.negative),
        fmt.share(total.negative_share if total.mentions else None),
        fmt.number(total.mean_score),
        describe_change(previous),
    )


def describe_change(change: Delta | None) -> str:
    """The change against the week before, e.g. ``+3, neg +5.0pp`` (pp: percentage points)."""
    if change is None:
        return fmt.UNKNOWN
    text = f"{change.mentions:+.0f}"
    if change.negative_share is not None:
        text += f", neg {change.negative_share * 100:+.1f}pp"
    return text
