"""Bring a valid item to the shape the database expects."""

from __future__ import annotations

from datetime import UTC

from scrapy.crawler import Crawler

from crawler.items import MentionItem
from crawler.parsing.field_values import EXCERPT_CHARS, scrub, stable_id

# Column widths of storage.models.Mention.
MAX_EXTERNAL_ID = 512
MAX_AUTHOR = 300
MAX_LANG = 16
ELLIPSIS = "…"


def truncate(value: str, limit: int) -> str:
    """`value` cut to at most `limit` characters, the cut marked with an ellipsis."""
    return value if len(value) <= limit else value[: limit - 1] + ELLIPSIS


class NormaliseMentionPipeline:
    """Trims and bounds the text fields, keeps ids within their column, dates in UTC.

    Settings: ``REPWATCH_MAX_TEXT_CHARS`` (longer texts are cut).
    """

    def __init__(self, max_text_chars: int) -> None:
        self.max_text_chars = max_text_chars

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormaliseMentionPipeline:
        return cls(crawler.settings.getint("REPWATCH_MAX_TEXT_CHARS"))

    def process_item(self, item: MentionItem) -> MentionItem:
        item["external_id"] = bounded_id(scrub(str(item["external_id"])))
        item["text"] = truncate(scrub(str(item["text"])).strip(), self.max_text_chars)
        item["url"] = _bounded(item.get("url"), None)
        item["author"] = _bounded(item.get("author"), MAX_AUTHOR)
        item["lang"] = _bounded(item.get("lang"), MAX_LANG)
        item["title"] = _bounded(item.get("title"), None)
        item["raw_excerpt"] = _bounded(item.get("raw_excerpt"), EXCERPT_CHARS)
        published_at = item.get("published_at")
        item["published_at"] = published_at.astimezone(UTC) if published_at else None
        rating = item.get("rating")
        item["rating"] = None if rating is None else round(float(rating), 2)
        return item


def bounded_id(external_id: str) -> str:
    """The id itself when it fits its column, else a hash of it (a cut id could collide)."""
    external_id = external_id.strip()
    return external_id if len(external_id) <= MAX_EXTERNAL_ID else stable_id(external_id)


def _bounded(value: object, limit: int | None) -> str | None:
    text = scrub(str(value)).strip() if value is not None else ""
    if not text:
        return None
    return text if limit is None else truncate(text, limit)
