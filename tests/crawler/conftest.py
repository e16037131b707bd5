"""Fixtures of the crawler tests: saved payloads, the fake HTTP server, settings."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from config.settings import Settings
from storage.db import get_engine
from storage.migrate import upgrade
from tests.conftest import POSTGRES_ADMIN_URL
from tests.fakes.http_server import FakeHttpServer, fake_http_server  # noqa: F401

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crawler"
RSS = "application/rss+xml"
ATOM = "application/atom+xml"
HTML = "text/html; charset=utf-8"
JSON = "application/json"
CONTENT_TYPES = {".xml": RSS, ".atom": ATOM, ".rss": ATOM, ".json": JSON}


@contextmanager
def stderr_into(path: Path) -> Iterator[None]:
    """The crawler child writes its log to our stderr (fd 2): keep it in `path`."""
    saved = os.dup(2)
    with path.open("wb") as file:
        os.dup2(file.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def fixture_bytes(name: str) -> bytes:
    """A saved payload from tests/fixtures/crawler."""
    return (FIXTURES / name).read_bytes()


def crawl_settings(database_url: str, sources: list[dict[str, Any]], **crawl: Any) -> Settings:
    """Settings for crawling the local fake server: loopback allowed, no AutoThrottle delay."""
    return Settings.model_validate(
        {
            "database_url": database_url,
            "allow_private_networks": True,
            "brand": {"name": "Acme", "keywords": ["acme"]},
            "sources": sources,
            "crawl": {"autothrottle": False, **crawl},
        }
    )


@pytest.fixture
def server(fake_http_server: FakeHttpServer) -> FakeHttpServer:  # noqa: F811
    """The fake server, serving every saved payload under /fixtures/<name>."""
    for path in FIXTURES.iterdir():
        content_type = CONTENT_TYPES.get(path.suffix, HTML)
        fake_http_server.serve_file(f"/fixtures/{path.name}", path, content_type)
    return fake_http_server


@pytest.fixture
def own_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database for one test: crawls commit, so they cannot share one."""
    name = f"repwatch_crawl_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_server_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    get_engine(url).dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
