"""The weekly summary as the terminal shows it (`repwatch report weekly`, `repwatch demo`)."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from sqlalchemy.orm import Session

from reports.outputs import render_summary_table
from reports.weekly import WeekTotal, weekly_figures, weekly_totals


def summary_title(brand: str | None) -> str:
    """The title of the table and the chart."""
    return f"{brand}: weekly mentions" if brand else "weekly mentions"


def report_title(brand: str) -> str:
    """The title of the weekly report page and digest."""
    return f"{brand} weekly report"


def print_weekly_summary(
    session: Session,
    console: Console,
    *,
    brand: str | None = None,
    weeks: int = 6,
    now: datetime | None = None,
) -> list[WeekTotal]:
    """Print the weekly totals of `brand` (every source when None) and return them."""
    totals = weekly_totals(weekly_figures(session, weeks=weeks, brand=brand, now=now))
    render_summary_table(totals, console, title=summary_title(brand))
    return totals
