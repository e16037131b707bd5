"""A scored mention the rules alert on, and the key of the alert on a mention.

Its own module so that deciding (`alerts.service`), syndication and writing import
it the same way, with no import circle between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, cast, literal

from alerts.incidents import Item
from alerts.rules import Decision
from storage.models import Mention, Score

_KEY_PREFIX = "mention:"


def mention_alert_key(mention_id: int) -> str:
    """The unique key of the alert on one mention."""
    return f"{_KEY_PREFIX}{mention_id}"


def mention_alert_key_column() -> ColumnElement[str]:
    """:func:`mention_alert_key` of ``Mention.id`` as SQL, for queries over many mentions."""
    return literal(_KEY_PREFIX).concat(cast(Mention.id, String))


@dataclass(frozen=True)
class Candidate:
    """A scored mention the rules alert on, with what grouping needs to know of it."""

    mention: Mention
    score: Score
    decision: Decision
    item: Item
    related: list[int]
