"""Naver Search Open API answers: ``/v1/search/{blog,news,cafearticle}.json``.

``{"lastBuildDate", "total", "start", "display", "items": [...]}``. Titles and
descriptions are HTML with the query's words in ``<b>`` and entities escaped. Items
carry no id: the ``link`` is the item's id (stable, unlike the position). Blog posts
are dated by day (``postdate`` ``YYYYMMDD``, Korean time), news by ``pubDate`` (RFC
822); cafe articles carry no date. The next page is ``start`` + ``display``, up to the
API's limit of 1,000 results.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from crawler.parsing.field_values import clean_optional, clean_text, excerpt, parse_date, with_query
from crawler.parsing.payload import json_reader
from crawler.parsing.result import ParsedPage
from storage.repository import MentionData

KOREA = timezone(timedelta(hours=9), "KST")
LAST_START = 1000  # the API answers no page that starts later
_EXCERPT_KEYS = (
    "title",
    "link",
    "originallink",
    "postdate",
    "pubDate",
    "bloggername",
    "bloggerlink",
    "cafename",
    "cafeurl",
)


@json_reader("Naver response")
def read_naver(data: Any, url: str) -> ParsedPage:
    """Blog posts, news articles or cafe articles of one result page, and the next page."""
    if isinstance(data, dict) and data.get("errorCode"):
        return ParsedPage(
            problems=[f"Naver answered error {data['errorCode']}: {data.get('errorMessage', '')}"]
        )
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return ParsedPage(problems=["not a Naver search result (no 'items' list)"])
    mentions: dict[str, MentionData] = {}
    for item in items:
        mention = _item(item) if isinstance(item, dict) else None
        if mention is not None:
            mentions.setdefault(mention.external_id, mention)
    next_url = _next_page(data, url) if mentions else None
    return ParsedPage(mentions=list(mentions.values()), next_url=next_url)


def _item(item: dict[str, Any]) -> MentionData | None:
    link = _link(item.get("link")) or _link(item.get("originallink"))
    if link is None:
        return None
    title = clean_optional(item.get("title"))
    return MentionData(
        external_id=link,
        text=clean_text(item.get("description")) or title or "",
        # News: the publisher's own page rather than Naver's copy of it.
        url=_link(item.get("originallink")) or link,
        author=clean_optional(item.get("bloggername") or item.get("cafename")),
        title=title,
        published_at=parse_date(item.get("pubDate")) or post_date(item.get("postdate")),
        raw_excerpt=excerpt({key: item[key] for key in _EXCERPT_KEYS if key in item}),
    )


def _link(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def post_date(value: Any) -> datetime | None:
    """The start of a blog post's day (``20160926``, Korean time) in UTC; None when odd."""
    if not isinstance(value, str):
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y%m%d")
    except ValueError:
        return None
    return day.replace(tzinfo=KOREA).astimezone(UTC)


def _next_page(data: dict[str, Any], url: str) -> str | None:
    start, display, total = (_whole(data.get(key)) for key in ("start", "display", "total"))
    if start is None or display is None or total is None or display <= 0:
        return None
    following = start + display
    return with_query(url, start=str(following)) if following <= min(total, LAST_START) else None


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
