"""Slack mrkdwn and Block Kit primitives: escaping, safe links, dates, limits.

Text from the web is untrusted: it is escaped (``&``, ``<``, ``>``) so that
``<!channel>`` or ``<https://evil|click>`` show as text, and put in ``verbatim`` text
objects so that Slack does not turn names into mentions. Links are built here only, from
http(s) URLs. Slack's limits are kept: 50 blocks, 3000 characters per section text,
2000 per field, 150 per header; what is cut is marked with "…".
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_FIELD_CHARS = 2000
MAX_HEADER_CHARS = 150
MAX_QUOTE_CHARS = 1500
MAX_REPLY_CHARS = 1200
MAX_FALLBACK_CHARS = 300
ELLIPSIS = "…"

_PARTIAL_TAIL = re.compile(r"&[a-z]{0,4}$|<[^>]*$")


def escape(text: str) -> str:
    """Escape Slack's control characters so untrusted text shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marked with "…".

    Never leaves half an escape (``&am``) or half a link (``<http…``) behind.
    """
    if len(text) <= limit:
        return text
    cut = _PARTIAL_TAIL.sub("", text[: limit - len(ELLIPSIS)])
    return cut.rstrip() + ELLIPSIS


def safe_url(url: str | None) -> str | None:
    """The URL ready for a Slack link when it is http(s) with a host, else None."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    encoded = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
    return encoded.replace("&", "&amp;")


def link(url: str | None, label: str) -> str | None:
    """A Slack link ``<url|label>``, or None when the URL is not safe to link."""
    target = safe_url(url)
    if target is None:
        return None
    return f"<{target}|{escape(label).replace('|', '¦')}>"


def slack_date(moment: datetime) -> str:
    """A date Slack shows in the reader's time zone, with a UTC fallback."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def mrkdwn(text: str, limit: int = MAX_SECTION_CHARS) -> Block:
    """A verbatim mrkdwn text object: no automatic mentions or channel links."""
    return {"type": "mrkdwn", "text": truncate(text, limit), "verbatim": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def fields_section(fields: list[str]) -> Block:
    return {"type": "section", "fields": [mrkdwn(field, MAX_FIELD_CHARS) for field in fields]}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def header(text: str) -> Block:
    plain = {"type": "plain_text", "text": truncate(text, MAX_HEADER_CHARS), "emoji": True}
    return {"type": "header", "text": plain}


def divider() -> Block:
    return {"type": "divider"}


def limit_blocks(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[Block]:
    """Keep within Slack's block limit; the last kept block says how many were cut."""
    if len(blocks) <= limit:
        return blocks
    hidden = len(blocks) - limit + 1
    return [*blocks[: limit - 1], context(f"{ELLIPSIS} {hidden} more blocks not shown")]


def chat_message(text: str, blocks: list[Block] | None = None) -> dict[str, Any]:
    """chat.postMessage arguments (less the channel): fallback text, blocks, no unfurling,
    so a link quoted from the web never previews itself in the channel."""
    message: dict[str, Any] = {"text": text, "unfurl_links": False, "unfurl_media": False}
    if blocks is not None:
        message["blocks"] = blocks
    return message
