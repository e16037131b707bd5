"""Changes against the week before and against the average of the earlier weeks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports.trends import Delta, Reference, delta, reference, trends
from reports.weekly import WeekTotal

MONDAY = date(2026, 11, 2)


def week(n: int, mentions: int, negative: int, score: float | None = None) -> WeekTotal:
    scored = mentions if score is not None else 0
    return WeekTotal(MONDAY + timedelta(weeks=n), mentions, negative, scored, 0, score, None)


def test_reference_pools_the_weeks() -> None:
    # 10 mentions (2 negative, mean -0.1) and 30 (15 negative, mean -0.5):
    # 20 a week, 17/40 negative, mean score (10 × -0.1 + 30 × -0.5) / 40 = -0.4.
    pooled = reference([week(0, 10, 2, -0.1), week(1, 30, 15, -0.5)])
    assert pooled is not None
    assert (pooled.mentions, pooled.mean_rating, pooled.weeks) == (20.0, None, 2)
    assert (pooled.negative_share, pooled.mean_score) == (
        pytest.approx(17 / 40),
        pytest.approx(-0.4),
    )
    assert reference([]) is None


def test_reference_of_silent_weeks_has_no_share() -> None:
    pooled = reference([week(0, 0, 0), week(1, 0, 0)])
    assert pooled is not None
    assert (pooled.mentions, pooled.negative_share, pooled.mean_score) == (0.0, None, None)


def test_delta_against_a_reference() -> None:
    change = delta(week(2, 30, 12, -0.2), Reference(20.0, 0.25, -0.4, None, 2))
    assert change is not None
    assert (change.mentions, change.mean_rating) == (10.0, None)
    assert change.mentions_pct == pytest.approx(0.5)
    assert change.negative_share == pytest.approx(0.15)
    assert change.mean_score == pytest.approx(0.2)
    assert delta(week(2, 30, 12), None) is None


def test_delta_after_silence_has_no_percentage_or_share() -> None:
    change = delta(week(1, 4, 1), Reference(0.0, None, None, None, 1))
    assert change == Delta(4.0, None, None, None, None)
    quiet = delta(week(1, 0, 0), Reference(5.0, 0.2, None, None, 1))
    assert quiet == Delta(-5.0, -1.0, None, None, None)


def test_trends_compare_each_week_with_the_weeks_before_it() -> None:
    series = [week(0, 10, 1), week(1, 20, 4), week(2, 30, 15)]
    first, second, third = trends(series)
    assert first.vs_previous is None and first.vs_average is None
    assert second.vs_previous == second.vs_average  # one earlier week: the same reference
    assert third.vs_previous is not None and third.vs_average is not None
    assert third.vs_previous.mentions == 10
    assert third.vs_previous.negative_share == pytest.approx(0.5 - 0.2)
    assert third.vs_average.mentions == 15  # against (10 + 20) / 2
    assert third.vs_average.mentions_pct == pytest.approx(1.0)
    assert third.vs_average.negative_share == pytest.approx(0.5 - 5 / 30)
