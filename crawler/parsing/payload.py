"""Turning payload bytes into text or JSON, whatever their declared encoding says."""

from __future__ import annotations

import codecs
import json
from typing import Any

from w3lib.encoding import html_to_unicode

FALLBACK_ENCODING = "cp1252"


def decode_text(body: bytes, declared: str | None = None) -> str:
    """The text of an HTML or text payload: UTF-8 when the bytes are valid UTF-8, else
    what the declaration (`declared`, a byte-order mark or ``<meta charset>``) says.

    Valid UTF-8 wins over a declaration because mislabelled UTF-8 pages ("charset=
    iso-8859-1" on UTF-8 bytes) are common, while non-UTF-8 text with accents is
    almost never valid UTF-8 by accident.
    """
    try:
        return body.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        header = f"text/html; charset={declared}" if declared else None
        try:
            return html_to_unicode(header, body, default_encoding=FALLBACK_ENCODING)[1]
        except UnicodeError:  # a declared codec that decodes nothing ("undefined")
            return body.decode(FALLBACK_ENCODING, errors="replace")


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
