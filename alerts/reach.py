"""How many people a mention reaches, read from the `reach` figures a spider stored.

Sources name the same figure differently, so several keys are read for each:

============  ======================================================================
votes         ``votes``, ``vote_count``, ``score``, ``points``, ``upvotes``, ``likes``,
              ``favourites``, ``favorites``, ``helpful_votes``
comments      ``comments``, ``num_comments``, ``replies``, ``replies_count``
shares        ``shares``, ``reblogs``, ``reblogs_count``, ``retweets``
followers     ``followers``, ``followers_count``, ``author_followers``
============  ======================================================================

Engagement is votes + comments + shares. Values that are not whole non-negative
numbers are ignored: the figures come from the web.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from config.settings import RulesConfig

_KEYS = {
    "votes": (
        "votes", "vote_count", "score", "points", "upvotes", "likes", "favourites", "favorites",
        "helpful_votes",
    ),
    "comments": ("comments", "num_comments", "replies", "replies_count"),
    "shares": ("shares", "reblogs", "reblogs_count", "retweets"),
    "followers": ("followers", "followers_count", "author_followers"),
}  # fmt: skip


@dataclass(frozen=True)
class Reach:
    """The audience figures of one mention."""

    votes: int = 0
    comments: int = 0
    shares: int = 0
    followers: int = 0

    @property
    def engagement(self) -> int:
        """Votes, comments and shares together."""
        return self.votes + self.comments + self.shares


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0
    try:
        number = int(float(value))
    except ValueError:
        return 0
    return max(number, 0)


def read_reach(figures: Mapping[str, Any] | None) -> Reach:
    """The reach of a mention from its stored `reach` JSON (None or junk: nothing)."""
    if not isinstance(figures, Mapping):
        return Reach()
    found = {
        name: max((_count(figures.get(key)) for key in keys), default=0)
        for name, keys in _KEYS.items()
    }
    return Reach(**found)


def reach_points(reach: Reach, rules: RulesConfig) -> int:
    """0, 1 or 2 severity points: the larger of engagement and followers points."""
    engagement = _points(reach.engagement, rules.reach_high, rules.reach_viral)
    followers = _points(reach.followers, rules.followers_high, rules.followers_viral)
    return max(engagement, followers)


def _points(value: int, high: int, viral: int) -> int:
    if value >= viral:
        return 2
    return 1 if value >= high else 0


def describe_reach(reach: Reach) -> str:
    """The figures in words, e.g. "1,204 votes, 87 comments, 15,000 followers"."""
    parts = [
        f"{value:,} {name}"
        for name, value in (
            ("votes", reach.votes),
            ("comments", reach.comments),
            ("shares", reach.shares),
            ("followers", reach.followers),
        )
        if value
    ]
    return ", ".join(parts)
