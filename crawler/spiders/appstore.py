"""Apple App Store customer-reviews JSON feed of one app in one country."""

from __future__ import annotations

from crawler.spiders.base import SourceSpider


class AppStoreSpider(SourceSpider):
    """Reads the feed page by page (``page=1`` … the feed's last page, at most ten)."""

    name = "appstore"
    default_max_pages = 10
