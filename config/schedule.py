"""Weekdays and time zones as a configuration names them."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.exceptions import InvalidScheduleError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def weekday_number(weekday: int | str) -> int:
    """0 for Monday … 6 for Sunday, from a number or an English day name."""
    if isinstance(weekday, str):
        name = weekday.strip().lower()
        if name not in WEEKDAYS:
            raise InvalidScheduleError(f"weekday {weekday!r}: write a day name such as monday")
        return WEEKDAYS.index(name)
    if not 0 <= weekday <= 6:
        raise InvalidScheduleError(f"weekday {weekday}: use 0 (Monday) to 6 (Sunday)")
    return weekday


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone called `name`, e.g. ``Asia/Seoul``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidScheduleError(f"unknown time zone {name!r}; use e.g. Europe/Berlin") from exc
