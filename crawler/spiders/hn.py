"""Hacker News stories and comments through the Algolia search API."""

from __future__ import annotations

from crawler.parsing.hn import newer_than
from crawler.spiders.base import SourceSpider


class HackerNewsSpider(SourceSpider):
    """Asks only for items newer than the newest one stored (``created_at_i>N``)."""

    name = "hn"
    expects_content = False

    def first_url(self) -> str:
        newest, _ = self.newest_stored
        return newer_than(self.start_url, int(newest.timestamp())) if newest else self.start_url
