"""Write mentions into the database and, at the end, the crawl run and source health."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet import task

from crawler.exceptions import SourceNotSyncedError
from crawler.items import MentionItem
from crawler.job import DEFAULT_BACKFILL_WINDOW_S
from crawler.runs import RunContext, record_run
from storage.db import session_scope
from storage.models import CrawlRun, Source, utcnow
from storage.repository import MentionData, upsert_mentions

logger = logging.getLogger(__name__)

SUMMARY_STAT = "repwatch/summary"
MENTION_FIELDS = tuple(MentionData.__dataclass_fields__)
# Items are written a batch at a time: one transaction for up to FLUSH_ITEMS of them,
# and none waits longer than FLUSH_EVERY_S (a slow page's items are not held back).
FLUSH_ITEMS = 100
FLUSH_EVERY_S = 1.0


def mention_data(item: MentionItem) -> MentionData:
    """The storage value of a validated, normalised item."""
    values: dict[str, Any] = {name: item.get(name) for name in MENTION_FIELDS}
    return MentionData(**values)


class StoreMentionPipeline:
    """Upserts the items a batch at a time (one short transaction for up to
    ``FLUSH_ITEMS``, at least every ``FLUSH_EVERY_S``) and counts new / updated /
    unchanged; at close, writes what is left, the `crawl_runs` row and the source's
    health, and leaves the run's summary as JSON in the ``repwatch/summary`` stat. A run
    is the source's first (backfill) run until a recorded run has brought items in.
    A batch the database refuses is logged and counted as store errors; the next run
    fetches its items again.

    Settings: ``REPWATCH_DATABASE_URL``. The source's row must exist (``sync_sources``).
    """

    def __init__(self, crawler: Crawler, database_url: str) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.database_url = database_url
        self.source_id = 0
        self.context = RunContext(0, utcnow(), False, timedelta(0))
        self.pending: list[tuple[MentionData, bool]] = []
        self.flusher = task.LoopingCall(self.flush)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreMentionPipeline:
        database_url = crawler.settings.get("REPWATCH_DATABASE_URL")
        if not database_url:
            raise NotConfigured("REPWATCH_DATABASE_URL is not set")
        return cls(crawler, database_url)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        name = getattr(spider, "source_name", None)
        with session_scope(self.database_url) as session:
            source_id = session.scalar(select(Source.id).where(Source.name == name))
            if source_id is None:
                raise SourceNotSyncedError(f"no row for source {name!r} in the sources table")
            # A run killed half-way records no run: the one after it is still the first.
            brought_items = session.scalar(
                select(CrawlRun.id)
                .where(CrawlRun.source_id == source_id, CrawlRun.items > 0)
                .limit(1)
            )
        self.source_id = source_id
        window = float(getattr(spider, "backfill_window_s", DEFAULT_BACKFILL_WINDOW_S))
        first_run = brought_items is None
        self.context = RunContext(source_id, utcnow(), first_run, timedelta(seconds=window))
        self.flusher.start(FLUSH_EVERY_S, now=False)

    def process_item(self, item: MentionItem) -> MentionItem:
        data = mention_data(item)
        self.pending.append((data, self.context.is_backfill(data)))
        if len(self.pending) >= FLUSH_ITEMS:
            self.flush()
        return item

    def flush(self) -> None:
        """Write the waiting items in one transaction and count what each became."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            with session_scope(self.database_url) as session:
                results = upsert_mentions(session, self.source_id, batch)
        except SQLAlchemyError as exc:
            self.stats.inc_value("repwatch/store_errors", len(batch))
            source = getattr(self.crawler.spider, "source_name", "?")
            logger.error("cannot store %d mentions of %s: %s", len(batch), source, exc)
            return
        for result in results:
            self.stats.inc_value(f"repwatch/items/{result.value}")

    def close_spider(self) -> None:
        if not self.source_id:
            return  # open_spider failed; the crawl never ran
        if self.flusher.running:
            self.flusher.stop()
        self.flush()
        stats: dict[str, Any] = self.stats.get_stats()
        with session_scope(self.database_url) as session:
            summary = record_run(session, self.context, stats)
        self.stats.set_value(SUMMARY_STAT, summary.to_json())
