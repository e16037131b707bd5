"""RSS 2.0 and Atom feeds: Google Alerts, Google News search, blogs, Reddit ``.rss``."""

from __future__ import annotations

from crawler.spiders.base import SourceSpider


class RssSpider(SourceSpider):
    """Reads one feed; a malformed feed counts as a parse error, its readable entries are kept."""

    name = "rss"
