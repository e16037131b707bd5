"""Migrations reach head on both databases and agree with the models."""

from __future__ import annotations

from sqlalchemy import inspect

from storage.db import get_engine
from storage.migrate import check, upgrade


def test_upgrade_head_creates_every_table_and_is_repeatable(database_url: str) -> None:
    upgrade(database_url)  # a second upgrade is a no-op
    tables = set(inspect(get_engine(database_url)).get_table_names())
    expected = {
        *("sources", "mentions", "scores", "alerts", "outbox", "crawl_runs"),
        *("incidents", "feedback"),
    }
    assert expected <= tables


def test_models_and_migrations_agree(database_url: str) -> None:
    check(database_url)
