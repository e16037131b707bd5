"""The shared crawl queue of several workers: scrapy-redis's scheduler, scoped to one run.

With ``REPWATCH_REDIS_URL`` set, a crawl of a source keeps its pending requests and the
fingerprints of the requests it has seen in Redis, under keys named after the source and
the run (``repwatch:<source>:<run>:requests`` and ``…:dupefilter``, built by
:func:`crawler.scrapy_settings.shared_run_settings`). Workers crawling the same source in the
same run therefore fetch each page once between them, and a page one of them queued can
be fetched by another — also after the first one crashed.

* **Per run**: a run is one crawl interval of the source (``started_at // every``). A
  dupe filter kept for ever would stop the next interval's crawl from fetching the start
  page (and every page after it) again; a new run starts with an empty filter.
* **Persisted** (``SCHEDULER_PERSIST``): scrapy-redis clears the queue and the filter when
  a crawl closes unless told not to, and the first worker to finish would clear them
  under the feet of the others. Instead the keys expire (``REPWATCH_REDIS_KEY_TTL``
  seconds), the clock restarting with every request queued.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from scrapy_redis.scheduler import Scheduler


class SharedRunScheduler(Scheduler):
    """scrapy-redis's Redis scheduler whose keys expire once the run is over.

    Counts ``scheduler/enqueued/redis``, ``scheduler/dequeued/redis`` and, for requests
    this run had already seen, ``dupefilter/filtered`` (Scrapy's own name for it).
    """

    key_ttl: int = 0
    crawl_stats: StatsCollector | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        scheduler = super().from_crawler(crawler)
        scheduler.key_ttl = crawler.settings.getint("REPWATCH_REDIS_KEY_TTL")
        # Counted here instead: scrapy-redis's own counting uses a deprecated signature.
        scheduler.crawl_stats, scheduler.stats = crawler.stats, None
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        """Queue the request unless the run has seen it; keep the run's keys alive."""
        queued = bool(super().enqueue_request(request))
        with self.server.pipeline(transaction=False) as pipe:
            pipe.expire(self.queue.key, self.key_ttl)
            pipe.expire(self.df.key, self.key_ttl)
            pipe.execute()
        self._count("scheduler/enqueued/redis" if queued else "dupefilter/filtered")
        return queued

    def next_request(self) -> Request | None:
        """The next request of the run's queue, whichever worker queued it."""
        request: Request | None = super().next_request()
        if request is not None:
            self._count("scheduler/dequeued/redis")
        return request

    def _count(self, stat: str) -> None:
        if self.crawl_stats is not None:
            self.crawl_stats.inc_value(stat)
