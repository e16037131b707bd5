"""Where an alert goes, and the alert as data for destinations that are not Slack.

An alert goes to the first route (the configuration's ``routes``) that takes its
severity and source, else to ``slack.channel``: a Slack channel, or ``webhook:NAME``.
Follow-ups queued ``in_thread`` (an incident's new complaints, reminders) go where the
alert's own message went (delivery/outbox.py, ``thread_target``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from config.settings import Settings
from storage.models import Alert, Source


def alert_address(settings: Settings, severity: str, source: str | None) -> str:
    """The address of an alert of `severity` from `source` (None: several sources)."""
    for route in settings.routes:
        if route.matches(severity, source):
            return route.to
    return settings.slack.channel


def source_name(session: Session, alert: Alert) -> str | None:
    """The name of the alert's source; None for an incident spanning several."""
    source = session.get(Source, alert.source_id) if alert.source_id is not None else None
    return source.name if source is not None else None


def alert_event(alert: Alert, source: str | None) -> dict[str, Any]:
    """The alert as plain data: what a webhook receiver reads instead of Block Kit."""
    mention = alert.mention
    return {
        "alert_key": alert.alert_key,
        "kind": alert.kind,
        "severity": alert.severity,
        "source": source,
        "reasons": list(alert.reasons),
        "url": mention.url if mention is not None else None,
        "due_at": alert.due_at.isoformat() if alert.due_at is not None else None,
        "created_at": alert.created_at.isoformat(),
    }
