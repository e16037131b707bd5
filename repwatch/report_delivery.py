"""The weekly report as files and as a Slack digest: shared by `repwatch report` and the worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from alerts.playbook import load_playbook
from config.settings import Settings
from reports.chart import render_chart
from reports.exceptions import ReportDatabaseError
from reports.html import write_html
from reports.outputs import write_csv
from reports.post import queue_digest
from reports.report_data import WeeklyReport, collect_weekly_report
from reports.summary import report_title, summary_title
from storage.db import session_scope


@dataclass(frozen=True)
class ReportFiles:
    """The report and the files written for it."""

    report: WeeklyReport
    csv_path: Path
    chart_path: Path
    html_path: Path


def build_weekly_report(
    settings: Settings, monday: date, *, weeks: int, brand: str | None, out: Path, now: datetime
) -> ReportFiles:
    """Collect the report and write ``weekly.csv``, ``weekly.png`` and ``weekly.html``."""
    shown = brand or settings.brand.name
    try:
        with session_scope(settings.database_url) as session:
            report = collect_weekly_report(
                session,
                title=report_title(shown),
                week=monday,
                weeks=weeks,
                brand=brand,
                playbook=load_playbook(settings.playbook),
                now=now,
                brand_words=[shown, settings.brand.name, *settings.brand.keywords],
            )
    except DBAPIError as exc:
        raise ReportDatabaseError(
            f"cannot read the database ({exc.orig}); run `repwatch db upgrade` if it is new"
        ) from exc
    out.mkdir(parents=True, exist_ok=True)
    csv_path = write_csv(report.rows, out / "weekly.csv")
    chart_path = render_chart(report.totals, out / "weekly.png", summary_title(shown))
    html_path = write_html(report, chart_path, out / "weekly.html")
    return ReportFiles(report, csv_path, chart_path, html_path)


def queue_weekly_digest(settings: Settings, files: ReportFiles, now: datetime) -> int | None:
    """Queue the digest once per week and brand; its outbox id, or None if queued before."""
    with session_scope(settings.database_url) as session:
        return queue_digest(
            session,
            files.report,
            channel=settings.slack.channel,
            chart_path=files.chart_path,
            now=now,
        )
