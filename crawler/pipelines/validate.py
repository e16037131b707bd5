"""Drop items that cannot become a mention, saying why."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import MentionItem


def invalid_reason(item: MentionItem) -> str | None:
    """Why an item cannot be stored, or None when it can."""
    if not item.get("source"):
        return "no source name"
    if not str(item.get("external_id") or "").strip():
        return "no external id"
    if not str(item.get("text") or "").strip():
        return "no text"
    rating = item.get("rating")
    if rating is not None and not (isinstance(rating, int | float) and 1 <= rating <= 5):
        return f"rating {rating!r} is not within 1-5"
    url = item.get("url")
    if url is not None and _scheme(str(url)) not in ("http", "https"):
        return f"url {url!r} is not http or https"
    published_at = item.get("published_at")
    if published_at is not None and not _is_aware(published_at):
        return "published_at is not a timezone-aware datetime"
    return None


def _scheme(url: str) -> str | None:
    try:
        return urlsplit(url).scheme
    except ValueError:  # "http://[::1": not a URL at all
        return None


def _is_aware(value: object) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None


class ValidateMentionPipeline:
    """First pipeline: raises DropItem with the reason for an unusable item."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateMentionPipeline:
        return cls()

    def process_item(self, item: MentionItem) -> MentionItem:
        reason = invalid_reason(item)
        if reason is not None:
            raise DropItem(f"source {item.get('source')}: {reason} ({item.get('url')})")
        return item
