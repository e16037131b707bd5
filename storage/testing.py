"""Throwaway PostgreSQL databases for tests and benchmarks: created, migrated, dropped."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from storage.db import get_engine
from storage.migrate import upgrade


@contextmanager
def throwaway_postgres_database(
    admin_url: str, *, prefix: str = "repwatch_tmp", migrated: bool = True
) -> Iterator[str]:
    """A new database on `admin_url`'s server (migrated unless asked not to); its URL.

    Dropped afterwards even while sessions still hold connections (WITH (FORCE)).
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        if migrated:
            upgrade(url)
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
