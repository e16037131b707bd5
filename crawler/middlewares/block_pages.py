"""Turn a block page (challenge, CAPTCHA, login wall) into a counted failure.

Sits before the retry middlewares on the way back, so a challenge served with
503 or 429 is not retried as if the site were merely busy, and no spider ever
parses it: the request fails with BlockedPageError, counted in
``repwatch/blocked`` (and ``repwatch/blocked/<host>``), which makes the source
broken. robots.txt answers pass untouched (Scrapy's robots middleware handles them).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.exceptions import BlockedPageError
from crawler.parsing.block_signs import block_reason
from crawler.runs import BLOCKED

logger = logging.getLogger(__name__)


def _headers(response: Response) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for name, values in response.headers.items()
    }


class BlockedPageMiddleware:
    """Fails requests answered with a block page (see :func:`block_reason`)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockedPageMiddleware:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt"):
            return response
        requested = request.meta.get("redirect_urls", [request.url])[0]
        reason = block_reason(
            response.status, _headers(response), response.body, response.url, requested
        )
        if reason is None:
            return response
        self.stats.inc_value(BLOCKED)
        self.stats.inc_value(f"{BLOCKED}/{urlsplit(response.url).hostname}")
        logger.warning("blocked at %s: %s", response.url, reason)
        raise BlockedPageError(reason)
