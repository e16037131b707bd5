"""Engines and sessions. One engine per database URL per process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker


def _enable_sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def normalise_url(database_url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if database_url.startswith("postgresql://") or database_url.startswith("postgres://"):
        return "postgresql+psycopg://" + database_url.split("://", 1)[1]
    return database_url


@lru_cache(maxsize=8)
def get_engine(database_url: str) -> Engine:
    """Create (once) the engine for a URL; SQLite gets foreign keys, WAL and a busy timeout."""
    url = normalise_url(database_url)
    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _ensure_sqlite_directory(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


@contextmanager
def session_scope(database_url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    factory = sessionmaker(get_engine(database_url), expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


@contextmanager
def advisory_lock(database_url: str, *key: int, wait: bool = True) -> Iterator[bool]:
    """Hold a PostgreSQL advisory lock (`key`: one int8 or two int4) on a connection of
    its own for the block; yields whether it is held. `wait=False` tries once instead of
    waiting. SQLite: yields True, its single writer already serialises what these guard."""
    engine = get_engine(database_url)
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        if wait:
            connection.execute(select(func.pg_advisory_lock(*key)))
            held = True
        else:
            held = bool(connection.scalar(select(func.pg_try_advisory_lock(*key))))
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(select(func.pg_advisory_unlock(*key)))
                connection.commit()
