"""When the weekly report runs next, on a time zone's wall clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from config.exceptions import InvalidScheduleError
from reports.schedule import next_report_time, weekday_number
from reports.weekly import last_complete_week


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 11, 25, 12), utc(2026, 11, 30, 0)),  # Wednesday: next Monday 09:00 KST
        (utc(2026, 11, 22, 23, 59), utc(2026, 11, 23, 0)),  # a minute before
        (utc(2026, 11, 23, 0), utc(2026, 11, 30, 0)),  # exactly at it: the week after
        (utc(2026, 11, 23, 0, 0, 1), utc(2026, 11, 30, 0)),
    ],
)
def test_monday_nine_in_seoul(now: datetime, expected: datetime) -> None:
    assert next_report_time(now, 0, 9, "Asia/Seoul") == expected


def test_wall_clock_hour_is_kept_across_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    winter = next_report_time(utc(2026, 3, 20, 12), "monday", 9, berlin)
    summer = next_report_time(winter, "monday", 9, berlin)
    assert (winter, summer) == (utc(2026, 3, 23, 8), utc(2026, 3, 30, 7))
    assert summer.astimezone(berlin).hour == 9


def test_a_skipped_hour_runs_right_after_the_jump() -> None:
    # Berlin skips 02:00-03:00 on Sunday 29 March 2026.
    moment = next_report_time(utc(2026, 3, 27, 12), "sunday", 2, "Europe/Berlin")
    assert moment == utc(2026, 3, 29, 1)
    assert moment.astimezone(ZoneInfo("Europe/Berlin")).hour == 3


def test_a_repeated_hour_runs_once_at_its_first_occurrence() -> None:
    # Berlin has 02:00-03:00 twice on Sunday 25 October 2026.
    first = next_report_time(utc(2026, 10, 24, 12), "sunday", 2, "Europe/Berlin")
    assert first == utc(2026, 10, 25, 0)
    assert next_report_time(first, "sunday", 2, "Europe/Berlin") == utc(2026, 11, 1, 1)


def test_a_run_reports_the_week_that_ended() -> None:
    run = next_report_time(utc(2026, 11, 25, 12), 0, 9, "Europe/Berlin")
    assert last_complete_week(run).isoformat() == "2026-11-23"


@pytest.mark.parametrize(
    ("weekday", "hour", "tz", "message"),
    [
        (7, 9, "UTC", "0 \\(Monday\\) to 6"),
        ("mon", 9, "UTC", "day name"),
        (0, 24, "UTC", "0 to 23"),
        (0, 9, "Mars/Olympus", "unknown time zone"),
    ],
)
def test_bad_schedules_are_refused(weekday: int | str, hour: int, tz: str, message: str) -> None:
    with pytest.raises(InvalidScheduleError, match=message):
        next_report_time(utc(2026, 11, 25), weekday, hour, tz)


def test_naive_now_is_refused() -> None:
    with pytest.raises(InvalidScheduleError, match="timezone-aware"):
        next_report_time(datetime(2026, 11, 25), 0, 9, "UTC")


def test_weekday_names() -> None:
    assert [weekday_number(day) for day in ("Monday", " sunday ", 3)] == [0, 6, 3]
