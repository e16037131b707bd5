"""Deciding over stored rows: scored mentions become alerts, incidents and outbox messages.

One pass: read the scored mentions that have no alert yet, decide each one (with its
recurrence among recent negative mentions), plan incidents (`alerts.incidents`), then
write alerts and queue their messages (`alerts.writer`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, joinedload

from alerts.candidate import Candidate, mention_alert_key_column
from alerts.history import (
    MENTION_TIME,
    History,
    brand_words,
    is_negative,
    load_history,
    mention_time,
    mention_words,
)
from alerts.incidents import Item, plan_incidents, similar_neighbours
from alerts.playbook import Playbook, load_playbook
from alerts.rules import Recurrence, decide
from alerts.syndication import split_syndicated
from alerts.writer import AlertWriter
from config.settings import RulesConfig, Settings
from storage.models import Alert, Mention, Score, utcnow

MAX_RELATED = 5


def unalerted_candidates(rules: RulesConfig, since: datetime | None) -> Select[Mention, Score]:
    """Scored mentions (scored on their current text) that have no alert yet."""
    key = mention_alert_key_column()
    stmt = (
        select(Mention, Score)
        .join(Score, Score.mention_id == Mention.id)
        .options(joinedload(Mention.source))
        .where(Score.content_hash == Mention.content_hash)
        .where(Mention.backfill.is_(False))
        .where(~exists().where(Alert.alert_key == key))
        .where(is_negative(rules))
        .order_by(Mention.id)
    )
    if since is not None:
        stmt = stmt.where(since <= MENTION_TIME)
    return stmt


Neighbour = tuple[int, int, datetime]  # mention id, source id, time


def decide_batch(
    rows: list[tuple[Mention, Score]], history: History, settings: Settings
) -> list[Candidate]:
    """Decide each scored mention, counting similar recent complaints of its source."""
    ignore = brand_words(settings)
    words = [mention_words(mention, ignore) for mention, _ in rows]
    pool = [(m.id, m.source_id, mention_time(m)) for m, _ in rows]
    pool += [(item.mention_id, item.source_id, item.at) for item in history.recent]
    neighbours = similar_neighbours(
        words + [item.words for item in history.recent], settings.incidents.similarity
    )
    batch = []
    for index, (mention, score) in enumerate(rows):
        near = sorted((pool[j] for j in neighbours[index]), key=lambda p: p[2], reverse=True)
        recurrence = _recurrence(mention, near, settings.rules.recurrence_window)
        decision = decide(mention, score, settings.rules, recurrence)
        if decision is not None:
            at, severity = mention_time(mention), decision.severity
            item = Item(mention.id, mention.source_id, at, words[index], severity, new=True)
            related = [p[0] for p in near[:MAX_RELATED]]
            batch.append(Candidate(mention, score, decision, item, related))
    return batch


def _recurrence(mention: Mention, near: list[Neighbour], window: timedelta) -> Recurrence:
    """Similar negatives of the mention's own source within `window` of it."""
    at = mention_time(mention)
    same = [n for n in near if n[1] == mention.source_id and abs(n[2] - at) <= window]
    return Recurrence(len(same), mention.source.name)


def create_alerts(
    session: Session,
    settings: Settings,
    *,
    max_age: timedelta | None = None,
    playbook: Playbook | None = None,
    now: datetime | None = None,
) -> int:
    """Raise alerts, and queue their Slack messages, for the scored mentions that call for one.

    Floods become one incident alert (docs/alerts.md, "Incidents"); the same text on
    another source is linked to the first alert, not sent again (alerts.syndication).
    Mentions older than `max_age` (published, else fetched) and backfilled ones are left
    alone. Safe to run again: a mention gets at most one alert and one message. Returns
    the number of alerts that page someone.
    """
    moment = now or utcnow()
    book = playbook or load_playbook(settings.playbook)
    since = moment - max_age if max_age is not None else None
    result = session.execute(unalerted_candidates(settings.rules, since))
    rows = [(mention, score) for mention, score in result]
    if not rows:
        return 0
    history = load_history(session, settings, moment, {mention.source_id for mention, _ in rows})
    batch, copies = split_syndicated(session, decide_batch(rows, history, settings))
    grouping_start = moment - settings.incidents.similar_window
    plan = plan_incidents(
        [candidate.item for candidate in batch],
        [item for item in history.recent if item.at >= grouping_start],
        history.incidents,
        history.volumes,
        settings.incidents,
        moment,
    )
    writer = AlertWriter(session, settings, book, moment)
    writer.write_copies(copies)
    return writer.write(batch, plan)
