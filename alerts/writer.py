"""Writing one decided pass: incident rows, alert rows and their queued Slack messages.

Every insert is keyed (``incident_key``, ``alert_key``, ``dedup_key``), so a rerun or
a second worker deciding the same mentions creates nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.candidate import Candidate, mention_alert_key
from alerts.incident_blocks import joined_message
from alerts.incidents import IncidentRef, Item, NewIncident, Plan, most_severe
from alerts.playbook import Playbook, deadline
from alerts.render import render_alert
from alerts.routing import alert_address, alert_event, source_name
from alerts.rules import describe_duration, is_safety_alert, safety_incident_reason
from alerts.severity import Severity
from alerts.view import related_view
from config.settings import Settings
from delivery.outbox import enqueue, insert_new
from storage.models import Alert, Incident


class AlertWriter:
    """Writes the outcome of one pass in the caller's transaction."""

    def __init__(self, session: Session, settings: Settings, playbook: Playbook, now: datetime):
        self.session = session
        self.settings = settings
        self.playbook = playbook
        self.now = now

    def write(self, batch: Sequence[Candidate], plan: Plan) -> int:
        """Store alerts and incidents and queue messages; returns the alerts that page."""
        incident_ids = {id(new): self._open_incident(new) for new in plan.incidents}
        paging = {item.mention_id for item in plan.pages}
        to_page = []
        for candidate in batch:
            ref = plan.membership.get(candidate.mention.id)
            incident_id = self._resolve(ref, incident_ids)
            pages = candidate.mention.id in paging
            alert_id = self._insert_mention_alert(candidate, incident_id, pages)
            if alert_id is not None and pages:
                to_page.append(alert_id)
        for new in plan.incidents:
            self._link(incident_ids[id(new)], new.linked)
        self.session.flush()
        raised = [self._raise_incident(incident_ids[id(new)], new, batch) for new in plan.incidents]
        for alert_id in to_page:
            self._queue(alert_id)
        mentions = {candidate.mention.id: candidate for candidate in batch}
        for incident_id, items in plan.joined.items():
            self._announce_join(incident_id, items, mentions)
        return len(to_page) + sum(raised)

    def write_copies(self, copies: Sequence[tuple[Candidate, int]]) -> None:
        """Syndicated copies: an alert row each that names the original, no message."""
        for candidate, original_id in copies:
            values = {
                "alert_key": mention_alert_key(candidate.mention.id),
                "kind": "mention",
                "mention_id": candidate.mention.id,
                "source_id": candidate.mention.source_id,
                "severity": candidate.decision.severity.value,
                "reasons": [
                    *candidate.decision.reasons,
                    f"same text as mention {original_id} on another source: linked, not alerted",
                ],
                "status": "grouped",
                "current_step": 1,
                "created_at": self.now,
                "related": [original_id],
            }
            insert_new(self.session, Alert, values, "alert_key")

    @staticmethod
    def _resolve(ref: IncidentRef | None, incident_ids: dict[int, int]) -> int | None:
        if isinstance(ref, NewIncident):
            return incident_ids[id(ref)]
        return ref

    def _insert_mention_alert(
        self, candidate: Candidate, incident_id: int | None, pages: bool
    ) -> int | None:
        severity = candidate.decision.severity
        values = {
            "alert_key": mention_alert_key(candidate.mention.id),
            "kind": "mention",
            "mention_id": candidate.mention.id,
            "source_id": candidate.mention.source_id,
            "severity": severity.value,
            "reasons": list(candidate.decision.reasons),
            "status": "open" if pages else "grouped",
            "current_step": 1,
            "due_at": self._first_deadline(severity) if pages else None,
            "created_at": self.now,
            "incident_id": incident_id,
            "related": candidate.related,
        }
        return insert_new(self.session, Alert, values, "alert_key")

    def _first_deadline(self, severity: Severity) -> datetime:
        return deadline(self.playbook.steps[0], severity, self.now)

    def _open_incident(self, new: NewIncident) -> int:
        first = min(item.mention_id for item in [*new.members, *new.linked])
        key = f"{new.kind}:{new.source_id or 'any'}:{first}"
        values = {
            "incident_key": key,
            "kind": new.kind,
            "source_id": new.source_id,
            "severity": new.severity.value,
            "status": "open",
            "theme": new.theme,
            "stats": asdict(new.stats) if new.stats else None,
            "mention_count": new.mention_count,
            "opened_at": self.now,
            "last_seen_at": self.now,
        }
        created = insert_new(self.session, Incident, values, "incident_key")
        if created is not None:
            return created
        return int(
            self.session.scalars(select(Incident.id).where(Incident.incident_key == key)).one()
        )

    def _link(self, incident_id: int, linked: Iterable[Item]) -> None:
        ids = [item.mention_id for item in linked]
        if ids:
            self.session.execute(
                update(Alert)
                .where(Alert.kind == "mention", Alert.mention_id.in_(ids))
                .where(Alert.incident_id.is_(None))
                .values(incident_id=incident_id)
                .execution_options(synchronize_session=False)
            )

    def _raise_incident(
        self, incident_id: int, new: NewIncident, batch: Sequence[Candidate]
    ) -> bool:
        values = {
            "alert_key": f"incident:{incident_id}",
            "kind": "incident",
            "incident_id": incident_id,
            "source_id": new.source_id,
            "severity": new.severity.value,
            "reasons": self._incident_reasons(new, batch),
            "status": "open",
            "current_step": 1,
            "due_at": self._first_deadline(new.severity),
            "created_at": self.now,
        }
        alert_id = insert_new(self.session, Alert, values, "alert_key")
        if alert_id is None:
            return False
        self._queue(alert_id)
        return True

    def _incident_reasons(self, new: NewIncident, batch: Sequence[Candidate]) -> list[str]:
        config = self.settings.incidents
        if new.stats is not None:
            reasons = [new.stats.describe(describe_duration(config.spike_window))]
        else:
            window = describe_duration(config.similar_window)
            reasons = [f"{new.mention_count} similar complaints in the last {window}"]
        strongest = most_severe([*new.members, *new.linked])
        reasons.append(f"one level above its most severe complaint ({strongest.value})")
        members = {item.mention_id for item in new.members}
        risks = sorted({w for c in batch if c.mention.id in members for w in c.decision.risk_words})
        safety = [
            c for c in batch if c.mention.id in members and is_safety_alert(c.decision.reasons)
        ]
        if safety:
            reasons.append(safety_incident_reason(len(safety)))
        if risks:
            reasons.append("risk words: " + ", ".join(risks))
        return reasons

    def _queue(self, alert_id: int) -> None:
        alert = self.session.get(Alert, alert_id)
        if alert is None:
            return
        source = source_name(self.session, alert)
        payload = render_alert(self.session, alert, self.playbook, self.settings.brand.name)
        enqueue(
            self.session,
            dedup_key=f"alert:{alert.alert_key}",
            channel=alert_address(self.settings, alert.severity, source),
            payload=payload | {"event": alert_event(alert, source)},
            priority=Severity(alert.severity).priority,
            alert_id=alert.id,
            now=self.now,
        )

    def _announce_join(
        self, incident_id: int, items: Sequence[Item], batch: dict[int, Candidate]
    ) -> None:
        incident = self.session.get(Incident, incident_id)
        alert = self.session.scalars(
            select(Alert).where(Alert.alert_key == f"incident:{incident_id}")
        ).first()
        if incident is None or alert is None:
            return
        incident.mention_count += len(items)
        incident.last_seen_at = self.now
        evidence = [related_view(batch[item.mention_id].mention) for item in items]
        payload = joined_message(len(items), evidence) | {"in_thread": True}
        enqueue(
            self.session,
            dedup_key=f"incident:{incident_id}:joined:{min(i.mention_id for i in items)}",
            channel=self.settings.slack.channel,
            payload=payload,
            priority=Severity(alert.severity).priority,
            alert_id=alert.id,
            now=self.now,
        )
