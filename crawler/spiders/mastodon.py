"""Mastodon tag timelines and status searches of one server."""

from __future__ import annotations

from crawler.parsing.mastodon import newer_than
from crawler.spiders.base import SourceSpider


class MastodonSpider(SourceSpider):
    """Asks only for statuses newer than the newest stored (``since_id``), pages back
    with ``max_id``."""

    name = "mastodon"
    expects_content = False

    def first_url(self) -> str:
        _, newest_id = self.newest_stored
        return newer_than(self.start_url, newest_id) if newest_id else self.start_url
