"""Queue the weekly digest in the outbox, once per ISO week and brand.

The dedup key makes a rerun (a crash, a second worker, a manual run) never post twice;
the sender delivers it with the alerts, at the lowest priority.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from alerts.severity import Severity
from delivery.outbox import enqueue
from reports.digest import digest_message
from reports.exceptions import IncompleteWeekError
from reports.report_data import WeeklyReport

ALL_BRANDS = "all"


def digest_key(iso_week: str, brand: str | None) -> str:
    """The outbox dedup key of one week's digest, e.g. ``report:weekly:2026-W47:Acme``."""
    return f"report:weekly:{iso_week}:{brand or ALL_BRANDS}"


def queue_digest(
    session: Session, report: WeeklyReport, *, channel: str, chart_path: Path | None, now: datetime
) -> int | None:
    """Queue the digest of a complete week; its outbox id, or None when already queued.

    A week still in progress is refused: posting it would use up the week's key before the
    week's figures are final.
    """
    if not report.complete:
        raise IncompleteWeekError(
            f"{report.iso_label} is still in progress; post a week that has ended"
        )
    return enqueue(
        session,
        dedup_key=digest_key(report.iso_label, report.brand),
        channel=channel,
        payload=digest_message(report, chart_path),
        priority=Severity.P4.priority,
        now=now,
    )
