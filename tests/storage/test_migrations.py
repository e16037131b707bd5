"""Migrations reach head on both databases and agree with the models."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from storage.db import get_engine
from storage.migrate import check, upgrade


def test_upgrade_head_creates_every_table_and_is_repeatable(database_url: str) -> None:
    upgrade(database_url)  # a second upgrade is a no-op
    tables = set(inspect(get_engine(database_url)).get_table_names())
    expected = {
        *("sources", "mentions", "scores", "alerts", "outbox", "crawl_runs"),
        *("incidents", "feedback"),
    }
    assert expected <= tables


def test_models_and_migrations_agree(database_url: str) -> None:
    check(database_url)


def test_flagging_mentions_that_need_a_score_keeps_existing_scores(tmp_path: Path) -> None:
    # On SQLite the migration copies the mentions table: the scores referencing it stay.
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "718f2141bee4")  # the revision before needs_score
    with get_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sources (id, name, kind, url, brand, every_seconds, enabled, status, "
                "consecutive_failures, created_at) VALUES (1, 'shop', 'rss', "
                "'https://example.com', 'Acme', 60, 1, 'ok', 0, '2026-11-01 00:00:00')"
            )
        )
        for number, digest in enumerate(["scored", "edited", "new"], start=1):
            conn.execute(
                text(
                    "INSERT INTO mentions (id, source_id, external_id, text, content_hash, "
                    "fetched_at, updated_at, backfill) VALUES (:id, 1, :id, 'text', :digest, "
                    "'2026-11-01 00:00:00', '2026-11-01 00:00:00', 0)"
                ),
                {"id": number, "digest": digest},
            )
        for mention_id, digest in [(1, "scored"), (2, "before the edit")]:
            conn.execute(
                text(
                    "INSERT INTO scores (mention_id, model, label, prob_negative, prob_neutral, "
                    "prob_positive, score, confidence, lang_fallback, content_hash, scored_at) "
                    "VALUES (:m, 'm', 'negative', 0.9, 0.05, 0.05, -0.85, 0.9, 0, :digest, "
                    "'2026-11-01 00:00:00')"
                ),
                {"m": mention_id, "digest": digest},
            )
    upgrade(url)
    with get_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT id, needs_score FROM mentions ORDER BY id")).all()
        flags = {mention_id: bool(flag) for mention_id, flag in rows}
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1  # on again
    assert flags == {1: False, 2: True, 3: True}
