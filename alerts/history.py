"""What deciding needs to know from before this pass, read from the database.

Recent negative mentions (those with an alert row) for recurrence and similar-complaint
grouping, the incidents that may still take members, and each source's negative
mention times for spike detection (every scored mention counts here, including a first
backfill that was never alerted: that is the baseline).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, joinedload

from alerts.incidents import DAY, Item, KnownIncident, Volume
from alerts.severity import Severity
from config.settings import RulesConfig, Settings
from sentiment.terms import ignored_terms, terms
from storage.models import Alert, Incident, Mention, Score

MENTION_TIME = func.coalesce(Mention.published_at, Mention.fetched_at)


@dataclass
class History:
    """Earlier negative mentions, open incidents and negative volume per source."""

    recent: list[Item]
    mentions: dict[int, Mention]
    incidents: list[KnownIncident]
    volumes: dict[int, Volume]


def mention_time(mention: Mention) -> datetime:
    """When a mention went public, or else when it was fetched."""
    return mention.published_at or mention.fetched_at


def mention_words(mention: Mention, ignore: frozenset[str]) -> dict[str, str]:
    """The terms of a mention's title and text, each with the word as written, less the
    `ignore` terms (:func:`brand_words`)."""
    return terms(f"{mention.title or ''}\n{mention.text}", ignore)


def brand_words(settings: Settings) -> frozenset[str]:
    """The terms every mention of the brand shares, so they say nothing about a theme;
    worked out once per pass, not once per mention."""
    return ignored_terms([settings.brand.name, *settings.brand.keywords])


def is_negative(rules: RulesConfig) -> ColumnElement[bool]:
    """SQL for scored mentions that can pass the rules; `decide` has the final word."""
    clauses = [Score.prob_negative >= rules.negative_threshold]
    if rules.alert_max_rating is not None:
        clauses.append(Mention.rating <= rules.alert_max_rating)
    if rules.keywords:
        clauses.append(Score.prob_negative >= rules.keyword_threshold)
    return or_(*clauses)


def load_recent(session: Session, since: datetime, ignore: frozenset[str]) -> History:
    """Mentions alerted on (any status) published since `since`, as grouping items."""
    stmt = (
        select(Alert, Mention)
        .join(Mention, Alert.mention_id == Mention.id)
        .options(joinedload(Mention.source))
        .where(Alert.kind == "mention", since <= MENTION_TIME)
        .order_by(Mention.id)
    )
    history = History([], {}, [], {})
    for alert, mention in session.execute(stmt).all():
        history.mentions[mention.id] = mention
        history.recent.append(
            Item(
                mention_id=mention.id,
                source_id=mention.source_id,
                at=mention_time(mention),
                words=mention_words(mention, ignore),
                severity=Severity(alert.severity),
                incident_id=alert.incident_id,
            )
        )
    return history


def load_incidents(session: Session, cooldown_start: datetime) -> list[KnownIncident]:
    """Open incidents, and any opened since `cooldown_start` (they hold off new spikes)."""
    stmt = select(Incident).where(
        or_(Incident.status == "open", Incident.opened_at >= cooldown_start)
    )
    return [
        KnownIncident(
            id=incident.id,
            kind=incident.kind,
            source_id=incident.source_id,
            severity=Severity(incident.severity),
            status=incident.status,
            opened_at=incident.opened_at,
            last_seen_at=incident.last_seen_at,
        )
        for incident in session.scalars(stmt)
    ]


def watched_since(session: Session, source_ids: Collection[int]) -> dict[int, datetime]:
    """When each source's oldest stored mention went public: where its history starts."""
    stmt = (
        select(Mention.source_id, func.min(MENTION_TIME))
        .where(Mention.source_id.in_(list(source_ids)))
        .group_by(Mention.source_id)
    )
    return {source_id: moment for source_id, moment in session.execute(stmt)}


def load_volumes(
    session: Session, rules: RulesConfig, source_ids: Collection[int], since: datetime
) -> dict[int, Volume]:
    """Each source's negative mention times since `since`, and where its history starts."""
    stmt = (
        select(Mention.source_id, MENTION_TIME)
        .join(Score, Score.mention_id == Mention.id)
        .where(Mention.source_id.in_(list(source_ids)), since <= MENTION_TIME)
        .where(is_negative(rules))
    )
    times: dict[int, list[datetime]] = defaultdict(list)
    for source_id, moment in session.execute(stmt):
        times[source_id].append(moment)
    starts = watched_since(session, source_ids)
    return {source: Volume(times[source], starts.get(source)) for source in source_ids}


def load_history(
    session: Session, settings: Settings, now: datetime, source_ids: Collection[int]
) -> History:
    """Everything deciding needs from before this pass."""
    config = settings.incidents
    lookback = max(config.similar_window, settings.rules.recurrence_window)
    history = load_recent(session, now - lookback, brand_words(settings))
    history.incidents = load_incidents(session, now - config.cooldown)
    baseline_start = now - config.spike_window - config.baseline_days * DAY
    history.volumes = load_volumes(session, settings.rules, source_ids, baseline_start)
    return history
