"""`repwatch rules test`: replay the rules over stored mentions without sending anything.

The replay walks through the period one step (an hour by default, like a worker on an
hourly schedule) at a time: the mentions published in each step are decided with what
came before them, and incidents form as they would have. Mentions published before
the period only fill the spike baseline. Nothing is written to the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from alerts.history import MENTION_TIME, History, is_negative, mention_time, watched_since
from alerts.incidents import Item, KnownIncident, NewIncident, Plan, Volume, plan_incidents
from alerts.rules import decide
from alerts.service import decide_batch
from config.settings import Settings
from storage.models import Mention, Score

DEFAULT_STEP = timedelta(hours=1)


@dataclass
class ReplayResult:
    """What the rules would have done over the period."""

    since: datetime
    until: datetime
    mentions: int = 0
    alerts: Counter[str] = field(default_factory=Counter)
    incidents: Counter[str] = field(default_factory=Counter)
    grouped: int = 0

    @property
    def total(self) -> int:
        """Messages that would have paged someone."""
        return sum(self.alerts.values()) + sum(self.incidents.values())


@dataclass
class _State:
    recent: list[Item] = field(default_factory=list)
    incidents: list[KnownIncident] = field(default_factory=list)
    volumes: dict[int, Volume] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=lambda: count(1))


def load_scored(
    session: Session, settings: Settings, since: datetime
) -> list[tuple[Mention, Score]]:
    """Scored mentions (on their current text) that can pass the rules, oldest first."""
    stmt = (
        select(Mention, Score)
        .join(Score, Score.mention_id == Mention.id)
        .options(joinedload(Mention.source))
        .where(Score.content_hash == Mention.content_hash, since <= MENTION_TIME)
        .where(is_negative(settings.rules))
        .order_by(MENTION_TIME, Mention.id)
    )
    return [(mention, score) for mention, score in session.execute(stmt)]


def replay_rules(
    session: Session,
    settings: Settings,
    since: datetime,
    until: datetime,
    step: timedelta = DEFAULT_STEP,
) -> ReplayResult:
    """Count the alerts and incident alerts the rules would have sent between the dates."""
    config = settings.incidents
    lookback = config.spike_window + config.baseline_days * timedelta(days=1)
    rows = load_scored(session, settings, since - lookback)
    state = _State(volumes=_volumes(session, rows, settings))
    result = ReplayResult(since, until)
    pending = [row for row in rows if mention_time(row[0]) >= since]
    result.mentions = len(pending)
    moment = since
    while pending and moment < until:
        moment = min(moment + step, until)
        batch = [row for row in pending if mention_time(row[0]) <= moment]
        pending = pending[len(batch) :]
        if batch:
            _tick(batch, state, settings, moment, result)
    return result


def _volumes(
    session: Session, rows: list[tuple[Mention, Score]], settings: Settings
) -> dict[int, Volume]:
    times: dict[int, list[datetime]] = {}
    for mention, score in rows:
        if decide(mention, score, settings.rules) is not None:
            times.setdefault(mention.source_id, []).append(mention_time(mention))
    starts = watched_since(session, {mention.source_id for mention, _ in rows})
    return {source: Volume(found, starts.get(source)) for source, found in times.items()}


def _tick(
    batch: list[tuple[Mention, Score]],
    state: _State,
    settings: Settings,
    now: datetime,
    result: ReplayResult,
) -> None:
    lookback = max(settings.incidents.similar_window, settings.rules.recurrence_window)
    state.recent = [item for item in state.recent if item.at >= now - lookback]
    visible = {
        source: replace(volume, times=[t for t in volume.times if t <= now])
        for source, volume in state.volumes.items()
    }
    candidates = decide_batch(batch, History(state.recent, {}, [], {}), settings)
    grouping_start = now - settings.incidents.similar_window
    plan = plan_incidents(
        [candidate.item for candidate in candidates],
        [item for item in state.recent if item.at >= grouping_start],
        state.incidents,
        visible,
        settings.incidents,
        now,
    )
    items = [candidate.item for candidate in candidates]
    _count(plan, items, result)
    _remember(plan, items, state, now)


def _count(plan: Plan, items: list[Item], result: ReplayResult) -> None:
    result.alerts.update(item.severity.value for item in plan.pages)
    result.incidents.update(incident.severity.value for incident in plan.incidents)
    paging = {item.mention_id for item in plan.pages}
    result.grouped += sum(
        1 for item in items if item.mention_id in plan.membership and item.mention_id not in paging
    )


def _remember(plan: Plan, items: list[Item], state: _State, now: datetime) -> None:
    """Keep what this step decided, as the database would have."""
    ids = {id(new): next(state.ids) for new in plan.incidents}
    for new in plan.incidents:
        state.incidents.append(_known(ids[id(new)], new, now))
    for incident_id in plan.joined:
        state.incidents = [
            replace(known, last_seen_at=now) if known.id == incident_id else known
            for known in state.incidents
        ]
    linked = {item.mention_id: ids[id(new)] for new in plan.incidents for item in new.linked}
    state.recent = [
        replace(item, incident_id=linked.get(item.mention_id, item.incident_id))
        for item in state.recent
    ]
    for item in items:
        ref = plan.membership.get(item.mention_id)
        member_of = ids[id(ref)] if isinstance(ref, NewIncident) else ref
        state.recent.append(replace(item, new=False, incident_id=member_of))


def _known(incident_id: int, new: NewIncident, now: datetime) -> KnownIncident:
    return KnownIncident(
        id=incident_id,
        kind=new.kind,
        source_id=new.source_id,
        severity=new.severity,
        status="open",
        opened_at=now,
        last_seen_at=now,
    )
