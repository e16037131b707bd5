"""The worked example of a custom spider in docs/sources.md: one Hacker News thread.

A source of ``kind: custom`` names it with
``spider: tests.crawler.hn_thread_spider:HnThreadSpider`` and points ``url`` at
``https://hn.algolia.com/api/v1/items/<story id>``, which returns the story with
its whole comment tree nested under ``children``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response

from crawler.parsing.field_values import clean_optional, clean_text
from crawler.parsing.payload import load_json
from crawler.parsing.result import ParsedPage
from crawler.spiders import SourceSpider
from storage.repository import MentionData

ITEM_URL = "https://news.ycombinator.com/item?id={}"
MAX_DEPTH = 100


class HnThreadSpider(SourceSpider):
    """Reads the story and every comment of one thread; the thread is one page."""

    name = "hn_thread"

    def read_page(self, response: Response) -> ParsedPage:
        return read_thread(response.body, response.url)


def read_thread(body: bytes, url: str) -> ParsedPage:
    """The story and its comments as mentions; problems for anything else."""
    try:
        item = load_json(body)
    except ValueError as exc:
        return ParsedPage(problems=[f"not JSON: {exc}"])
    if not isinstance(item, dict) or not isinstance(item.get("children"), list):
        return ParsedPage(problems=["not a Hacker News item with children"])
    return ParsedPage(mentions=[_mention(node) for node in _walk(item, depth=0)])


def _walk(node: dict[str, Any], depth: int) -> Iterator[dict[str, Any]]:
    """The node and its descendants, depth-first; deleted comments have no text."""
    if node.get("text") or node.get("title"):
        yield node
    if depth >= MAX_DEPTH:
        return
    for child in node.get("children") or []:
        if isinstance(child, dict):
            yield from _walk(child, depth + 1)


def _mention(node: dict[str, Any]) -> MentionData:
    title = clean_optional(node.get("title"))
    seconds = node.get("created_at_i")
    return MentionData(
        external_id=str(node["id"]),
        text=clean_text(node.get("text")) or title or "",
        url=ITEM_URL.format(node["id"]),
        author=clean_optional(node.get("author")),
        title=title,
        published_at=datetime.fromtimestamp(seconds, UTC) if isinstance(seconds, int) else None,
        reach={"points": node["points"]} if isinstance(node.get("points"), int) else None,
    )
