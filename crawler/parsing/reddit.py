"""Reddit listing JSON: ``/r/{sub}/new.json``, ``/search.json``, ``/comments/{id}.json``.

A listing is ``{"kind": "Listing", "data": {"children": [...], "after": ...}}``;
children are posts (``t3``) and comments (``t1``, whose ``replies`` is a nested
listing, or ``""``). A comments page is a list of two listings: the post, then its
comments. The next page is the same URL with ``after=<fullname>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crawler.parsing.field_values import (
    clean_optional,
    clean_text,
    excerpt,
    primary_language,
    utc_from_timestamp,
    with_query,
)
from crawler.parsing.payload import counts, json_reader
from crawler.parsing.result import ParsedPage
from storage.repository import MentionData

SITE = "https://www.reddit.com"
MAX_DEPTH = 50
_EXCERPT_KEYS = ("name", "subreddit", "author", "created_utc", "title", "score", "permalink")


@json_reader("Reddit listing")
def read_reddit(data: Any, url: str) -> ParsedPage:
    """Posts and comments of one listing payload, and the next page's URL if any."""
    listings = data if isinstance(data, list) else [data]
    if not listings or not all(_is_listing(listing) for listing in listings):
        return ParsedPage(problems=["not a Reddit listing (no 'kind': 'Listing')"])
    mentions: dict[str, MentionData] = {}
    for thing in _things(listings, depth=0):
        mention = _mention(thing["kind"], thing["data"])
        mentions.setdefault(mention.external_id, mention)
    after = listings[0]["data"].get("after") if len(listings) == 1 else None
    next_url = with_query(url, after=str(after)) if after and mentions else None
    return ParsedPage(mentions=list(mentions.values()), next_url=next_url)


def _is_listing(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and node.get("kind") == "Listing"
        and isinstance(node.get("data"), dict)
    )


def _things(listings: list[Any], depth: int) -> Iterator[dict[str, Any]]:
    """Every post and comment, replies included, depth-first."""
    if depth > MAX_DEPTH:
        return
    for listing in listings:
        children = listing["data"].get("children")
        for child in children if isinstance(children, list) else []:
            if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
                continue
            if child.get("kind") in ("t1", "t3"):
                yield child
            replies = child["data"].get("replies")
            if _is_listing(replies):
                yield from _things([replies], depth + 1)


def _mention(kind: str, data: dict[str, Any]) -> MentionData:
    is_post = kind == "t3"
    title = clean_optional(data.get("title")) if is_post else None
    body = data.get("selftext") if is_post else data.get("body")
    permalink = data.get("permalink")
    return MentionData(
        external_id=str(data.get("name") or f"{kind}_{data.get('id')}"),
        text=clean_text(body) or title or "",
        url=SITE + permalink if isinstance(permalink, str) and permalink.startswith("/") else None,
        author=_author(data.get("author")),
        title=title,
        lang=primary_language(data.get("lang")),
        published_at=utc_from_timestamp(data.get("created_utc")),
        raw_excerpt=excerpt({key: data.get(key) for key in _EXCERPT_KEYS if key in data}),
        reach=_reach(data),
    )


def _author(name: Any) -> str | None:
    author = clean_optional(name)
    return None if author in (None, "[deleted]") else author


def _reach(data: dict[str, Any]) -> dict[str, int] | None:
    figures = {"score": data.get("score"), "num_comments": data.get("num_comments")}
    return counts(figures)
