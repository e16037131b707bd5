"""Apple App Store customer-reviews JSON feeds.

``https://itunes.apple.com/{country}/rss/customerreviews/page={n}/id={app}/sortby=mostrecent/json``
serves up to ten pages of fifty reviews. Every scalar is wrapped as
``{"label": ...}``; older feeds put the app itself first in ``entry`` (it has no
``im:rating`` and is skipped), and a single review comes as an object, not a list.
The feed's ``link`` list names the last page (``rel="last"``).
"""

from __future__ import annotations

import re
from typing import Any

from crawler.parsing.field_values import clean_optional, clean_text, excerpt, parse_date, stable_id
from crawler.parsing.payload import as_dict, json_reader
from crawler.parsing.result import ParsedPage
from crawler.parsing.schemaorg import normalise_rating
from storage.repository import MentionData

_PAGE = re.compile(r"/page=(\d+)")
_EXCERPT_KEYS = ("id", "author", "updated", "im:rating", "im:version", "title", "im:voteSum")


@json_reader("App Store feed")
def read_appstore(data: Any, url: str) -> ParsedPage:
    """Reviews of one feed page, and the URL of the next page while the feed has more."""
    feed = data.get("feed") if isinstance(data, dict) else None
    if not isinstance(feed, dict):
        return ParsedPage(problems=["not an App Store customer-reviews feed (no 'feed' object)"])
    entries = feed.get("entry")
    entries = [entries] if isinstance(entries, dict) else entries
    entries = entries if isinstance(entries, list) else []
    reviews = [e for e in entries if isinstance(e, dict) and "im:rating" in e]
    mentions = [_review(entry) for entry in reviews]
    next_url = _next_page(url, _last_page(feed)) if mentions else None
    return ParsedPage(mentions=mentions, next_url=next_url)


def _label(node: Any, *path: str) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node.get("label") if isinstance(node, dict) else None


def _review(entry: dict[str, Any]) -> MentionData:
    title = clean_optional(_label(entry, "title"))
    text = clean_text(_content(entry)) or title or ""
    author = clean_optional(_label(entry, "author", "name"))
    published_at = parse_date(_label(entry, "updated"))
    return MentionData(
        external_id=str(_label(entry, "id") or stable_id(author, title, text)),
        text=text,
        url=_href(entry.get("link")),
        author=author,
        title=title,
        rating=normalise_rating(_label(entry, "im:rating"), 5, 1),
        published_at=published_at,
        raw_excerpt=excerpt({key: entry.get(key) for key in _EXCERPT_KEYS if key in entry}),
        reach=_reach(entry),
    )


def _href(link: Any) -> str | None:
    attributes = link.get("attributes") if isinstance(link, dict) else None
    href = attributes.get("href") if isinstance(attributes, dict) else None
    return str(href) if href else None


def _content(entry: dict[str, Any]) -> Any:
    """The plain-text body; old feeds list a text and an html variant."""
    content = entry.get("content")
    if isinstance(content, list):
        texts = [c for c in content if as_dict(as_dict(c).get("attributes")).get("type") == "text"]
        content = (texts or content or [None])[0]
    return content.get("label") if isinstance(content, dict) else None


def _reach(entry: dict[str, Any]) -> dict[str, int] | None:
    figures = {
        "votes": _count(_label(entry, "im:voteSum")),
        "vote_count": _count(_label(entry, "im:voteCount")),
    }
    kept = {name: value for name, value in figures.items() if value is not None}
    return kept or None


def _count(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _last_page(feed: dict[str, Any]) -> int | None:
    links = feed.get("link") or []
    for link in links if isinstance(links, list) else [links]:
        attributes = as_dict(as_dict(link).get("attributes"))
        if attributes.get("rel") == "last":
            match = _PAGE.search(str(attributes.get("href") or ""))
            return int(match.group(1)) if match else None
    return None


def page_url(url: str, page: int) -> str:
    """`url` asking for page number `page` (the ``page=N`` path segment)."""
    if _PAGE.search(url):
        return _PAGE.sub(f"/page={page}", url, count=1)
    return url.replace("/customerreviews/", f"/customerreviews/page={page}/", 1)


def _next_page(url: str, last: int | None) -> str | None:
    match = _PAGE.search(url)
    current = int(match.group(1)) if match else 1
    if last is not None and current >= last:
        return None
    return page_url(url, current + 1)
