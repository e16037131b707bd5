"""How fast the team responded to the week's alerts, and which alerts are overdue now.

An alert counts from the moment it was raised. It is *responded to* when it was
acknowledged, or resolved without an acknowledgement. Its SLA is the target of the
playbook's first step ("acknowledge") for its severity; it was handled within the SLA
when the response came in time. An alert still waiting whose target has not passed yet
has no SLA outcome so far and is left out of the share; one whose target has passed
counts as missed. Alerts folded into an incident (status ``grouped``) never paged anyone
and are left out; so are dismissed alerts without a response time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.playbook import Playbook
from alerts.severity import Severity
from reports.weekly import brand_filter, week_bounds
from storage.models import Alert, Source

ACTIVE_STATUSES = ("open", "acknowledged")
NOT_PAGED_STATUS = "grouped"
DISMISSED_STATUS = "dismissed"
MAX_OVERDUE_LISTED = 10


@dataclass(frozen=True)
class AlertTimes:
    """What response figures need from one alert."""

    severity: str
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    status: str

    @property
    def responded_at(self) -> datetime | None:
        return self.acknowledged_at or self.resolved_at


@dataclass(frozen=True)
class ResponseStats:
    """Response figures of a group of alerts (one severity, or all); times are None
    when no alert of the group got that far."""

    severity: str
    alerts: int
    acknowledged: int
    resolved: int
    acknowledge_median: timedelta | None
    acknowledge_p90: timedelta | None
    resolve_median: timedelta | None
    resolve_p90: timedelta | None
    sla: timedelta | None
    within_sla: int
    sla_known: int

    @property
    def within_sla_share(self) -> float | None:
        """Alerts handled in time over alerts whose SLA outcome is known."""
        return self.within_sla / self.sla_known if self.sla_known else None


@dataclass(frozen=True)
class OverdueAlert:
    """An alert still open whose current playbook step is past its deadline."""

    alert_id: int
    severity: str
    kind: str
    source: str | None
    current_step: int
    due_at: datetime
    overdue_by: timedelta
    assignee: str | None


@dataclass(frozen=True)
class ResponseFigures:
    """The week's response figures per severity and overall, and the overdue alerts."""

    by_severity: list[ResponseStats]
    overall: ResponseStats
    overdue: list[OverdueAlert]
    overdue_count: int


def percentile(values: Sequence[timedelta], fraction: float) -> timedelta | None:
    """The `fraction` quantile by linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def within_sla(alert: AlertTimes, sla: timedelta, now: datetime) -> bool | None:
    """True or False once the outcome is known, None while the alert may still make it."""
    deadline = alert.created_at + sla
    if alert.responded_at is not None:
        return alert.responded_at <= deadline
    if alert.status == DISMISSED_STATUS:
        return None
    return False if now > deadline else None


def response_stats(
    severity: str,
    alerts: Sequence[AlertTimes],
    sla: timedelta | None,
    outcomes: Sequence[bool | None],
) -> ResponseStats:
    """Figures of `alerts`, given each one's SLA outcome (see `within_sla`)."""
    acknowledged = [a.acknowledged_at - a.created_at for a in alerts if a.acknowledged_at]
    resolved = [a.resolved_at - a.created_at for a in alerts if a.resolved_at]
    known = [outcome for outcome in outcomes if outcome is not None]
    return ResponseStats(
        severity=severity,
        alerts=len(alerts),
        acknowledged=len(acknowledged),
        resolved=len(resolved),
        acknowledge_median=percentile(acknowledged, 0.5),
        acknowledge_p90=percentile(acknowledged, 0.9),
        resolve_median=percentile(resolved, 0.5),
        resolve_p90=percentile(resolved, 0.9),
        sla=sla,
        within_sla=sum(known),
        sla_known=len(known),
    )


def sla_targets(playbook: Playbook) -> dict[str, timedelta]:
    """The first step's target time per severity: how fast an alert must be acknowledged."""
    return {severity.value: playbook.steps[0].due[severity] for severity in Severity}


def response_figures(
    alerts: Sequence[AlertTimes],
    targets: dict[str, timedelta],
    now: datetime,
    overdue: Sequence[OverdueAlert] = (),
    overdue_count: int = 0,
) -> ResponseFigures:
    """Figures per severity (every severity, zeros included) and over all alerts."""
    outcomes = [within_sla(alert, targets[alert.severity], now) for alert in alerts]
    by_severity = []
    for severity, sla in targets.items():
        chosen = [i for i, alert in enumerate(alerts) if alert.severity == severity]
        picked = [alerts[i] for i in chosen]
        by_severity.append(response_stats(severity, picked, sla, [outcomes[i] for i in chosen]))
    overall = response_stats("all", alerts, None, outcomes)
    return ResponseFigures(by_severity, overall, list(overdue), overdue_count)


def load_alert_times(session: Session, monday: date, brand: str | None) -> list[AlertTimes]:
    """Alerts raised in the week of `monday` that paged someone."""
    start, end = week_bounds(monday)
    stmt = (
        select(
            Alert.severity, Alert.created_at, Alert.acknowledged_at, Alert.resolved_at, Alert.status
        )
        .outerjoin(Source, Alert.source_id == Source.id)
        .where(Alert.created_at >= start, Alert.created_at < end, Alert.status != NOT_PAGED_STATUS)
        .where(*brand_filter(brand))
    )
    return [AlertTimes(*row) for row in session.execute(stmt)]


def load_overdue(
    session: Session, now: datetime, brand: str | None, limit: int = MAX_OVERDUE_LISTED
) -> tuple[list[OverdueAlert], int]:
    """The open alerts past their current deadline, most overdue first, and how many."""
    overdue = (Alert.status.in_(ACTIVE_STATUSES), Alert.due_at < now, *brand_filter(brand))
    joined = select(Alert, Source.name).outerjoin(Source, Alert.source_id == Source.id)
    rows = session.execute(joined.where(*overdue).order_by(Alert.due_at, Alert.id).limit(limit))
    count = session.scalar(
        select(func.count(Alert.id)).outerjoin(Source, Alert.source_id == Source.id).where(*overdue)
    )
    return [_overdue(alert, name, now) for alert, name in rows], int(count or 0)


def _overdue(alert: Alert, source: str | None, now: datetime) -> OverdueAlert:
    due = alert.due_at or now
    return OverdueAlert(
        alert_id=alert.id,
        severity=alert.severity,
        kind=alert.kind,
        source=source,
        current_step=alert.current_step,
        due_at=due,
        overdue_by=now - due,
        assignee=alert.assignee,
    )
