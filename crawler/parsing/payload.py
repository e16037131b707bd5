"""Turning payload bytes into text or JSON, whatever charset they come in."""

from __future__ import annotations

import codecs
import functools
import json
import re
from collections.abc import Callable
from typing import Any

import charset_normalizer
from w3lib.encoding import html_to_unicode

from crawler.parsing.result import ParsedPage

# A parser of one fetched page: its body and URL in, items and problems out.
Reader = Callable[[bytes, str], ParsedPage]

FALLBACK_ENCODING = "cp1252"
# charset-normalizer reads this much of an undeclared body: enough for a verdict, and a
# multi-megabyte page does not cost seconds.
DETECTION_SAMPLE_BYTES = 64 * 1024
_MIN_NON_ASCII_BYTES = 8
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_LATIN_BLOCK = re.compile(r"Basic Latin|Latin|General Punctuation|Currency Symbols|Letterlike")
_XML_DECLARATION = re.compile(r"""^\s*(<\?xml\b[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")
_LEADING_SPACE_BEFORE_XML = re.compile(r"^\s+(?=<\?xml\b)")


def decode_text(body: bytes, declared: str | None = None) -> str:
    """The text of an HTML, XML or text payload, decoded by the first of these that
    applies: a byte-order mark; UTF-8 when the bytes are valid UTF-8; `declared` (the
    charset of the HTTP ``Content-Type`` header); the document's own declaration
    (``<meta charset>``, ``<?xml encoding?>``); detection by charset-normalizer;
    windows-1252. Legacy labels decode as their supersets (EUC-KR as CP949,
    Shift_JIS as CP932, TIS-620 as CP874, GB2312 as GB18030), as browsers do.

    Valid UTF-8 wins over a declaration because mislabelled UTF-8 pages ("charset=
    iso-8859-1" on UTF-8 bytes) are common, while Korean, Japanese or accented text in
    a legacy charset is almost never valid UTF-8 by accident.
    """
    try:
        return body.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        header = f"text/html; charset={declared}" if declared else None
        try:
            return html_to_unicode(
                header, body, default_encoding=FALLBACK_ENCODING, auto_detect_fun=detect_encoding
            )[1]
        except (UnicodeError, LookupError):  # a declared codec that decodes nothing
            return body.decode(FALLBACK_ENCODING, errors="replace")


def detect_encoding(body: bytes) -> str | None:
    """The charset charset-normalizer finds most likely for an undeclared `body`, or None
    (then windows-1252, as browsers do) when the guess is no better than that.

    A guess is no better when the body has too few non-ASCII bytes to judge by, when
    it is UTF-16 or UTF-32 (no web page is, without a byte-order mark), or when it is
    a Latin single-byte code page: those read Western text much alike, and detection
    confuses them on short texts (cp1250 for French), while windows-1252 is what an
    undeclared Western page most often is.
    """
    sample = body[:DETECTION_SAMPLE_BYTES]
    if len(_NON_ASCII.findall(sample)) < _MIN_NON_ASCII_BYTES:
        return None
    for match in charset_normalizer.from_bytes(sample):
        if match.encoding.startswith(("utf_16", "utf_32")):
            continue
        if all(_LATIN_BLOCK.match(alphabet) for alphabet in match.alphabets):
            return None
        return match.encoding
    return None


def utf8_payload(body: bytes, declared: str | None = None) -> bytes:
    """`body` re-encoded as UTF-8 (see :func:`decode_text`); unchanged when it is UTF-8."""
    return body if is_utf8(body) else decode_text(body, declared).encode("utf-8")


def utf8_xml(body: bytes) -> bytes:
    """An XML payload as UTF-8 bytes that say so, for parsers that trust the declaration.

    The ``<?xml … encoding?>`` declaration is rewritten to ``utf-8`` and white space
    before it (a blank line left by a template: real feeds have it) is dropped, which
    XML forbids but which changes nothing in the document.
    """
    text = _LEADING_SPACE_BEFORE_XML.sub("", decode_text(body))
    return _XML_DECLARATION.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")


def is_utf8(body: bytes) -> bool:
    """True when `body` decodes as UTF-8."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def load_json(body: bytes) -> Any:
    """Parse a JSON payload (UTF-8/16/32 detected, or mislabelled 8-bit text).

    Raises ValueError with a short reason when the payload is not JSON.
    """
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        return json.loads(decode_text(body))
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: payload fields can be anything."""
    return value if isinstance(value, dict) else {}


def counts(figures: dict[str, Any]) -> dict[str, int] | None:
    """The figures that are whole numbers (a payload's counters can be null, text or
    booleans), or None when none is: a mention's ``reach``."""
    kept = {k: v for k, v in figures.items() if isinstance(v, int) and not isinstance(v, bool)}
    return kept or None


def json_reader(what: str) -> Callable[[Callable[[Any, str], ParsedPage]], Reader]:
    """Make a reader of JSON answers from a function of the parsed answer and its URL.

    A body that is not JSON is one problem, "`what` is not valid JSON: reason", and no items.
    """

    def wrap(read: Callable[[Any, str], ParsedPage]) -> Reader:
        @functools.wraps(read)
        def reader(body: bytes, url: str) -> ParsedPage:
            try:
                data = load_json(body)
            except ValueError as exc:
                return ParsedPage(problems=[f"{what} is not valid JSON: {exc}"])
            return read(data, url)

        return reader

    return wrap
