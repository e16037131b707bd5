"""The source-health alert: a source that used to work has broken.

Raised once per breakage (the crawl summary's ``health_alert_key``), through the outbox
like every other message, so it survives a Slack outage and is never posted twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from delivery.outbox import enqueue
from delivery.slack_text import Block, chat_message, context, escape, header, section, truncate

# Queued behind P1/P2 mention alerts, level with P3: a dead source is urgent, not a crisis.
HEALTH_PRIORITY = 3
MAX_ERROR_CHARS = 500


class BrokenRun(Protocol):
    """What the alert reads of a crawl's summary (``crawler.job.CrawlSummary``): alerts
    need no crawler to tell of one."""

    @property
    def source(self) -> str: ...
    @property
    def error_summary(self) -> str | None: ...
    @property
    def status_counts(self) -> Mapping[str, int]: ...
    @property
    def blocked(self) -> int: ...
    @property
    def health_alert_key(self) -> str | None: ...


def source_health_blocks(summary: BrokenRun, url: str) -> list[Block]:
    """The message: which source, what went wrong, what to check."""
    problem = summary.error_summary or "the crawl parsed no mentions from a source that had them"
    counts = ", ".join(f"HTTP {code}: {n}" for code, n in sorted(summary.status_counts.items()))
    lines = [
        f"*Source:* {escape(summary.source)}",
        f"*URL:* {escape(url)}",
        f"*Problem:* {escape(truncate(problem, MAX_ERROR_CHARS))}",
    ]
    if summary.blocked:
        lines.append(f"*Block pages:* {summary.blocked} (challenge, CAPTCHA or login wall)")
    if counts:
        lines.append(f"*Responses:* {counts}")
    return [
        header(f"Source broken: {summary.source}"),
        section("\n".join(lines)),
        context(
            "Mentions from this source are not being collected. Check the URL in a browser, "
            "then `repwatch status` and `repwatch crawl --source NAME`."
        ),
    ]


def source_health_payload(summary: BrokenRun, url: str) -> dict[str, Any]:
    """chat.postMessage arguments (less the channel); links are not unfurled."""
    return chat_message(f"Source broken: {summary.source}", source_health_blocks(summary, url))


def queue_source_health_alert(
    session: Session, summary: BrokenRun, *, url: str, channel: str, now: datetime
) -> int | None:
    """Queue the alert when this run broke the source; the message id, or None."""
    key = summary.health_alert_key
    if key is None:
        return None
    return enqueue(
        session,
        dedup_key=key,
        channel=channel,
        payload=source_health_payload(summary, url),
        priority=HEALTH_PRIORITY,
        now=now,
    )
