"""What a source already has in the database, for crawling incrementally.

Spiders ask before following a page: are this page's mentions all stored
already? Is every item on it older than the newest stored one? And where should
an incremental query start (the newest stored item's date or id)?

Those questions are only safe when the stored history has no holes: a run killed
half-way (it records no crawl run) or one that failed on a page stored the newest
items but not the older ones behind them. :meth:`SourceHistory.is_complete` tells,
so that the run after such a one reads every page again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute

from crawler.pipelines.normalise import bounded_id
from storage.db import session_scope
from storage.models import CrawlRun, Mention, Source

LOOKUP_CHUNK = 500


class SourceHistory:
    """Read-only view of one source's stored mentions; empty without a database."""

    def __init__(self, database_url: str, source_name: str) -> None:
        self.database_url = database_url
        self.source_name = source_name

    def known_ids(self, external_ids: Iterable[str]) -> set[str]:
        """The given external ids that are already stored for this source."""
        wanted = {bounded_id(external_id): external_id for external_id in external_ids}
        if not self.database_url or not wanted:
            return set()
        found: set[str] = set()
        keys = list(wanted)
        with session_scope(self.database_url) as session:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                stmt = self._mentions(Mention.external_id).where(
                    Mention.external_id.in_(keys[start : start + LOOKUP_CHUNK])
                )
                found.update(session.scalars(stmt))
        return {wanted[key] for key in found}

    def newest(self) -> tuple[datetime | None, str | None]:
        """The newest stored mention's publication date and external id, if any."""
        if not self.database_url:
            return None, None
        stmt = (
            self._mentions(Mention.published_at, Mention.external_id)
            .where(Mention.published_at.is_not(None))
            .order_by(Mention.published_at.desc())
            .limit(1)
        )
        with session_scope(self.database_url) as session:
            row = session.execute(stmt).first()
        return (row[0], row[1]) if row else (None, None)

    def is_complete(self) -> bool:
        """True when the last recorded run finished without errors and nothing was stored
        after it; with nothing stored at all there is nothing to miss."""
        if not self.database_url:
            return True
        last_run = (
            select(CrawlRun.finished_at, CrawlRun.errors)
            .join(Source)
            .where(Source.name == self.source_name)
            .order_by(CrawlRun.started_at.desc())
            .limit(1)
        )
        with session_scope(self.database_url) as session:
            run = session.execute(last_run).first()
            stored_since = self._mentions(Mention.id).limit(1)
            if run is not None:
                if run.errors or run.finished_at is None:
                    return False
                stored_since = stored_since.where(Mention.fetched_at > run.finished_at)
            return session.scalar(stored_since) is None

    def _mentions(self, *columns: InstrumentedAttribute[Any]) -> Select[Any]:
        return select(*columns).join(Source).where(Source.name == self.source_name)
