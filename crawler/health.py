"""Source health: ok, quiet or broken — pure rules over a run's numbers and history.

- **broken**: the run had errors (failed requests, parse errors, block pages,
  store errors), or a source that has yielded items before answered a page with
  none on it (its layout changed, or it serves an empty shell);
- **quiet**: it fetched and parsed fine, but nothing new has appeared for longer
  than its usual gap: twice the median time between its recent items (a source
  with too little history to know its gap is quiet as soon as a run brings nothing);
- **ok**: new items, or nothing new yet but still within its usual gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median

OK, QUIET, BROKEN = "ok", "quiet", "broken"
GAP_FACTOR = 2
HISTORY_ITEMS = 20


def usual_gap(published: Sequence[datetime]) -> timedelta | None:
    """The median time between consecutive items (newest `HISTORY_ITEMS`), if known."""
    recent = sorted(published)[-HISTORY_ITEMS:]
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(recent)]
    positive = [gap for gap in gaps if gap > 0]
    return timedelta(seconds=median(positive)) if positive else None


def overdue(newest: datetime | None, gap: timedelta | None, now: datetime) -> bool:
    """True when nothing new has come for longer than the usual gap (or it is unknown)."""
    if newest is None or gap is None:
        return True
    return now - newest > gap * GAP_FACTOR


def health_status(
    *, errors: int, empty_page: bool, had_mentions: bool, new_items: int, overdue: bool
) -> str:
    """The source's status after a run (see the module's rules)."""
    if errors or (empty_page and had_mentions):
        return BROKEN
    if new_items or not overdue:
        return OK
    return QUIET
