"""Inside the crawler process: one Scrapy process crawling every source of a job at once.

Twisted's reactor can start only once per process, which is why the parent
(:mod:`crawler.runner`) starts this in a child process for every crawl.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from scrapy import Spider, signals
from scrapy.crawler import AsyncCrawlerProcess, Crawler

from crawler.exceptions import SpiderLoadError
from crawler.job import CrawlJob, CrawlSummary, SourceTarget
from crawler.pipelines.store import SUMMARY_STAT
from crawler.scrapy_settings import build_settings
from crawler.spiders.loading import load_spider

SUMMARY_PREFIX = "repwatch-summary "

log = logging.getLogger(__name__)


class SummarySink(Protocol):
    """Where summary lines go: the child's stdout, or the pipe to its parent."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class SummaryReporter:
    """Writes each source's summary to `out` as soon as its spider closes."""

    def __init__(self, out: SummarySink) -> None:
        self.out = out
        self.reported: set[str] = set()

    def spider_closed(self, spider: Spider) -> None:
        source = str(getattr(spider, "source_name", spider.name))
        assert spider.crawler.stats is not None
        line = spider.crawler.stats.get_value(SUMMARY_STAT)
        self.report(CrawlSummary.from_json(line) if line else CrawlSummary.unreported(source))

    def report(self, summary: CrawlSummary) -> None:
        try:
            self.out.write(SUMMARY_PREFIX + summary.to_json() + "\n")
            self.out.flush()
        except BrokenPipeError:
            # The parent (a worker killed mid-crawl) is gone; the run is in the database.
            log.warning("crawl of %s finished after its parent exited", summary.source)
            return
        self.reported.add(summary.source)


def run_job(job: CrawlJob, out: SummarySink) -> bool:
    """Crawl every source of `job` concurrently; True when each one reported a summary."""
    process = AsyncCrawlerProcess(build_settings(job))
    reporter = SummaryReporter(out)
    for target in job.sources:
        try:
            spider = load_spider(target.spider) if target.spider else target.kind
        except SpiderLoadError as exc:
            reporter.report(CrawlSummary.unreported(target.name, str(exc)))
            continue
        crawler = create_source_crawler(process, job, target, spider)
        crawler.signals.connect(reporter.spider_closed, signal=signals.spider_closed)
        process.crawl(crawler, **spider_arguments(target, job))
    if process.crawlers:
        process.start()
    return reporter.reported == {target.name for target in job.sources}


def create_source_crawler(
    process: AsyncCrawlerProcess, job: CrawlJob, target: SourceTarget, spider: type[Spider] | str
) -> Crawler:
    """A crawler with settings of its own: with Redis, each source has its own shared run."""
    spidercls = process.spider_loader.load(spider) if isinstance(spider, str) else spider
    return process.create_crawler(Crawler(spidercls, build_settings(job, target)))


def spider_arguments(target: SourceTarget, job: CrawlJob) -> dict[str, Any]:
    """The arguments a SourceSpider takes for `target`: the job's ``max_pages`` overrides
    the target's own; of the job's credentials, only those of the target's kind."""
    return {
        "source": target.name,
        "url": target.url,
        "max_pages": job.max_pages or target.max_pages,
        "keywords": list(target.keywords),
        "backfill_window_s": target.backfill_window_s,
        "credentials": job.credentials.only([target.kind]),
    }
