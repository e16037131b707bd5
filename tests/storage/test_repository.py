"""Storage on SQLite and PostgreSQL: migrations, idempotent upserts, source sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.settings import SourceConfig
from storage.db import get_engine
from storage.models import Mention, Score, Source
from storage.repository import (
    MentionData,
    NewScore,
    UpsertResult,
    mentions_needing_score,
    store_scores,
    sync_sources,
    text_fingerprint,
    upsert_mention,
    upsert_mentions,
)

PUBLISHED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _source(session: Session, name: str = "news") -> Source:
    configured = [
        SourceConfig(
            name=name, kind="rss", url="https://example.com/feed", every=timedelta(hours=1)
        )
    ]
    return sync_sources(session, "Acme", configured)[name]


def _mention(text: str = "The charger broke after a day.", **changes: object) -> MentionData:
    values: dict[str, object] = {
        "external_id": "guid-1",
        "text": text,
        "url": "https://example.com/r/1",
        "rating": 1.0,
        "published_at": PUBLISHED,
    }
    values.update(changes)
    return MentionData(**values)  # type: ignore[arg-type]


def test_upsert_is_idempotent(db_session: Session) -> None:
    source = _source(db_session)
    assert upsert_mention(db_session, source.id, _mention()) is UpsertResult.NEW
    assert upsert_mention(db_session, source.id, _mention()) is UpsertResult.UNCHANGED
    count = db_session.scalar(select(func.count()).where(Mention.source_id == source.id))
    assert count == 1


def test_a_batch_gives_what_writing_one_by_one_would(db_session: Session) -> None:
    source = _source(db_session)
    upsert_mention(db_session, source.id, _mention(external_id="kept"))
    upsert_mention(db_session, source.id, _mention(external_id="edited"))
    batch = [
        (_mention(external_id="kept"), False),
        (_mention("Now it works again.", external_id="edited"), False),
        (_mention(external_id="new"), True),
        (_mention(external_id="twice"), False),
        (_mention("Second thoughts: it is fine.", external_id="twice"), False),
        (_mention("Second thoughts: it is fine.", external_id="twice"), False),
    ]
    results = upsert_mentions(db_session, source.id, batch)
    assert [r.value for r in results] == [
        "unchanged",
        "updated",
        "new",
        "new",
        "updated",
        "unchanged",
    ]
    rows = {m.external_id: m for m in db_session.scalars(select(Mention))}
    assert rows["edited"].text == "Now it works again." and rows["edited"].needs_score
    assert rows["new"].backfill and not rows["twice"].backfill
    assert rows["twice"].text == "Second thoughts: it is fine."
    assert upsert_mentions(db_session, source.id, batch[2:3]) == [UpsertResult.UNCHANGED]


def test_edited_review_updates_the_row(db_session: Session) -> None:
    source = _source(db_session)
    upsert_mention(db_session, source.id, _mention())
    edited = _mention("The charger broke after a day. Support replaced it.", rating=3.0)
    assert upsert_mention(db_session, source.id, edited) is UpsertResult.UPDATED
    row = db_session.scalars(select(Mention).where(Mention.source_id == source.id)).one()
    assert row.text.endswith("Support replaced it.")
    assert row.rating == 3.0
    assert row.published_at == PUBLISHED


def test_backfill_flag_is_set_on_insert_and_kept_on_edit(db_session: Session) -> None:
    source = _source(db_session)
    upsert_mention(db_session, source.id, _mention(), backfill=True)
    edited = _mention("The charger broke after a day. Support replaced it.")
    assert upsert_mention(db_session, source.id, edited) is UpsertResult.UPDATED
    row = db_session.scalars(select(Mention).where(Mention.source_id == source.id)).one()
    assert row.backfill is True


def test_same_external_id_in_two_sources_is_two_mentions(db_session: Session) -> None:
    first, second = _source(db_session, "news"), _source(db_session, "blog")
    upsert_mention(db_session, first.id, _mention())
    assert upsert_mention(db_session, second.id, _mention()) is UpsertResult.NEW


def test_timestamps_come_back_aware_utc(db_session: Session) -> None:
    source = _source(db_session)
    local = PUBLISHED.astimezone(ZoneInfo("Asia/Seoul"))
    upsert_mention(db_session, source.id, _mention(published_at=local))
    db_session.expire_all()
    row = db_session.scalars(select(Mention).where(Mention.source_id == source.id)).one()
    assert row.published_at == PUBLISHED
    assert row.published_at is not None and row.published_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(db_session: Session) -> None:
    source = _source(db_session)
    with pytest.raises(Exception, match="naive datetime"):
        upsert_mention(db_session, source.id, _mention(published_at=datetime(2026, 1, 1)))


def test_sync_sources_disables_removed_sources(db_session: Session) -> None:
    _source(db_session, "news")
    kept = SourceConfig(
        name="blog", kind="rss", url="https://example.com/b", every=timedelta(minutes=15)
    )
    synced = sync_sources(db_session, "Acme", [kept])
    assert list(synced) == ["blog"]
    assert synced["blog"].every_seconds == 900
    news = db_session.scalars(select(Source).where(Source.name == "news")).one()
    assert news.enabled is False


def test_unscored_and_edited_mentions_need_scoring(db_session: Session) -> None:
    source = _source(db_session)
    upsert_mention(db_session, source.id, _mention())
    mention = db_session.scalars(select(Mention).where(Mention.source_id == source.id)).one()
    assert mention in _needing_score(db_session)
    store_scores(db_session, [NewScore(mention, _score_values(), "en")])
    db_session.expire_all()
    assert mention not in _needing_score(db_session)
    assert mention.lang == "en" and mention.score is not None
    assert mention.score.content_hash == mention.content_hash
    upsert_mention(db_session, source.id, _mention("Now it works again."))
    db_session.expire_all()
    assert mention.id in [m.id for m in _needing_score(db_session)]


def test_rescoring_an_edited_mention_replaces_its_score(db_session: Session) -> None:
    source = _source(db_session)
    upsert_mention(db_session, source.id, _mention(lang="ko"))
    mention = db_session.scalars(select(Mention).where(Mention.source_id == source.id)).one()
    store_scores(db_session, [NewScore(mention, _score_values("negative"), "en")])
    upsert_mention(db_session, source.id, _mention("Now it works again.", lang="ko"))
    db_session.expire_all()
    store_scores(db_session, [NewScore(mention, _score_values("positive"), "en")])
    db_session.expire_all()
    scores = db_session.scalars(select(Score).where(Score.mention_id == mention.id)).all()
    assert [score.label for score in scores] == ["positive"]
    assert scores[0].content_hash == mention.content_hash and not mention.needs_score
    assert mention.lang == "ko"  # the language the source gave is kept


def _needing_score(session: Session) -> list[Mention]:
    return list(session.scalars(mentions_needing_score()))


def _score_values(label: str = "negative") -> dict[str, Any]:
    return {
        "model": "test",
        "label": label,
        "prob_negative": 0.9,
        "prob_neutral": 0.05,
        "prob_positive": 0.05,
        "score": -0.85,
        "confidence": 0.9,
    }


def test_text_fingerprint_ignores_case_spacing_and_punctuation() -> None:
    text = "The charger broke after a day, and support never answered."
    assert text_fingerprint(text) == text_fingerprint(f"  {text.upper()}!! ")
    assert text_fingerprint(text) != text_fingerprint(text.replace("day", "week"))
    assert text_fingerprint("Broke. Awful!") is None  # too short to call a copy


def test_sqlite_finds_mentions_needing_a_score_through_the_partial_index(sqlite_url: str) -> None:
    # The planner takes a partial index only when the query repeats its condition.
    engine = get_engine(sqlite_url)
    for stmt in (mentions_needing_score(256), select(func.count()).where(Mention.needs_score)):
        compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
        with engine.connect() as conn:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
        assert any("ix_mentions_needs_score_newest" in row[-1] for row in plan), plan
