"""What the parent hands the crawler process, and what comes back per source.

Both travel as JSON: a :class:`CrawlJob` handed to the child process
(:mod:`crawler.child`, or on stdin to ``python -m crawler``), and one
:class:`CrawlSummary` per line back as each source finishes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import SecretStr, ValidationError

from config.settings import CrawlConfig, Settings, SourceConfig
from crawler.credentials import SourceCredentials
from crawler.exceptions import InvalidCrawlJobError

DEFAULT_MAX_PAGES = 5
DEFAULT_BACKFILL_WINDOW_S = 86_400.0
DEFAULT_EVERY_S = 3_600.0


@dataclass(frozen=True)
class SourceTarget:
    """One source to crawl: its name (the `sources` row), spider kind, start URL and options.

    ``keywords`` empty means every item is kept; otherwise only items matching one of
    them. ``max_pages`` None means the spider kind's default. ``spider`` names the
    class of a ``custom`` source. ``every_s`` is its crawl interval: with a shared
    crawl queue (``CrawlJob.redis_url``) crawls in the same interval share one run.
    """

    name: str
    kind: str
    url: str
    keywords: tuple[str, ...] = ()
    max_pages: int | None = None
    spider: str | None = None
    backfill_window_s: float = DEFAULT_BACKFILL_WINDOW_S
    every_s: float = DEFAULT_EVERY_S

    @classmethod
    def from_config(cls, source: SourceConfig, settings: Settings) -> SourceTarget:
        """The target of a configured source, its defaults taken from `settings`."""
        window = source.backfill_window or settings.crawl.backfill_window
        return cls(
            name=source.name,
            kind=source.kind,
            url=source.url,
            keywords=_filter_keywords(source, settings),
            max_pages=source.max_pages,
            spider=source.spider,
            backfill_window_s=window.total_seconds(),
            every_s=source.every.total_seconds(),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceTarget:
        return cls(**{**data, "keywords": tuple(data.get("keywords", ()))})


def _filter_keywords(source: SourceConfig, settings: Settings) -> tuple[str, ...]:
    if not source.filters_keywords():
        return ()
    keywords = source.keywords if source.keywords is not None else settings.brand.keywords
    return tuple(keywords or [settings.brand.name])


@dataclass(frozen=True)
class CrawlJob:
    """Everything one crawler process needs, and nothing else (no Slack secrets; of the
    source credentials only those its sources' kinds need).

    ``redis_url`` set: the crawl shares its request queue and dupe filter in Redis with
    every other crawl of the same source in the same run (crawler/scheduler.py);
    ``started_at`` (Unix time) says which run that is.
    """

    database_url: str
    allow_private_networks: bool
    crawl: CrawlConfig
    sources: tuple[SourceTarget, ...]
    max_pages: int | None = None
    verbose: bool = False
    scrapy_settings: dict[str, Any] = field(default_factory=dict)
    redis_url: str | None = None
    started_at: float = field(default_factory=time.time)
    credentials: SourceCredentials = field(default_factory=SourceCredentials)

    @classmethod
    def for_sources(
        cls, settings: Settings, sources: Iterable[SourceConfig], **options: Any
    ) -> CrawlJob:
        """The job crawling `sources` under `settings`; `options` set the other fields."""
        targets = tuple(SourceTarget.from_config(source, settings) for source in sources)
        return cls(
            database_url=settings.database_url,
            allow_private_networks=settings.allow_private_networks,
            crawl=settings.crawl.model_copy(),
            sources=targets,
            redis_url=settings.redis_url,
            credentials=_credentials(settings).only(target.kind for target in targets),
            **options,
        )

    def to_json(self) -> str:
        data = asdict(self)
        data["crawl"] = self.crawl.model_dump(mode="json")
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> CrawlJob:
        """Read a job; raise InvalidCrawlJobError naming what is wrong."""
        try:
            data = json.loads(text)
            data["crawl"] = CrawlConfig.model_validate(data["crawl"])
            data["sources"] = tuple(SourceTarget.from_dict(source) for source in data["sources"])
            data["credentials"] = SourceCredentials.from_dict(data.get("credentials") or {})
            return cls(**data)
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise InvalidCrawlJobError(f"not a crawl job: {exc}") from exc


def _credentials(settings: Settings) -> SourceCredentials:
    def secret(value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value is not None else None

    key_file = settings.google_application_credentials
    return SourceCredentials(
        naver_client_id=secret(settings.naver_client_id),
        naver_client_secret=secret(settings.naver_client_secret),
        youtube_api_key=secret(settings.youtube_api_key),
        google_application_credentials=str(key_file) if key_file else None,
        bluesky_handle=settings.bluesky_handle,
        bluesky_app_password=secret(settings.bluesky_app_password),
    )


@dataclass(frozen=True)
class CrawlSummary:
    """How one source's crawl went; the same numbers as its `crawl_runs` row.

    ``outcome`` is "ok" or "failed" (the run had errors); ``source_status`` is the
    source's health after the run: "ok", "quiet" (fetched fine, nothing new for longer
    than its usual gap) or "broken" (errors, blocks, or a source that used to yield
    items parsed none). ``became_broken`` is true on the run that turned a healthy
    source broken: raise its source-health alert then, once per breakage.
    ``first_run`` is true until a recorded run of the source has brought items in (a
    run killed half-way records nothing): its mentions published before
    ``backfill_before`` (ISO 8601 UTC), or undated, are backfill — history and
    baseline, not alerts.
    """

    source: str
    outcome: str
    source_status: str
    items: int
    new_items: int
    updated_items: int
    unchanged_items: int
    errors: int
    status_counts: dict[str, int]
    duration_s: float
    crawl_run_id: int | None
    error_summary: str | None = None
    blocked: int = 0
    first_run: bool = False
    became_broken: bool = False
    backfill_before: str | None = None

    @property
    def failed(self) -> bool:
        """True when the run had errors (its `crawl_runs.outcome` is "failed")."""
        return self.outcome != "ok"

    @property
    def health_alert_key(self) -> str | None:
        """The outbox dedup key of this breakage's source-health alert, if it broke now."""
        if not self.became_broken:
            return None
        return f"source-health:{self.source}:run-{self.crawl_run_id}"

    def describe(self) -> str:
        """One line: items, new, updated, errors, duration, health, and what went wrong."""
        line = (
            f"{self.items} items ({self.new_items} new, {self.updated_items} updated), "
            f"{self.errors} errors in {self.duration_s:.1f}s [{self.source_status}]"
        )
        return f"{line}: {self.error_summary}" if self.error_summary else line

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> CrawlSummary:
        return cls(**json.loads(text))

    @classmethod
    def unreported(
        cls, source: str, reason: str = "the crawl did not finish; see the crawler log"
    ) -> CrawlSummary:
        """The summary of a source whose crawl ended without writing its run."""
        return cls(
            source=source,
            outcome="failed",
            source_status="broken",
            items=0,
            new_items=0,
            updated_items=0,
            unchanged_items=0,
            errors=1,
            status_counts={},
            duration_s=0.0,
            crawl_run_id=None,
            error_summary=reason,
        )
