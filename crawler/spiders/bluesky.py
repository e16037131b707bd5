"""Bluesky post search: the public ``app.bsky.feed.searchPosts`` endpoint."""

from __future__ import annotations

from crawler.parsing.bluesky import newer_than
from crawler.spiders.base import SourceSpider


class BlueskySpider(SourceSpider):
    """Asks only for posts since the newest stored (``since``), pages with ``cursor``."""

    name = "bluesky"
    expects_content = False

    def first_url(self) -> str:
        newest, _ = self.newest_stored
        return newer_than(self.start_url, newest) if newest else self.start_url
