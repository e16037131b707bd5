"""Idempotent writes and the queries the stages share."""

from __future__ import annotations

import enum
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Feedback, Mention, Score, Source, utcnow


class UpsertResult(enum.Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class MentionData:
    """A normalised mention as the crawler produces it."""

    external_id: str
    text: str
    url: str | None = None
    author: str | None = None
    title: str | None = None
    rating: float | None = None
    lang: str | None = None
    published_at: datetime | None = None
    raw_excerpt: str | None = None
    reach: dict[str, Any] | None = None

    def content_hash(self) -> str:
        """Hash of what a reader sees; an edit changes it and triggers re-scoring."""
        parts = [self.title or "", self.text, "" if self.rating is None else f"{self.rating:g}"]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


MIN_FINGERPRINT_CHARS = 40
_NOT_WORD = re.compile(r"[\W_]+")


def text_fingerprint(text: str) -> str | None:
    """A hash of the text's words (case, punctuation and spacing ignored), or None when
    the text is too short for a match to mean a copy."""
    words = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    if len(words) < MIN_FINGERPRINT_CHARS:
        return None
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def _insert_ignoring_conflicts(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the rows, skipping those already stored; the external ids of those that went in.

    A Core statement run with many parameter sets compiles once and is cached, and
    SQLAlchemy sends it as multi-row INSERTs ("insertmanyvalues"). A statement built with
    ``.values(rows)`` compiled anew for every batch, which cost more than the crawl itself.
    """
    table = cast(Table, Mention.__table__)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(
            constraint="uq_mentions_source_external_id"
        )
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing(
            index_elements=["source_id", "external_id"]
        )
    else:
        stmt = insert(table).prefix_with("IGNORE")
    return set(session.execute(stmt.returning(table.c.external_id), rows).scalars())


def _mention_values(source_id: int, data: MentionData) -> dict[str, Any]:
    now = utcnow()
    return {
        "source_id": source_id,
        "external_id": data.external_id,
        "url": data.url,
        "author": data.author,
        "title": data.title,
        "text": data.text,
        "rating": data.rating,
        "lang": data.lang,
        "published_at": data.published_at,
        "raw_excerpt": data.raw_excerpt,
        "reach": data.reach,
        "content_hash": data.content_hash(),
        "text_fingerprint": text_fingerprint(data.text),
        "fetched_at": now,
        "updated_at": now,
    }


def _update_if_changed(session: Session, values: dict[str, Any]) -> UpsertResult:
    changed = {k: v for k, v in values.items() if k not in ("source_id", "external_id")}
    changed["needs_score"] = True  # the text changed: its score no longer says what it says
    result = session.execute(
        update(Mention)
        .where(
            Mention.source_id == values["source_id"],
            Mention.external_id == values["external_id"],
            Mention.content_hash != values["content_hash"],
        )
        .values(**changed)
        .execution_options(synchronize_session=False)
    )
    return UpsertResult.UPDATED if result.rowcount else UpsertResult.UNCHANGED  # type: ignore[attr-defined]


def upsert_mentions(
    session: Session, source_id: int, batch: Sequence[tuple[MentionData, bool]]
) -> list[UpsertResult]:
    """Insert each (mention, backfill) of a source, or update it when its content
    changed; safe to repeat. One result per pair, in order, as if written one by one.

    One query reads the hashes already stored and one statement inserts the new rows,
    instead of a round trip or two a mention. `backfill` marks a new row as history that
    is never alerted; an update keeps the flag.
    """
    values = [_mention_values(source_id, data) for data, _ in batch]
    ids = list({row["external_id"] for row in values})
    hashes = select(Mention.external_id, Mention.content_hash).where(
        Mention.source_id == source_id, Mention.external_id.in_(ids)
    )
    stored = {external_id: digest for external_id, digest in session.execute(hashes)}
    inserts: dict[str, dict[str, Any]] = {}
    results: list[UpsertResult] = []
    updates: dict[str, dict[str, Any]] = {}
    for row, (_, backfill) in zip(values, batch, strict=True):
        external_id, digest = row["external_id"], row["content_hash"]
        if external_id in inserts:  # repeated within the batch: the last text is stored
            same = inserts[external_id]["content_hash"] == digest
            inserts[external_id] |= {**row, "backfill": inserts[external_id]["backfill"]}
            results.append(UpsertResult.UNCHANGED if same else UpsertResult.UPDATED)
        elif external_id not in stored:
            inserts[external_id] = {**row, "backfill": backfill}
            results.append(UpsertResult.NEW)
        elif stored[external_id] == digest:
            results.append(UpsertResult.UNCHANGED)
        else:
            updates[external_id] = row
            stored[external_id] = digest
            results.append(UpsertResult.UPDATED)
    inserted = _insert_ignoring_conflicts(session, list(inserts.values())) if inserts else set()
    # Another writer stored some of them since the read: update those like stored ones.
    raced = {
        eid: _update_if_changed(session, row) for eid, row in inserts.items() if eid not in inserted
    }
    for row in updates.values():
        _update_if_changed(session, row)
    return [
        raced.get(row["external_id"], result) if result is UpsertResult.NEW else result
        for row, result in zip(values, results, strict=True)
    ]


def upsert_mention(
    session: Session, source_id: int, data: MentionData, *, backfill: bool = False
) -> UpsertResult:
    """Insert a mention, or update it when its content changed; safe to repeat.

    `backfill` marks a new row as history that is never alerted; an update keeps the flag.
    """
    return upsert_mentions(session, source_id, [(data, backfill)])[0]


def sync_sources(session: Session, brand: str, configured: Iterable[Any]) -> dict[str, Source]:
    """Make the `sources` table match the configuration; returns sources by name.

    Sources no longer configured are disabled, never deleted: their mentions stay.
    """
    existing = {s.name: s for s in session.scalars(select(Source))}
    seen = set()
    for cfg in configured:
        seen.add(cfg.name)
        source = existing.get(cfg.name)
        if source is None:
            source = Source(name=cfg.name, kind=cfg.kind, url=cfg.url, brand=brand, every_seconds=0)
            session.add(source)
            existing[cfg.name] = source
        source.kind, source.url, source.brand = cfg.kind, cfg.url, brand
        source.every_seconds = int(cfg.every.total_seconds())
        source.enabled = cfg.enabled
    for name, source in existing.items():
        if name not in seen:
            source.enabled = False
    session.flush()
    return {name: s for name, s in existing.items() if name in seen}


def mentions_needing_score(limit: int | None = None) -> Select[Mention]:
    """Mentions never scored, or edited since they were scored (``needs_score``), newest
    first: under a backlog a fresh complaint is scored (and can page) before old ones.
    Undated mentions count as newest; they were just fetched."""
    newest_first = (Mention.published_at.desc().nulls_first(), Mention.id.desc())
    stmt = select(Mention).where(Mention.needs_score).order_by(*newest_first)
    return stmt.limit(limit) if limit else stmt


@dataclass(frozen=True)
class NewScore:
    """A mention's score for its current text: the `Score` columns the model gave, and
    the language it detected (kept when the mention had none)."""

    mention: Mention
    values: dict[str, Any]
    lang: str | None = None


def store_scores(session: Session, scores: Sequence[NewScore]) -> None:
    """Make each score its mention's score for the mention's current text, inserting it or
    replacing the earlier one; those mentions then need no other score.

    Three statements for the lot (new scores, replaced ones, the mentions), each sent as
    batches of rows: not the unit of work's row-by-row bookkeeping.
    """
    ids = [score.mention.id for score in scores]
    earlier: dict[int, int] = {
        mention_id: score_id
        for mention_id, score_id in session.execute(
            select(Score.mention_id, Score.id).where(Score.mention_id.in_(ids))
        )
    }
    rows = [
        {**score.values, "mention_id": score.mention.id, "content_hash": score.mention.content_hash}
        for score in scores
    ]
    inserts = [row for row in rows if row["mention_id"] not in earlier]
    replaced = [
        {**row, "id": earlier[row["mention_id"]]} for row in rows if row["mention_id"] in earlier
    ]
    if inserts:
        session.execute(insert(Score), inserts)
    if replaced:
        session.execute(update(Score), replaced)
    mentions = [
        {"id": score.mention.id, "needs_score": False, "lang": score.mention.lang or score.lang}
        for score in scores
    ]
    session.execute(update(Mention), mentions)


def claim_mentions_to_score(session: Session, limit: int) -> list[Mention] | None:
    """Hold up to `limit` mentions needing a score for this transaction; None when no
    such mention is free (every one is scored, or held by another worker).

    On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``: concurrent scorers hold
    different rows. A row another worker scored and committed after this query began is
    re-checked by PostgreSQL against ``needs_score``; the held rows are read again all the
    same, so the list may be shorter than what was held, even empty. SQLite has one
    writer at a time and ignores the lock clause.
    """
    claim = (
        mentions_needing_score(limit)
        .with_only_columns(Mention.id)
        .with_for_update(of=Mention, skip_locked=True)
    )
    held = list(session.scalars(claim))
    if not held:
        return None
    return list(session.scalars(mentions_needing_score().where(Mention.id.in_(held))))


def feedback_corrections(session: Session) -> list[tuple[str, str, str | None]]:
    """(text, corrected label, language) of every correction responders gave in Slack."""
    rows = session.execute(
        select(Feedback.text, Feedback.corrected_label, Feedback.lang).order_by(Feedback.id)
    )
    return [(text, label, lang) for text, label, lang in rows]
