"""When a source's stored history can be trusted for incremental stops."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from config.settings import SourceConfig
from crawler.history import SourceHistory
from storage.db import session_scope
from storage.models import CrawlRun, utcnow
from storage.repository import MentionData, sync_sources, upsert_mention

SOURCE = SourceConfig(name="shop", kind="rss", url="https://shop.example.com/feed")


def _store_mention(database_url: str, external_id: str) -> None:
    with session_scope(database_url) as session:
        source = sync_sources(session, "Acme", [SOURCE])["shop"]
        upsert_mention(session, source.id, MentionData(external_id=external_id, text="Broke."))


def _record_run(database_url: str, errors: int = 0) -> None:
    with session_scope(database_url) as session:
        source = sync_sources(session, "Acme", [SOURCE])["shop"]
        finished = utcnow() + timedelta(seconds=1)
        session.add(CrawlRun(source_id=source.id, finished_at=finished, errors=errors, items=1))


def test_nothing_stored_is_complete(sqlite_url: str) -> None:
    assert SourceHistory(sqlite_url, "shop").is_complete()


def test_a_run_killed_half_way_leaves_holes(sqlite_url: str) -> None:
    _store_mention(sqlite_url, "r-1")  # stored, but the run never recorded itself

    assert not SourceHistory(sqlite_url, "shop").is_complete()


def test_a_finished_clean_run_is_complete_until_a_later_run_stores_without_finishing(
    sqlite_url: str,
) -> None:
    _store_mention(sqlite_url, "r-1")
    _record_run(sqlite_url)
    assert SourceHistory(sqlite_url, "shop").is_complete()

    with session_scope(sqlite_url) as session:  # a later run stores, then dies
        session.execute(update(CrawlRun).values(finished_at=utcnow() - timedelta(hours=1)))
    _store_mention(sqlite_url, "r-2")
    assert not SourceHistory(sqlite_url, "shop").is_complete()


def test_a_run_with_errors_leaves_holes(sqlite_url: str) -> None:
    _store_mention(sqlite_url, "r-1")
    _record_run(sqlite_url, errors=1)

    assert not SourceHistory(sqlite_url, "shop").is_complete()
