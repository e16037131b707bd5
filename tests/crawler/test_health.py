"""Source health rules: ok, quiet (nothing new for longer than its usual gap), broken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.health import health_status, overdue, usual_gap
from crawler.job import CrawlSummary

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _daily(count: int, newest: datetime) -> list[datetime]:
    return [newest - timedelta(days=n) for n in range(count)]


def test_usual_gap_is_the_median_time_between_items() -> None:
    dates = [NOW, NOW - timedelta(hours=1), NOW - timedelta(hours=3), NOW - timedelta(hours=9)]

    assert usual_gap(dates) == timedelta(hours=2)
    assert usual_gap([NOW]) is None
    assert usual_gap([NOW, NOW]) is None  # simultaneous items say nothing


@pytest.mark.parametrize(
    ("newest_age", "expected"),
    [(timedelta(hours=12), False), (timedelta(days=1, hours=23), False), (timedelta(days=3), True)],
)
def test_overdue_after_twice_the_usual_gap(newest_age: timedelta, expected: bool) -> None:
    dates = _daily(10, NOW - newest_age)

    assert overdue(max(dates), usual_gap(dates), NOW) is expected


def test_unknown_gap_is_overdue() -> None:
    assert overdue(None, None, NOW) and overdue(NOW, None, NOW)


@pytest.mark.parametrize(
    ("errors", "empty_page", "had_mentions", "new_items", "is_overdue", "status"),
    [
        (0, False, True, 2, True, "ok"),  # new items
        (0, False, True, 0, False, "ok"),  # nothing new yet, within the usual gap
        (0, False, True, 0, True, "quiet"),  # nothing new for longer than usual
        (1, False, True, 5, False, "broken"),  # any error
        (0, True, True, 0, False, "broken"),  # a productive source now shows an empty page
        (0, True, False, 0, True, "quiet"),  # a source that never had anything
    ],
)
def test_health_status(
    errors: int, empty_page: bool, had_mentions: bool, new_items: int, is_overdue: bool, status: str
) -> None:
    facts = health_status(
        errors=errors,
        empty_page=empty_page,
        had_mentions=had_mentions,
        new_items=new_items,
        overdue=is_overdue,
    )
    assert facts == status


def test_health_alert_key_only_when_the_source_just_broke() -> None:
    broke = CrawlSummary.unreported("shop")

    assert broke.health_alert_key is None  # an unreported run did not record a breakage
    summary = CrawlSummary.from_json(
        broke.to_json().replace('"became_broken": false', '"became_broken": true')
    )
    assert summary.health_alert_key == "source-health:shop:run-None"
