"""RSS 2.0 and Atom feeds (Google Alerts, Google News, blogs, Reddit ``.rss``).

Character sets: the body is decoded first (see :func:`decode_text`: UTF-8, the
charset the crawl's ``Content-Type`` named, the ``<?xml encoding?>`` declaration,
detection) and handed to feedparser as UTF-8 that says so, because feedparser
trusts the declaration and falls back to windows-1252, which turns an undeclared
EUC-KR or Shift_JIS feed into mojibake.

Leniency: a feed that is not well-formed XML but that feedparser's tolerant parser
reads as RSS or Atom gives its entries and a *warning*, and so does a document of
another format (CDF) from which it reads entries; only a payload that is no feed at
all is a *problem* (see :class:`ParsedPage`).

XML safety: the body is handed to feedparser as a byte stream (a plain string
could be taken for a URL or a file name and fetched). feedparser turns off
external general entities on its SAX parser and strips every ``<!ENTITY>``
declaration except plain-text ones before parsing, so no external entity
(XXE) is ever resolved; ``tests/crawler/test_parse_feeds.py`` checks it.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser

from crawler.parsing.field_values import (
    absolute_url,
    clean_optional,
    clean_text,
    excerpt,
    primary_language,
    stable_id,
    utc_from_struct,
    web_url,
)
from crawler.parsing.payload import utf8_xml
from crawler.parsing.result import ParsedPage
from storage.repository import MentionData

logger = logging.getLogger(__name__)

_DATE_KEYS = ("published_parsed", "updated_parsed", "created_parsed")
# Reddit's .rss entries end with "submitted by /u/name [link] [comments]".
_REDDIT_FOOTER = re.compile(
    r"\s*submitted by\s+/u/\S+(\s+to\s+r/\S+)?\s*\[link\]\s*\[comments\]\s*$"
)
_EXCERPT_KEYS = ("id", "link", "title", "author", "published", "updated", "summary")
# What may come before a document's root element: white space, comments, processing
# instructions (<?xml ?>) and a DOCTYPE.
_ROOT_ELEMENT = re.compile(
    rb"(?:\s+|<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>)*<([A-Za-z_][\w:.-]*)", re.DOTALL | re.I
)
_ROOT_SCAN_BYTES = 64 * 1024
_FEED_FORMATS = "repwatch reads RSS 1.0/2.0 and Atom: use the site's feed URL"


def read_feed(body: bytes, url: str) -> ParsedPage:
    """Parse a feed payload; what is wrong with it is reported, never raised.

    The entries that feedparser reads are kept even when the XML is malformed
    (reported as a warning); a payload that is no feed is a problem that names what
    the document is instead.
    """
    document = utf8_xml(body)
    try:
        parsed = feedparser.parse(io.BytesIO(document), resolve_relative_uris=False)
    except Exception as exc:
        # feedparser means never to raise, but broken markup trips its own bugs (seen:
        # AttributeError 'end_width', TypeError in its loose parser): malformed all the same.
        return ParsedPage(problems=[f"malformed feed: {exc.__class__.__name__}: {exc}"])
    language = primary_language(parsed.feed.get("language"))
    mentions = [_entry_mention(entry, url, language) for entry in parsed.entries]
    if not parsed.get("version"):  # neither RSS nor Atom was recognised
        if not mentions:
            return ParsedPage(problems=[f"{_not_a_feed(document)}; {_FEED_FORMATS}"])
        return ParsedPage(
            mentions=mentions, warnings=[_read_leniently(_not_a_feed(document), mentions)]
        )
    bozo = parsed.get("bozo_exception")
    # A declared encoding that had to be overridden is not a broken feed.
    if parsed.bozo and not isinstance(bozo, feedparser.CharacterEncodingOverride):
        # Read as RSS or Atom all the same: a feed without entries is the spider's
        # "holds no items", not a parse error.
        return ParsedPage(
            mentions=mentions, warnings=[_read_leniently(f"malformed feed: {bozo}", mentions)]
        )
    return ParsedPage(mentions=mentions)


def _read_leniently(complaint: str, mentions: list[MentionData]) -> str:
    count = len(mentions)
    entries = "no entries" if not count else "1 entry" if count == 1 else f"{count} entries"
    return f"{complaint}; read leniently ({entries})"


def parse_feed(body: bytes, url: str) -> list[MentionData]:
    """The mentions of a feed payload; problems are logged (see :func:`read_feed`)."""
    page = read_feed(body, url)
    for problem in [*page.problems, *page.warnings]:
        logger.warning("%s: %s", url, problem)
    return page.mentions


def _not_a_feed(document: bytes) -> str:
    """A plain statement of what a document that RSS and Atom parsing did not recognise is."""
    root = _ROOT_ELEMENT.match(document[:_ROOT_SCAN_BYTES])
    if root is None:
        return "not a feed: the payload is empty or holds no XML element"
    name = root.group(1).decode("ascii", errors="replace")
    if name.lower() == "channel":
        return "not an RSS or Atom feed: this is CDF (Channel Definition Format, <CHANNEL>)"
    if name.lower() == "html":
        return "not a feed: this is an HTML page"
    return f"not an RSS or Atom feed: the document's root element is <{name}>"


def _entry_mention(entry: Any, feed_url: str, feed_language: str | None) -> MentionData:
    link = _entry_link(entry, feed_url)
    title = clean_optional(entry.get("title"))
    text = _REDDIT_FOOTER.sub("", clean_text(_entry_body(entry))) or (title or "")
    published_at = next((utc_from_struct(entry[key]) for key in _DATE_KEYS if entry.get(key)), None)
    date = published_at.isoformat() if published_at else None
    external_id = entry.get("id") or link or stable_id(title, text, date)
    return MentionData(
        external_id=str(external_id).strip(),
        text=text,
        url=link,
        author=clean_optional(entry.get("author")),
        title=title,
        lang=_entry_language(entry) or feed_language,
        published_at=published_at,
        raw_excerpt=excerpt({key: entry.get(key) for key in _EXCERPT_KEYS if key in entry}),
    )


def _entry_body(entry: Any) -> str:
    """The richest text an entry carries: full content, else its summary."""
    for content in entry.get("content") or []:
        if content.get("value"):
            return str(content["value"])
    return str(entry.get("summary") or "")


def _entry_language(entry: Any) -> str | None:
    for detail in [*(entry.get("content") or []), entry.get("summary_detail") or {}]:
        language = primary_language(detail.get("language"))
        if language:
            return language
    return None


def _entry_link(entry: Any, feed_url: str) -> str | None:
    link = entry.get("link")
    absolute = absolute_url(feed_url, str(link)) if link else None
    return unwrap_redirect(absolute) if absolute else None


def unwrap_redirect(url: str) -> str:
    """The article behind a Google redirect link (Google Alerts wraps every link)."""
    parts = urlsplit(url)
    if not parts.netloc.split(":")[0].startswith("www.google.") or parts.path != "/url":
        return url
    target = parse_qs(parts.query).get("url", [""])[0]
    return target if web_url(target, target) == target else url
