"""YouTube Data API v3 ``commentThreads.list`` answers, for a video (``videoId``) or a
whole channel (``allThreadsRelatedToChannelId``).

``{"kind": "youtube#commentThreadListResponse", "nextPageToken", "items": [thread]}``;
a thread's ``snippet.topLevelComment`` is the comment, and with ``part=snippet,replies``
``replies.comments`` holds up to five of its replies, each read as a mention of its own.
Comment ids are YouTube's. The next page is the same URL with ``pageToken``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from crawler.parsing.field_values import (
    clean_optional,
    clean_text,
    excerpt,
    parse_date,
    plain_text,
    with_query,
)
from crawler.parsing.payload import as_dict, counts, json_reader
from crawler.parsing.result import ParsedPage
from storage.repository import MentionData

WATCH_URL = "https://www.youtube.com/watch"
_EXCERPT_KEYS = ("videoId", "channelId", "authorChannelUrl", "publishedAt", "updatedAt")


@json_reader("YouTube response")
def read_youtube(data: Any, url: str) -> ParsedPage:
    """Comments (and the replies that come with them) of one page, and the next page."""
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return ParsedPage(problems=[_error(data["error"])])
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return ParsedPage(problems=["not a YouTube comment thread list (no 'items' list)"])
    mentions: dict[str, MentionData] = {}
    for thread in items:
        for mention in _thread(as_dict(thread)):
            mentions.setdefault(mention.external_id, mention)
    token = data.get("nextPageToken")
    next_url = with_query(url, pageToken=token) if isinstance(token, str) and mentions else None
    return ParsedPage(mentions=list(mentions.values()), next_url=next_url)


def _error(error: dict[str, Any]) -> str:
    reasons = [as_dict(e).get("reason") for e in error.get("errors") or []]
    reason = ", ".join(r for r in reasons if isinstance(r, str))
    return f"YouTube answered error {error.get('code')} {reason}: {error.get('message') or ''}"


def _thread(thread: dict[str, Any]) -> Iterator[MentionData]:
    snippet = as_dict(thread.get("snippet"))
    top = as_dict(snippet.get("topLevelComment"))
    if top.get("id"):
        yield _comment(top, replies=snippet.get("totalReplyCount"))
    for reply in as_dict(thread.get("replies")).get("comments") or []:
        if as_dict(reply).get("id"):
            yield _comment(reply, replies=None)


def _comment(comment: dict[str, Any], replies: Any) -> MentionData:
    snippet = as_dict(comment.get("snippet"))
    # textOriginal is the text as typed; textDisplay is HTML (links, line breaks).
    text = plain_text(snippet.get("textOriginal")) or clean_text(snippet.get("textDisplay"))
    comment_id = str(comment["id"])
    return MentionData(
        external_id=comment_id,
        text=text,
        url=_watch_url(snippet.get("videoId"), comment_id),
        author=clean_optional(snippet.get("authorDisplayName")),
        published_at=parse_date(snippet.get("publishedAt")),
        raw_excerpt=excerpt({key: snippet[key] for key in _EXCERPT_KEYS if key in snippet}),
        reach=counts({"likes": snippet.get("likeCount"), "replies": replies}),
    )


def _watch_url(video_id: Any, comment_id: str) -> str | None:
    """The comment on its video's page (``lc`` highlights it); None for channel comments."""
    if not isinstance(video_id, str) or not video_id:
        return None
    return f"{WATCH_URL}?{urlencode({'v': video_id, 'lc': comment_id})}"
