"""When the weekly report runs: a weekday and hour on the wall clock of a time zone.

The worker asks `next_report_time` after each run; the report of a run covers the last
ISO week that had ended (`reports.weekly.last_complete_week`). Daylight-saving changes
keep the wall-clock hour: 09:00 stays 09:00 in Berlin in winter and in summer. An hour
that does not exist that day (clocks jump forward) runs at the first instant after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.exceptions import InvalidScheduleError
from config.schedule import time_zone, weekday_number


def next_report_time(now: datetime, weekday: int | str, hour: int, tz: str | ZoneInfo) -> datetime:
    """The first moment strictly after `now` that is `hour`:00 on `weekday` in `tz` (in UTC)."""
    if now.tzinfo is None:
        raise InvalidScheduleError("now must be a timezone-aware datetime")
    if not 0 <= hour <= 23:
        raise InvalidScheduleError(f"hour {hour}: use 0 to 23")
    day, zone = weekday_number(weekday), tz if isinstance(tz, ZoneInfo) else time_zone(tz)
    today = now.astimezone(zone).date()
    candidate = _wall_clock(today + timedelta(days=(day - today.weekday()) % 7), hour, zone)
    if candidate <= now:
        candidate = _wall_clock(candidate.astimezone(zone).date() + timedelta(weeks=1), hour, zone)
    return candidate


def _wall_clock(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """`hour`:00 on `day` in `zone` as a UTC instant. In a skipped hour fold=0 reads the
    time with the offset from before the jump, which lands right after the jump."""
    return datetime.combine(day, time(hour), zone).astimezone(UTC)
