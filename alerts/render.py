"""Stored alert rows to Slack messages: the same rendering when raised and when updated."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from alerts.exceptions import AlertNotFoundError
from alerts.incident_blocks import MAX_EVIDENCE, incident_message
from alerts.mention_blocks import alert_message
from alerts.playbook import Playbook
from alerts.rules import Decision, is_safety_alert
from alerts.severity import Severity
from alerts.view import (
    AlertState,
    AlertView,
    IncidentView,
    RelatedView,
    build_alert_view,
    related_view,
    step_views,
)
from storage.models import Alert, Incident, Mention

MAX_RELATED = 5


def alert_state(alert: Alert) -> AlertState:
    """The response progress stored on an alert."""
    return AlertState(
        alert_id=alert.id,
        status=alert.status,
        assignee=alert.assignee,
        acknowledged_by=alert.acknowledged_by,
        acknowledged_at=alert.acknowledged_at,
        resolved_by=alert.resolved_by,
        resolved_at=alert.resolved_at,
        incident_id=alert.incident_id if alert.kind == "mention" else None,
    )


def _mentions(session: Session, ids: list[int]) -> list[Mention]:
    if not ids:
        return []
    stmt = select(Mention).options(joinedload(Mention.source)).where(Mention.id.in_(ids))
    found = {mention.id: mention for mention in session.scalars(stmt)}
    return [found[mention_id] for mention_id in ids if mention_id in found]


def mention_alert_view(session: Session, alert: Alert, playbook: Playbook, brand: str) -> AlertView:
    """The view of a stored alert on one mention."""
    mention = alert.mention
    if mention is None or mention.score is None:
        raise AlertNotFoundError(f"alert {alert.id}: its mention or score is gone")
    decision = Decision(Severity(alert.severity), list(alert.reasons))
    related = _mentions(session, [int(i) for i in (alert.related or [])][:MAX_RELATED])
    return build_alert_view(
        mention,
        mention.score,
        decision,
        playbook,
        brand=brand,
        start=alert.created_at,
        current_step=alert.current_step,
        state=alert_state(alert),
        related=[related_view(item) for item in related],
    )


def incident_evidence(session: Session, incident_id: int, limit: int) -> list[Mention]:
    """The incident's member mentions, most severe first, then newest first."""
    stmt = (
        select(Mention)
        .join(Alert, Alert.mention_id == Mention.id)
        .options(joinedload(Mention.source))
        .where(Alert.incident_id == incident_id, Alert.kind == "mention")
        .order_by(Alert.severity, Mention.published_at.desc(), Mention.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def incident_alert_view(
    session: Session, alert: Alert, playbook: Playbook, brand: str
) -> IncidentView:
    """The view of a stored incident alert with its evidence."""
    incident = alert.incident
    if incident is None:
        raise AlertNotFoundError(f"alert {alert.id}: its incident is gone")
    members = incident_evidence(session, incident.id, MAX_EVIDENCE)
    lang = _majority_language(playbook, members)
    severity = Severity(alert.severity)
    return IncidentView(
        severity=severity,
        kind=incident.kind,
        source_name=_source_name(incident),
        theme=[str(word) for word in incident.theme],
        reasons=list(alert.reasons),
        mention_count=incident.mention_count,
        evidence=[related_view(member) for member in members],
        steps=step_views(playbook, severity, lang, alert.created_at),
        current_step=alert.current_step,
        lang=lang,
        opened_at=incident.opened_at,
        drafted_reply=playbook.draft_reply(
            lang, None, brand, safety=is_safety_alert(list(alert.reasons))
        ),
        state=alert_state(alert),
    )


def _source_name(incident: Incident) -> str:
    return incident.source.name if incident.source is not None else "several sources"


def _majority_language(playbook: Playbook, members: list[Mention]) -> str:
    counts = Counter(playbook.language(member.lang) for member in members)
    return counts.most_common(1)[0][0] if counts else playbook.language(None)


def render_alert(session: Session, alert: Alert, playbook: Playbook, brand: str) -> dict[str, Any]:
    """The Slack message (text, blocks, no unfurling) for a stored alert as it stands now."""
    if alert.kind == "incident":
        return incident_message(incident_alert_view(session, alert, playbook, brand))
    return alert_message(mention_alert_view(session, alert, playbook, brand))


def evidence_views(mentions: list[Mention]) -> list[RelatedView]:
    """Mentions as evidence lines."""
    return [related_view(mention) for mention in mentions]
