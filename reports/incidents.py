"""Incidents of the report week: every incident open at some moment of the week.

An incident belongs to the week when it opened before the week ended and was not
resolved before the week began; `new` tells the ones that opened in the week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from reports.weekly import week_bounds
from storage.models import Alert, Incident, Source

MAX_THEME_WORDS = 4
INCIDENT_ALERT_KIND = "incident"


@dataclass(frozen=True)
class IncidentSummary:
    """One incident as the report shows it; `title` and `source` are untrusted text."""

    incident_id: int
    kind: str
    severity: str
    status: str
    title: str
    source: str | None
    mentions: int
    opened_at: datetime
    resolved_at: datetime | None
    acknowledged_at: datetime | None
    new: bool

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        return None if self.acknowledged_at is None else self.acknowledged_at - self.opened_at

    @property
    def time_to_resolve(self) -> timedelta | None:
        return None if self.resolved_at is None else self.resolved_at - self.opened_at


def incident_title(kind: str, theme: Sequence[Any], source: str | None) -> str:
    """What an incident is about, in a few words."""
    words = ", ".join(str(word) for word in list(theme)[:MAX_THEME_WORDS])
    if kind == "spike":
        where = f" on {source}" if source else ""
        return f"spike of negative mentions{where}" + (f": {words}" if words else "")
    return f"similar complaints: {words}" if words else "similar complaints"


def load_incidents(session: Session, monday: date, brand: str | None) -> list[IncidentSummary]:
    """Incidents open during the week of `monday`, the most severe and oldest first."""
    start, end = week_bounds(monday)
    acknowledged = (
        select(Alert.incident_id, func.min(Alert.acknowledged_at).label("at"))
        .where(Alert.kind == INCIDENT_ALERT_KIND)
        .group_by(Alert.incident_id)
        .subquery()
    )
    stmt = (
        select(Incident, Source.name, acknowledged.c.at)
        .outerjoin(Source, Incident.source_id == Source.id)
        .outerjoin(acknowledged, acknowledged.c.incident_id == Incident.id)
        .where(Incident.opened_at < end)
        .where(or_(Incident.resolved_at.is_(None), Incident.resolved_at >= start))
        .order_by(Incident.severity, Incident.opened_at, Incident.id)
    )
    if brand is not None:
        stmt = stmt.where(or_(Source.brand == brand, Incident.source_id.is_(None)))
    return [_summary(row[0], row[1], row[2], start) for row in session.execute(stmt)]


def _summary(
    incident: Incident, source: str | None, acknowledged_at: datetime | None, start: datetime
) -> IncidentSummary:
    return IncidentSummary(
        incident_id=incident.id,
        kind=incident.kind,
        severity=incident.severity,
        status=incident.status,
        title=incident_title(incident.kind, incident.theme or [], source),
        source=source,
        mentions=incident.mention_count,
        opened_at=incident.opened_at,
        resolved_at=incident.resolved_at,
        acknowledged_at=acknowledged_at,
        new=incident.opened_at >= start,
    )
