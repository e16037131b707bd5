"""`repwatch report …`: the weekly sentiment report (HTML, CSV, PNG chart, Slack digest)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from repwatch.commands.common import ConfigOption, exit_on_failure, settings_or_exit

if TYPE_CHECKING:
    from rich.console import Console

    from config.settings import Settings
    from repwatch.report_delivery import ReportFiles

app = typer.Typer(help="Weekly sentiment trends.", no_args_is_help=True)

DEFAULT_OUT = Path("reports-out")
CURRENT_WEEK = "current"


@app.callback()
def report() -> None:
    """Reports on what repwatch collected."""


@app.command()
def weekly(
    weeks: Annotated[int, typer.Option(min=1, max=520, help="ISO weeks to cover.")] = 8,
    brand: Annotated[
        str | None, typer.Option(help="Only sources of this brand (default: every source).")
    ] = None,
    week: Annotated[
        str | None,
        typer.Option(help="Report week, e.g. 2026-W47, or 'current' (default: the last ended)."),
    ] = None,
    out: Annotated[
        Path, typer.Option(file_okay=False, help="Folder for weekly.html, .csv and .png.")
    ] = DEFAULT_OUT,
    post: Annotated[bool, typer.Option(help="Send the digest and chart to Slack.")] = False,
    config: ConfigOption = None,
) -> None:
    """Write weekly.html, weekly.csv and weekly.png, print the summary, optionally post it."""
    from rich.console import Console

    from repwatch.report_delivery import build_weekly_report

    now = datetime.now(UTC)
    monday = report_week(week, now, post=post)
    settings = settings_or_exit(config)
    console = Console()
    with exit_on_failure("weekly report"):
        files = build_weekly_report(settings, monday, weeks=weeks, brand=brand, out=out, now=now)
    print_report(files, console)
    if post:
        with exit_on_failure("posting the weekly digest"):
            post_digest(settings, files, console, now)


def report_week(option: str | None, now: datetime, *, post: bool) -> date:
    """The Monday of the week asked for; a bad or unfinished one is a usage error."""
    from reports.exceptions import InvalidReportRangeError
    from reports.weekly import last_complete_week, parse_iso_week, week_start

    current = week_start(now)
    if option is None:
        return last_complete_week(now)
    try:
        monday = current if option.strip().lower() == CURRENT_WEEK else parse_iso_week(option)
    except InvalidReportRangeError as exc:
        raise typer.BadParameter(str(exc), param_hint="--week") from exc
    if monday > current:
        raise typer.BadParameter(f"{option} has not started yet", param_hint="--week")
    if post and monday == current:
        raise typer.BadParameter("--post needs a week that has ended", param_hint="--week")
    return monday


def print_report(files: ReportFiles, console: Console) -> None:
    """The weekly table, the themes and response in one line each, and the files."""
    from reports.outputs import render_summary_table

    report = files.report
    render_summary_table(report.totals, console, title=f"{report.title} · {report.iso_label}")
    themes = ", ".join(f"{theme.label} ({theme.count})" for theme in report.themes) or "none"
    troubled = sum(health.needs_attention for health in report.health)
    console.print(f"top negative themes: {themes}", highlight=False, markup=False)
    console.print(
        f"incidents: {len(report.incidents)} · alerts: {report.response.overall.alerts}"
        f" · open overdue: {report.response.overdue_count} · sources needing a look: {troubled}"
    )
    console.print(f"HTML:  {files.html_path}", highlight=False, markup=False)
    console.print(f"CSV:   {files.csv_path}", highlight=False, markup=False)
    console.print(f"chart: {files.chart_path}", highlight=False, markup=False)


def post_digest(settings: Settings, files: ReportFiles, console: Console, now: datetime) -> None:
    """Queue the digest once per week and brand, then deliver the outbox."""
    from repwatch.report_delivery import queue_weekly_digest
    from repwatch.steps import send

    queued = queue_weekly_digest(settings, files, now)
    if queued is None:
        console.print(f"digest for {files.report.iso_label} was queued before; not posted again")
    result = send(settings, console)
    console.print(f"outbox: {result.sent} sent, {result.failed} failed, {result.pending} pending")
