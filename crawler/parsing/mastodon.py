"""Mastodon statuses: ``/api/v1/timelines/tag/{tag}`` (a list) and ``/api/v2/search``
(``{"statuses": [...]}``).

``content`` is HTML; a boost (``reblog``) is read as the boosted status. Ids are
server-local and grow with time, so the next (older) page is the same URL with
``max_id`` set to the page's smallest id, and an incremental crawl asks for
``since_id`` = the newest id already stored. External ids are those local ids: a
source is bound to one server.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from crawler.parsing.field_values import (
    clean_optional,
    clean_text,
    excerpt,
    parse_date,
    primary_language,
    with_query,
)
from crawler.parsing.payload import as_dict, counts, json_reader
from crawler.parsing.result import ParsedPage
from storage.repository import MentionData

_EXCERPT_KEYS = ("id", "uri", "url", "created_at", "language", "spoiler_text", "content")


@json_reader("Mastodon response")
def read_mastodon(data: Any, url: str) -> ParsedPage:
    """Statuses of one timeline or search page, and the URL of the next (older) page."""
    statuses = data.get("statuses") if isinstance(data, dict) else data
    if not isinstance(statuses, list):
        if isinstance(data, dict) and data.get("error"):
            return ParsedPage(problems=[f"Mastodon answered an error: {data['error']}"])
        return ParsedPage(problems=["not a Mastodon status list or search result"])
    mentions: dict[str, MentionData] = {}
    for status in statuses:
        if isinstance(status, dict) and status.get("id") is not None:
            mention = _status(_boosted(status) or status)
            mentions.setdefault(mention.external_id, mention)
    page_ids = [str(s["id"]) for s in statuses if isinstance(s, dict) and s.get("id")]
    return ParsedPage(mentions=list(mentions.values()), next_url=_older_page(url, page_ids))


def _boosted(status: dict[str, Any]) -> dict[str, Any] | None:
    """The status a boost (``reblog``) carries, when it is one."""
    reblog = status.get("reblog")
    return reblog if isinstance(reblog, dict) and reblog.get("id") is not None else None


def _status(status: dict[str, Any]) -> MentionData:
    account = as_dict(status.get("account"))
    return MentionData(
        external_id=str(status["id"]),
        text=clean_text(status.get("content")) or clean_text(status.get("spoiler_text")),
        url=_text_or_none(status.get("url")) or _text_or_none(status.get("uri")),
        author=clean_optional(account.get("acct") or account.get("username")),
        title=clean_optional(status.get("spoiler_text")),
        lang=primary_language(status.get("language")),
        published_at=parse_date(status.get("created_at")),
        raw_excerpt=excerpt({key: status.get(key) for key in _EXCERPT_KEYS if key in status}),
        reach=_reach(status, account),
    )


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _reach(status: dict[str, Any], account: dict[str, Any]) -> dict[str, int] | None:
    figures = {
        "favourites": status.get("favourites_count"),
        "reblogs": status.get("reblogs_count"),
        "replies": status.get("replies_count"),
        "followers": account.get("followers_count"),
    }
    return counts(figures)


def _id_order(value: str) -> tuple[int, str]:
    return (len(value), value) if value.isdigit() else (0, value)


def _older_page(url: str, page_ids: list[str]) -> str | None:
    if not page_ids:
        return None
    return with_query(url, max_id=min(page_ids, key=_id_order))


def newer_than(url: str, status_id: str) -> str:
    """`url` asking only for statuses newer than `status_id`: ``since_id`` on timelines,
    ``min_id`` on ``/api/v2/search`` (which has no ``since_id``)."""
    if "/api/v2/search" in urlsplit(url).path:
        return with_query(url, min_id=status_id)
    return with_query(url, since_id=status_id)
