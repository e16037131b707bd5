"""Crawl configured sources from any process: the crawl runs in a child process.

Twisted's reactor starts once per process, so the CLI and the worker never run
Scrapy themselves: :func:`crawl_sources` hands the job to a fresh child process
(:mod:`crawler.child`) and reads one summary per source back as each finishes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from typing import Any

from config.settings import Settings, SourceConfig
from crawler.child import crawl_in_child
from crawler.exceptions import UnknownSourceError
from crawler.job import CrawlJob, CrawlSummary
from storage.db import session_scope
from storage.repository import sync_sources

__all__ = ["CrawlSummary", "crawl_sources", "print_progress", "progress_line", "select_sources"]

Progress = Callable[[CrawlSummary], None]


def progress_line(summary: CrawlSummary) -> str:
    """One line saying how a source's crawl went."""
    return f"crawled {summary.source}: {summary.describe()}"


def print_progress(summary: CrawlSummary) -> None:
    """The default progress report: :func:`progress_line` on stderr."""
    print(progress_line(summary), file=sys.stderr, flush=True)


def select_sources(settings: Settings, names: Sequence[str] | None) -> list[SourceConfig]:
    """The named sources (enabled or not), or every enabled source when `names` is None."""
    if names is None:
        return [source for source in settings.sources if source.enabled]
    by_name = {source.name: source for source in settings.sources}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise UnknownSourceError(f"unknown source {', '.join(unknown)}; configured: {known}")
    return [by_name[name] for name in dict.fromkeys(names)]


def crawl_sources(
    settings: Settings,
    source_names: Sequence[str] | None = None,
    *,
    verbose: bool = False,
    max_pages: int | None = None,
    scrapy_settings: Mapping[str, Any] | None = None,
    progress: Progress | None = print_progress,
) -> list[CrawlSummary]:
    """Crawl sources concurrently in one child process; one summary per source, in order.

    Source rows are synced from the configuration first. `verbose` shows the
    crawler's INFO log on stderr (else warnings and errors only); `max_pages`
    overrides every source's page limit; `scrapy_settings` override Scrapy
    settings; `progress` is called as each source finishes.
    Raises UnknownSourceError for a name not configured, CrawlProcessError when
    the crawler process fails before reporting any source.
    """
    sources = select_sources(settings, source_names)
    if not sources:
        return []
    with session_scope(settings.database_url) as session:
        sync_sources(session, settings.brand.name, settings.sources)
    job = CrawlJob.for_sources(
        settings,
        sources,
        max_pages=max_pages,
        verbose=verbose,
        scrapy_settings=dict(scrapy_settings or {}),
    )
    reported = run_crawler_process(job, progress)
    return [reported.get(s.name) or CrawlSummary.unreported(s.name) for s in sources]


def run_crawler_process(job: CrawlJob, progress: Progress | None) -> dict[str, CrawlSummary]:
    """Crawl `job` in a child process; the summaries it reported, by source name."""
    summaries: dict[str, CrawlSummary] = {}
    # closing(): a progress callback that raises stops the child now, not when the
    # traceback that holds the generator is let go.
    with closing(crawl_in_child(job)) as reports:
        for summary in reports:
            summaries[summary.source] = summary
            if progress is not None:
                progress(summary)
    return summaries
