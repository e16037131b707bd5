"""How a week compares: against the week before and against the average of earlier weeks.

The average ("baseline") of a week is taken over the weeks before it in the report
window, so the report week of an N-week report is compared with the N-1 weeks before it.
Shares and means are pooled (total negatives over total mentions, means weighted by how
many mentions were scored or rated), so a quiet week weighs less than a busy one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reports.weekly import WeekFigures, weighted_mean


@dataclass(frozen=True)
class Reference:
    """What a week is compared with: one week, or the mean of several."""

    mentions: float
    negative_share: float | None
    mean_score: float | None
    mean_rating: float | None
    weeks: int


@dataclass(frozen=True)
class Delta:
    """The change of a week against a `Reference`; None where either side is unknown.

    `negative_share` is in share points (0.05 = five percentage points).
    """

    mentions: float
    mentions_pct: float | None
    negative_share: float | None
    mean_score: float | None
    mean_rating: float | None


@dataclass(frozen=True)
class Trend:
    """A week against the week before and against the average of the weeks before it."""

    vs_previous: Delta | None
    vs_average: Delta | None


def reference(weeks: Sequence[WeekFigures]) -> Reference | None:
    """The pooled figures of `weeks`, or None when there are no weeks."""
    if not weeks:
        return None
    mentions = sum(week.mentions for week in weeks)
    negative = sum(week.negative for week in weeks)
    return Reference(
        mentions=mentions / len(weeks),
        negative_share=negative / mentions if mentions else None,
        mean_score=weighted_mean((week.mean_score, week.scored) for week in weeks),
        mean_rating=weighted_mean((week.mean_rating, week.rated) for week in weeks),
        weeks=len(weeks),
    )


def delta(week: WeekFigures, against: Reference | None) -> Delta | None:
    """How `week` differs from `against`; None without a reference."""
    if against is None:
        return None
    share = week.negative_share if week.mentions else None
    return Delta(
        mentions=week.mentions - against.mentions,
        mentions_pct=(week.mentions / against.mentions - 1) if against.mentions else None,
        negative_share=_difference(share, against.negative_share),
        mean_score=_difference(week.mean_score, against.mean_score),
        mean_rating=_difference(week.mean_rating, against.mean_rating),
    )


def _difference(value: float | None, base: float | None) -> float | None:
    return None if value is None or base is None else value - base


def trends(series: Sequence[WeekFigures]) -> list[Trend]:
    """One `Trend` per week of a series (one source, or the totals), oldest first."""
    return [
        Trend(
            vs_previous=delta(week, reference(series[index - 1 : index])),
            vs_average=delta(week, reference(series[:index])),
        )
        for index, week in enumerate(series)
    ]
