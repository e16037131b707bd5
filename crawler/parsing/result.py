"""What a parser returns for one payload."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.repository import MentionData


@dataclass(frozen=True, kw_only=True)
class ParsedPage:
    """Mentions found in one payload, the problems met on the way, and the next page.

    A problem is a human-readable reason why part of the payload could not be
    read (a feed with no readable entries, a broken JSON-LD block); spiders count
    each one in the ``repwatch/parse_errors`` stat, and it counts against the
    source's health. A warning says the payload was read all the same, leniently
    (a feed that is not well-formed XML); it is logged and counted in
    ``repwatch/parse_warnings`` only.
    """

    mentions: list[MentionData] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    next_url: str | None = None
