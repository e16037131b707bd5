"""A portable SQL expression for the ISO week (Monday, UTC) a timestamp falls in.

Timestamps are stored in UTC (see `storage.models.UTCDateTime`), so the week starts at
Monday 00:00 UTC whatever the database session's own time zone is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from reports.exceptions import UnsupportedDatabaseError


class IsoWeekStart(FunctionElement[date]):
    """SQL: the Monday (a DATE) of the ISO week holding one timestamp argument."""

    type = Date()
    name = "iso_week_start"
    inherit_cache = True


def iso_week_start(timestamp: ColumnElement[Any]) -> IsoWeekStart:
    """The Monday of the ISO week of `timestamp`, computed by the database."""
    return IsoWeekStart(timestamp)


def _argument(element: IsoWeekStart, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(IsoWeekStart, "postgresql")
def _postgresql(element: IsoWeekStart, compiler: SQLCompiler, **kw: Any) -> str:
    # AT TIME ZONE 'UTC' makes date_trunc ignore the session's TimeZone setting.
    timestamp = _argument(element, compiler, **kw)
    return f"CAST(date_trunc('week', ({timestamp}) AT TIME ZONE 'UTC') AS DATE)"


@compiles(IsoWeekStart, "sqlite")
def _sqlite(element: IsoWeekStart, compiler: SQLCompiler, **kw: Any) -> str:
    # 'weekday 0' moves forward to Sunday (or stays there); six days back is its Monday.
    timestamp = _argument(element, compiler, **kw)
    return f"date({timestamp}, 'weekday 0', '-6 days')"


@compiles(IsoWeekStart)
def _unsupported(element: IsoWeekStart, compiler: SQLCompiler, **kw: Any) -> str:
    raise UnsupportedDatabaseError(
        f"weekly reports support SQLite and PostgreSQL, not {compiler.dialect.name}"
    )
