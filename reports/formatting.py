"""How report figures are written for people, the same in the terminal, HTML and Slack.

Unknown values print as an en dash, never as 0, so "no data" is never mistaken for zero.
"""

from __future__ import annotations

from datetime import timedelta

UNKNOWN = "–"


def share(value: float | None) -> str:
    """A share 0..1 as a percentage: ``33.3%``."""
    return UNKNOWN if value is None else f"{value * 100:.1f}%"


def number(value: float | None, digits: int = 2) -> str:
    """A plain number with `digits` decimals."""
    return UNKNOWN if value is None else f"{value:.{digits}f}"


def signed(value: float | None, digits: int = 0) -> str:
    """A difference with its sign: ``+3``, ``-0.25``."""
    return UNKNOWN if value is None else f"{value:+.{digits}f}"


def signed_points(value: float | None) -> str:
    """A change of share in percentage points: ``+5.0 pp``."""
    return UNKNOWN if value is None else f"{value * 100:+.1f} pp"


def signed_percent(value: float | None) -> str:
    """A relative change: ``+12%``."""
    return UNKNOWN if value is None else f"{value * 100:+.0f}%"


def duration(value: timedelta | None) -> str:
    """A response time, coarse enough to read at a glance: ``12m``, ``3h 05m``, ``2d 4h``."""
    if value is None:
        return UNKNOWN
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours < 1:
        return f"{minutes}m"
    if days < 1:
        return f"{hours}h {minutes % 60:02d}m"
    return f"{days}d {hours % 24}h"
