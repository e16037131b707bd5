"""The week-start expression compiles per dialect and refuses the others."""

from __future__ import annotations

import pytest
from sqlalchemy import column, select
from sqlalchemy.dialects import mysql, postgresql, sqlite

from reports.buckets import iso_week_start
from reports.exceptions import UnsupportedDatabaseError


def compiled(dialect: object) -> str:
    return str(select(iso_week_start(column("ts"))).compile(dialect=dialect))  # type: ignore[arg-type]


def test_postgresql_truncates_in_utc() -> None:
    sql = compiled(postgresql.dialect())
    assert "CAST(date_trunc('week', (ts) AT TIME ZONE 'UTC') AS DATE)" in sql


def test_sqlite_steps_back_from_sunday() -> None:
    assert "date(ts, 'weekday 0', '-6 days')" in compiled(sqlite.dialect())


def test_other_databases_are_refused() -> None:
    with pytest.raises(UnsupportedDatabaseError, match="mysql"):
        compiled(mysql.dialect())
