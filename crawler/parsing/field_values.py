"""Small value cleaners shared by the parsers: text, dates, ids, languages."""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import dateparser
from w3lib.html import remove_tags, remove_tags_with_content, replace_entities

EXCERPT_CHARS = 2000
_BLOCK_TAGS = re.compile(r"<\s*/?\s*(br|p|div|li|h[1-6]|tr)\b[^>]*>", re.IGNORECASE)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone surrogate (JSON "\ud800" escapes) cannot be written as UTF-8 anywhere.
_SURROGATES = re.compile("[\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")
_LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
_DATEPARSER_SETTINGS = {
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
}


def clean_text(value: Any) -> str:
    """Plain text from a fragment of HTML: tags dropped, entities decoded, spaces collapsed."""
    if not isinstance(value, str) or not value:
        return ""
    # Block-level breaks become spaces so that "a<br>b" does not read "ab".
    text = _BLOCK_TAGS.sub(" ", value)
    text = remove_tags_with_content(text, which_ones=("script", "style"))
    return plain_text(replace_entities(remove_tags(text)))


def plain_text(value: Any) -> str:
    """Text that is plain already (typed by a person, not HTML: ``a<b`` stays), with
    control characters dropped and spaces collapsed as :func:`clean_text` does."""
    if not isinstance(value, str):
        return ""
    return _WHITESPACE.sub(" ", scrub(_CONTROL_CHARS.sub("", value))).strip()


def scrub(text: str) -> str:
    """`text` with lone surrogates replaced by U+FFFD, so that it can be stored and printed."""
    return _SURROGATES.sub("\ufffd", text)


def clean_optional(value: Any) -> str | None:
    """Like :func:`clean_text`, but None for an empty result."""
    return clean_text(value) or None


def utc_from_timestamp(value: Any) -> datetime | None:
    """An aware UTC datetime from Unix seconds; None for anything that is not a usable time."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):  # out of range, NaN
        return None


def utc_from_struct(value: time.struct_time | None) -> datetime | None:
    """An aware UTC datetime from feedparser's ``*_parsed`` (already UTC) struct."""
    if value is None:
        return None
    return datetime(*value[:6], tzinfo=UTC)


def parse_date(value: Any) -> datetime | None:
    """Read an ISO 8601 or a human date as aware UTC; a date without a zone is UTC.

    Odd or empty values give None rather than an error: a missing date is not a
    reason to lose a review.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed: datetime | None = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = dateparser.parse(text, settings=_DATEPARSER_SETTINGS)
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def absolute_url(base: str, link: str) -> str | None:
    """`link` resolved against `base`; None when it cannot be a URL (``http://[::1``)."""
    try:
        joined = urljoin(base, link.strip())
        urlsplit(joined)
    except ValueError:
        return None
    return joined


def web_url(base: str, link: str) -> str | None:
    """Like :func:`absolute_url`, but only an http(s) URL."""
    joined = absolute_url(base, link)
    return joined if joined and urlsplit(joined).scheme in ("http", "https") else None


def with_query(url: str, **params: str) -> str:
    """`url` with query parameters set (replaced when present)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    # errors="replace": an id from the payload may hold a lone surrogate ("\ud800").
    return urlunsplit(parts._replace(query=urlencode(query, safe="(),>", errors="replace")))


def stable_id(*parts: str | None) -> str:
    """An id from content, for items whose source gives none (same content, same id)."""
    joined = "\x1f".join(part or "" for part in parts)
    return "sha256:" + hashlib.sha256(joined.encode("utf-8")).hexdigest()


def primary_language(value: Any) -> str | None:
    """``en`` from ``en-US``, ``en_gb`` or ``EN``; None for anything not a language tag."""
    if not isinstance(value, str):
        return None
    match = _LANGUAGE_TAG.match(value.strip())
    return match.group(1).lower() if match else None


def excerpt(value: Any) -> str:
    """A bounded JSON rendering of raw source data, kept for debugging parsers."""
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return scrub(text[:EXCERPT_CHARS])
