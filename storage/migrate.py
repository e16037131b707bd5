"""Run Alembic migrations from code (`repwatch db upgrade`, tests, CI)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import normalise_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is interpolation syntax in ConfigParser; URLs may hold encoded characters.
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest)."""
    command.upgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Fail if the models hold changes that no migration records (CI runs this)."""
    command.check(alembic_config(database_url))


def revision(database_url: str, message: str) -> None:
    """Write a new migration from the difference between models and database."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
