"""What every source spider shares: its source, paging, incremental stops, filtering,
failure counting.

A kind defines ``read_page`` (usually: its parse function from
:mod:`crawler.parsing.registry` on the response body) and, when its API can ask
for "only newer than", ``first_url``. The base class turns the parsed page into
items, keeps only keyword matches when the source asks for it, and follows the
page's next URL unless the page limit is reached or the page holds nothing new.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from crawler.credentials import SourceCredentials
from crawler.exceptions import BlockedPageError, ForbiddenAddressError
from crawler.history import SourceHistory
from crawler.items import MentionItem
from crawler.job import DEFAULT_BACKFILL_WINDOW_S, DEFAULT_MAX_PAGES
from crawler.parsing import ParsedPage
from crawler.parsing.keywords import KeywordMatcher
from crawler.parsing.payload import utf8_payload
from crawler.parsing.registry import reader_for
from crawler.runs import EMPTY_PAGES, FAILURES, MISSING_CREDENTIALS, PARSE_ERRORS, PARSE_WARNINGS
from storage.repository import MentionData

# The answers in which an official API says what is wrong (a bad key, no quota left, an
# unknown app): API kinds read them instead of failing with a bare status.
API_ERROR_STATUSES = [400, 401, 403, 404]
FILTERED = "repwatch/items/filtered_out"
PARSED = "repwatch/items/parsed"
INCREMENTAL_STOPS = "repwatch/incremental_stops"


def failure_kind(failure: Failure) -> str:
    """A short stat-friendly name for why a request failed: ``http_404``, ``ssrf_refused``…"""
    if isinstance(failure.value, HttpError):
        return f"http_{failure.value.response.status}"
    if isinstance(failure.value, ForbiddenAddressError):
        return "ssrf_refused"
    if isinstance(failure.value, BlockedPageError):
        return "blocked"
    if failure.check(scrapy.exceptions.IgnoreRequest):
        return "robots_txt" if "robots.txt" in str(failure.value) else "ignored"
    return failure.type.__name__ if failure.type else "unknown"


class SourceSpider(scrapy.Spider):
    """A spider bound to one configured source.

    Spider arguments: ``source`` (the source's name), ``url`` (where to start),
    ``max_pages`` (pages followed; None: the kind's ``default_max_pages``),
    ``keywords`` (keep only matching items; empty: keep all),
    ``backfill_window_s`` (read by the store pipeline for the run summary) and
    ``credentials`` (a :class:`SourceCredentials`; kinds that need some define
    ``credential_headers``, which crawler/middlewares/credential_headers.py puts on the
    requests to ``api_host``).
    """

    default_max_pages: ClassVar[int] = DEFAULT_MAX_PAGES
    # An empty first page means the source broke (kinds whose query asks only for
    # newer items set this False: nothing new is an empty page there).
    expects_content: ClassVar[bool] = True

    def __init__(
        self,
        source: str,
        url: str,
        max_pages: int | str | None = None,
        keywords: tuple[str, ...] | list[str] = (),
        backfill_window_s: float | str = DEFAULT_BACKFILL_WINDOW_S,
        credentials: SourceCredentials | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source_name = source
        self.start_url = url
        self.max_pages = int(max_pages) if max_pages else self.default_max_pages
        self.matcher = KeywordMatcher(keywords)
        self.backfill_window_s = float(backfill_window_s)
        self.credentials = credentials or SourceCredentials()
        self.history = SourceHistory("", source)
        self.newest_stored: tuple[datetime | None, str | None] = (None, None)
        self.incremental = True

    async def start(self) -> AsyncIterator[Any]:
        self.history = SourceHistory(self.settings.get("REPWATCH_DATABASE_URL"), self.source_name)
        # Taken before this run stores anything: its own earlier pages must not count.
        # After an interrupted or failed run the history has holes: read every page again.
        self.incremental = self.history.is_complete()
        self.newest_stored = self.history.newest() if self.incremental else (None, None)
        missing = self.credentials.missing(self.name)
        if missing:
            self.report_missing_credentials(missing)
            return
        if await self.authorise():
            yield self.page_request(self.first_url(), page=1)

    async def authorise(self) -> bool:
        """Get what the API wants before the first page (a sign-in); False, the failure
        counted and logged, when it cannot be had. Most kinds need nothing."""
        return True

    def report_missing_credentials(self, variables: list[str]) -> None:
        """Nothing can be fetched without them: the run fails, naming what to set."""
        self.count(MISSING_CREDENTIALS)
        for variable in variables:
            self.count(f"{MISSING_CREDENTIALS}/{variable}")
        self.logger.error(
            "source %s: kind %s needs %s in the environment; nothing was fetched",
            self.source_name,
            self.name,
            " and ".join(variables),
        )

    @property
    def api_host(self) -> str | None:
        """The only host credential headers are sent to: the source URL's."""
        return urlsplit(self.start_url).hostname

    def first_url(self) -> str:
        """Where this crawl starts; kinds with "newer than" queries narrow it here."""
        return self.start_url

    def page_request(self, url: str, page: int) -> scrapy.Request:
        """A request for page number `page` of this source."""
        return scrapy.Request(
            url, callback=self.parse_page, errback=self.on_request_failed, cb_kwargs={"page": page}
        )

    def read_page(self, response: Response) -> ParsedPage:
        """The parsed payload of one response; kinds with their own reading override it."""
        return reader_for(self.name)(self.payload(response), response.url)

    def payload(self, response: Response) -> bytes:
        """The body to parse, as UTF-8: the charset of the ``Content-Type`` header is not
        part of the body, so it is applied here (see :func:`utf8_payload`)."""
        content_type = response.headers.get("Content-Type")
        charset = (
            http_content_type_encoding(content_type.decode("latin-1")) if content_type else None
        )
        return utf8_payload(response.body, charset)

    def parse_page(self, response: Response, page: int) -> Iterator[Any]:
        """Items of one page, then the next page's request unless paging should stop."""
        parsed = self.read_page(response)
        if response.status >= 400:  # an API kind's error answer (API_ERROR_STATUSES)
            self.report_error_answer(response, parsed)
            return
        items = list(self.items_from(parsed, response))
        if page == 1 and not parsed.mentions and not parsed.problems and self.expects_content:
            self.count(EMPTY_PAGES)
            self.logger.warning("source %s: %s holds no items", self.source_name, response.url)
        # Decided before the items are stored: "all already stored" must not see them.
        follow = self.should_follow(parsed, items, page, response.url)
        yield from items
        if follow and parsed.next_url:
            yield self.page_request(parsed.next_url, page + 1)

    def should_follow(
        self, parsed: ParsedPage, items: list[MentionItem], page: int, url: str
    ) -> bool:
        """Follow the next page unless it is missing, elsewhere, past the limit, or this
        page holds nothing new."""
        next_url = parsed.next_url
        if not next_url or page >= self.max_pages or not _same_host(next_url, url):
            return False
        if self.holds_nothing_new(parsed.mentions, [str(item["external_id"]) for item in items]):
            self.count(INCREMENTAL_STOPS)
            return False
        return True

    def holds_nothing_new(self, mentions: list[MentionData], kept_ids: list[str]) -> bool:
        """True when every kept item is stored already, or every item on the page is no
        newer than the newest mention stored before this run (pages come newest first).
        Never after an interrupted or failed run: what is stored may have holes."""
        if not mentions:
            return True
        if not self.incremental:
            return False
        if kept_ids and self.history.known_ids(kept_ids) == set(kept_ids):
            return True
        newest, _ = self.newest_stored
        return newest is not None and all(
            m.published_at is not None and self.older_than_stored(m.published_at, newest)
            for m in mentions
        )

    def older_than_stored(self, published: datetime, newest: datetime) -> bool:
        """Whether an item published at `published` cannot be newer than the newest stored."""
        return published <= newest

    def on_request_failed(self, failure: Failure) -> None:
        """Count a request that produced no usable response, by kind, and log why."""
        kind = failure_kind(failure)
        if kind != "blocked":  # a block page is counted as such by its middleware
            self.count(FAILURES)
            self.count(f"{FAILURES}/{kind}")
        request = getattr(failure, "request", None)
        url = request.url if request is not None else self.start_url
        self.logger.warning(
            "source %s: %s failed (%s): %s", self.source_name, url, kind, failure.value
        )

    def report_error_answer(self, response: Response, parsed: ParsedPage) -> None:
        """A failed request, logged with the reason the API gave in its answer."""
        self.count(FAILURES)
        self.count(f"{FAILURES}/http_{response.status}")
        reason = "; ".join(parsed.problems) or "no reason given"
        self.logger.error(
            "source %s: %s answered %s: %s",
            self.source_name,
            response.url,
            response.status,
            reason,
        )

    def items_from(self, page: ParsedPage, response: Response) -> Iterator[MentionItem]:
        """Count and log the page's problems and warnings, then yield its mentions that match the
        source's keywords as items."""
        for problem in page.problems:
            self.report_problem(response, problem)
        for warning in page.warnings:
            self.count(PARSE_WARNINGS)
            self.logger.warning("source %s: %s: %s", self.source_name, response.url, warning)
        for mention in page.mentions:
            self.count(PARSED)
            if not self.matcher.matches(mention.title, mention.text):
                self.count(FILTERED)
                continue
            yield MentionItem(source=self.source_name, **asdict(mention))

    def report_problem(self, response: Response, problem: str) -> None:
        """One part of a payload could not be read: count it and say why."""
        self.count(PARSE_ERRORS)
        self.logger.warning("source %s: %s: %s", self.source_name, response.url, problem)

    def count(self, stat: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat)


def _same_host(url: str, other: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(other).netloc.lower()
