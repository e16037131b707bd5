"""Hacker News through the Algolia search API (``hn.algolia.com/api/v1/search_by_date``).

A response holds ``hits`` (stories and comments, told apart by ``_tags``), the
current ``page`` (0-based) and ``nbPages``. Texts are HTML with entities; a
comment carries its story's title as ``story_title``. Each mention links to the
item's discussion page, the one stable URL for stories and comments alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from crawler.parsing.field_values import (
    clean_optional,
    clean_text,
    excerpt,
    parse_date,
    utc_from_timestamp,
    with_query,
)
from crawler.parsing.payload import counts, json_reader
from crawler.parsing.result import ParsedPage
from storage.repository import MentionData

ITEM_URL = "https://news.ycombinator.com/item?id={}"
_EXCERPT_KEYS = ("objectID", "_tags", "author", "created_at", "title", "story_title", "url")


@json_reader("Algolia response")
def read_hn(data: Any, url: str) -> ParsedPage:
    """Stories and comments of one search page, and the next page's URL if any."""
    hits = data.get("hits") if isinstance(data, dict) else None
    if not isinstance(hits, list):
        return ParsedPage(problems=["not an Algolia search response (no 'hits' list)"])
    mentions = [_hit(hit) for hit in hits if isinstance(hit, dict) and hit.get("objectID")]
    return ParsedPage(mentions=mentions, next_url=_next_page(data, url))


def _is_comment(hit: dict[str, Any]) -> bool:
    tags = hit.get("_tags")
    return (isinstance(tags, list) and "comment" in tags) or bool(hit.get("comment_text"))


def _hit(hit: dict[str, Any]) -> MentionData:
    comment = _is_comment(hit)
    title = None if comment else clean_optional(hit.get("title"))
    body = hit.get("comment_text") if comment else hit.get("story_text")
    return MentionData(
        external_id=str(hit["objectID"]),
        text=clean_text(body) or title or "",
        url=ITEM_URL.format(hit["objectID"]),
        author=clean_optional(hit.get("author")),
        title=title,
        published_at=_created(hit),
        raw_excerpt=excerpt({key: hit.get(key) for key in _EXCERPT_KEYS if key in hit}),
        reach=_reach(hit),
    )


def _created(hit: dict[str, Any]) -> datetime | None:
    return utc_from_timestamp(hit.get("created_at_i")) or parse_date(hit.get("created_at"))


def _reach(hit: dict[str, Any]) -> dict[str, int] | None:
    figures = {"points": hit.get("points"), "comments": hit.get("num_comments")}
    return counts(figures)


def _next_page(data: dict[str, Any], url: str) -> str | None:
    page, pages = data.get("page"), data.get("nbPages")
    if not isinstance(page, int) or not isinstance(pages, int) or page + 1 >= pages:
        return None
    return with_query(url, page=str(page + 1))


def newer_than(url: str, seconds: int) -> str:
    """`url` restricted to items created after `seconds` (Unix time): ``created_at_i>N``,
    keeping any other numeric filter the configured URL has."""
    current = dict(parse_qsl(urlsplit(url).query)).get("numericFilters", "")
    kept = [f for f in current.split(",") if f and not f.startswith("created_at_i>")]
    return with_query(url, numericFilters=",".join([*kept, f"created_at_i>{seconds}"]))
