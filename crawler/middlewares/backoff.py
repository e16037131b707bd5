"""Wait before a retry: the server's ``Retry-After``, else an exponential backoff.

Scrapy's RetryMiddleware retries 429 and 5xx answers at once. This middleware
sits just before it in the response chain and pauses a response that is about
to be retried, so a rate-limited or struggling site gets room to recover.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
from datetime import UTC, datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(retries_done: int, retry_after: float | None, base: float, cap: float) -> float:
    """The pause before the next retry: what the server asked, else base * 2^retries; capped."""
    delay = retry_after if retry_after is not None else base * 2**retries_done
    return min(delay, cap)


class RetryBackoffMiddleware:
    """Pauses before each retry Scrapy's RetryMiddleware is about to make.

    Settings: ``RETRY_ENABLED``, ``RETRY_TIMES``, ``RETRY_HTTP_CODES`` (shared with
    Scrapy), ``REPWATCH_RETRY_BACKOFF_BASE`` and ``REPWATCH_RETRY_BACKOFF_MAX`` (seconds).
    """

    def __init__(self, codes: set[int], max_retries: int, base: float, cap: float) -> None:
        self.codes = codes
        self.max_retries = max_retries
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("retries are off")
        return cls(
            codes={int(code) for code in settings.getlist("RETRY_HTTP_CODES")},
            max_retries=settings.getint("RETRY_TIMES"),
            base=settings.getfloat("REPWATCH_RETRY_BACKOFF_BASE"),
            cap=settings.getfloat("REPWATCH_RETRY_BACKOFF_MAX"),
        )

    async def process_response(self, request: Request, response: Response) -> Response:
        retries_done = int(request.meta.get("retry_times", 0))
        will_retry = response.status in self.codes and retries_done < self.max_retries
        if will_retry and not request.meta.get("dont_retry", False):
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            delay = backoff_delay(retries_done, asked, self.base, self.cap)
            logger.info("%s answered %d; retrying in %.1fs", request.url, response.status, delay)
            await asyncio.sleep(delay)
        return response
