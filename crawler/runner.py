"""Crawl configured sources from any process: the crawl runs in a child process.

Twisted's reactor starts once per process, so the CLI and the worker never run
Scrapy themselves: :func:`crawl_sources` starts ``python -m crawler``, hands it
the job on stdin and reads one summary per source back from its stdout.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from config.settings import Settings, SourceConfig
from crawler.exceptions import CrawlProcessError, UnknownSourceError
from crawler.job import CrawlJob, CrawlSummary
from crawler.process import SUMMARY_PREFIX
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
    """Run ``python -m crawler`` on `job`; the summaries it reported, by source name."""
    summaries: dict[str, CrawlSummary] = {}
    command = [sys.executable, "-m", "crawler"]
    # The command is this interpreter and a fixed module; the job goes through stdin.
    with subprocess.Popen(  # noqa: S603
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(job.to_json())
        child.stdin.close()
        for line in child.stdout:
            summary = _summary_from(line)
            if summary is not None:
                summaries[summary.source] = summary
                if progress is not None:
                    progress(summary)
    if child.returncode != 0 and not summaries:
        raise CrawlProcessError(
            f"the crawler process exited with status {child.returncode}; see its log above"
        )
    return summaries


def _summary_from(line: str) -> CrawlSummary | None:
    if not line.startswith(SUMMARY_PREFIX):
        sys.stderr.write(line)  # something else printed; pass it on, never parse it
        return None
    return CrawlSummary.from_json(line[len(SUMMARY_PREFIX) :])
