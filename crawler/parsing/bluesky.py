"""Bluesky post searches: ``app.bsky.feed.searchPosts`` on the public AppView.

``{"posts": [postView, ...], "cursor": "...", "hitsTotal": n}``. A post view holds
its ``uri`` (``at://{did}/app.bsky.feed.post/{rkey}``, the post's id), the author,
the ``record`` as written (``text``, ``createdAt``, ``langs``) and its counters. The
next page is the same URL with ``cursor``; an incremental crawl asks for posts
``since`` the newest one stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crawler.parsing.field_values import (
    clean_optional,
    excerpt,
    parse_date,
    plain_text,
    primary_language,
    with_query,
)
from crawler.parsing.payload import as_dict, counts, json_reader
from crawler.parsing.result import ParsedPage
from storage.repository import MentionData

POST_COLLECTION = "app.bsky.feed.post"
WEB_APP = "https://bsky.app"
_EXCERPT_KEYS = ("uri", "cid", "indexedAt", "record")


@json_reader("Bluesky response")
def read_bluesky(data: Any, url: str) -> ParsedPage:
    """Posts of one search page, and the next page's URL while the search has more."""
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return ParsedPage(
            problems=[f"Bluesky answered {data['error']}: {data.get('message') or ''}".strip()]
        )
    posts = data.get("posts") if isinstance(data, dict) else None
    if not isinstance(posts, list):
        return ParsedPage(problems=["not a Bluesky post search result (no 'posts' list)"])
    mentions: dict[str, MentionData] = {}
    for post in posts:
        if isinstance(post, dict) and isinstance(post.get("uri"), str):
            mention = _post(post)
            mentions.setdefault(mention.external_id, mention)
    cursor = data.get("cursor")
    next_url = with_query(url, cursor=cursor) if isinstance(cursor, str) and mentions else None
    return ParsedPage(mentions=list(mentions.values()), next_url=next_url)


def _post(post: dict[str, Any]) -> MentionData:
    record = as_dict(post.get("record"))
    author = as_dict(post.get("author"))
    handle = clean_optional(author.get("handle"))
    langs = record.get("langs")
    return MentionData(
        external_id=post["uri"],
        text=plain_text(record.get("text")),
        url=_web_url(post["uri"], handle),
        author=handle,
        lang=primary_language(langs[0]) if isinstance(langs, list) and langs else None,
        published_at=_published(record, post),
        raw_excerpt=excerpt({key: post[key] for key in _EXCERPT_KEYS if key in post}),
        reach=counts(
            {
                "likes": post.get("likeCount"),
                "reposts": post.get("repostCount"),
                "replies": post.get("replyCount"),
                "quotes": post.get("quoteCount"),
            }
        ),
    )


def _published(record: dict[str, Any], post: dict[str, Any]) -> datetime | None:
    return parse_date(record.get("createdAt")) or parse_date(post.get("indexedAt"))


def _web_url(uri: str, handle: str | None) -> str | None:
    """``https://bsky.app/profile/{handle}/post/{rkey}`` for a post's ``at://`` URI."""
    repo, _, rest = uri.removeprefix("at://").partition("/")
    collection, _, rkey = rest.partition("/")
    if collection != POST_COLLECTION or not rkey or not repo:
        return None
    return f"{WEB_APP}/profile/{handle or repo}/post/{rkey}"


def newer_than(url: str, published: datetime) -> str:
    """`url` asking only for posts from `published` on (``since``, inclusive)."""
    return with_query(url, since=published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
