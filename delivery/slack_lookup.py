"""Finding a message in Slack by the outbox key it was posted with.

chat.postMessage has no idempotency key, so every outbox post carries its ``dedup_key``
as message metadata. When a post's outcome is unknown (the worker died, or the database
went away, before Slack's answer was recorded), the sender reads the channel's history,
or the thread's replies, back to just before that post, and takes a message carrying the
key for the one it posted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

log = logging.getLogger(__name__)

EVENT_TYPE = "repwatch_outbox"
# Slack stamps messages with its own clock: read a little further back than ours says.
CLOCK_MARGIN = timedelta(minutes=5)
PAGE_SIZE = 100
# A bound on the search, so a busy channel cannot keep a message waiting on rate limits.
MAX_PAGES = 10
# Answers meaning this app may not read the conversation, rather than that Slack is down.
UNREADABLE = frozenset({"missing_scope", "not_in_channel", "channel_not_found", "thread_not_found"})


def outbox_metadata(dedup_key: str) -> dict[str, Any]:
    """The chat.postMessage ``metadata`` that marks a post as this outbox message."""
    return {"event_type": EVENT_TYPE, "event_payload": {"dedup_key": dedup_key}}


def dedup_key_of(message: Mapping[str, Any]) -> str | None:
    """The outbox key a Slack message carries in its metadata, if any."""
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != EVENT_TYPE:
        return None
    return (metadata.get("event_payload") or {}).get("dedup_key")


def find_posted(
    client: WebClient,
    channel: str,
    dedup_key: str,
    since: datetime,
    thread_ts: str | None = None,
) -> str | None:
    """The ts of the message carrying `dedup_key` posted to `channel` id (in the thread
    of `thread_ts`) since `since`, or None.

    Raises the client's errors, `UNREADABLE` refusals included.
    """
    oldest = f"{(since - CLOCK_MARGIN).timestamp():.6f}"
    cursor = None
    for _ in range(MAX_PAGES):
        page = _read_page(client, channel, thread_ts, oldest, cursor)
        found = [m["ts"] for m in page.get("messages") or [] if dedup_key_of(m) == dedup_key]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if found or not (page.get("has_more") and cursor):
            return str(found[0]) if found else None
    log.warning(
        "outbox message %s not found in the %d newest messages of %s since %s; "
        "taking it as not posted",
        dedup_key,
        MAX_PAGES * PAGE_SIZE,
        channel,
        since.isoformat(),
    )
    return None


def _read_page(
    client: WebClient, channel: str, thread_ts: str | None, oldest: str, cursor: str | None
) -> SlackResponse:
    """One page of the channel's history, or of the thread's replies."""
    thread: dict[str, Any] = {} if thread_ts is None else {"ts": thread_ts}
    read = client.conversations_history if thread_ts is None else client.conversations_replies
    return read(
        channel=channel,
        oldest=oldest,
        cursor=cursor,
        include_all_metadata=True,
        limit=PAGE_SIZE,
        **thread,
    )
