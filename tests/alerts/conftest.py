"""Fixtures for the alerts tests: a clean, migrated database on SQLite and PostgreSQL.

The fake Slack server fixture (`fake_slack`) comes from tests/conftest.py.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from storage.db import get_engine, session_scope
from storage.migrate import upgrade
from storage.models import Alert, Feedback, Incident, Mention, OutboxMessage, Score, Source


def empty(database_url: str) -> str:
    """Delete the rows the alerts stage reads and writes; returns the URL."""
    with session_scope(database_url) as session:
        for model in (Feedback, OutboxMessage, Alert, Incident, Score, Mention, Source):
            session.execute(delete(model))
    return database_url


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per test session, to be copied by each test."""
    path = tmp_path_factory.mktemp("template") / "repwatch.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    get_engine(url).dispose()
    with sqlite3.connect(path) as connection:  # fold the WAL into the file before copying
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def sqlite_url(migrated_sqlite_file: Path, tmp_path: Path) -> str:
    """A migrated SQLite database file for one test (a copy: migrating is the slow part)."""
    path = tmp_path / "repwatch.db"
    shutil.copyfile(migrated_sqlite_file, path)
    return f"sqlite:///{path}"


@pytest.fixture
def alerts_db(database_url: str) -> Iterator[str]:
    """`database_url` emptied before and after: the PostgreSQL database is shared by the session."""
    yield empty(database_url)
    empty(database_url)
