"""How long to wait before a retry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.middlewares.backoff import backoff_delay, retry_after_seconds

NOW = datetime(2024, 3, 4, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (b"120", 120.0),
        (b" 0 ", 0.0),
        (b"Mon, 04 Mar 2024 12:00:30 GMT", 30.0),
        (b"Mon, 04 Mar 2024 11:00:00 GMT", 0.0),  # already past
        (b"soon", None),
        (None, None),
    ],
)
def test_retry_after_seconds(header: bytes | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, now=NOW) == seconds


@pytest.mark.parametrize(
    ("retries_done", "retry_after", "delay"),
    [
        (0, None, 2.0),
        (1, None, 4.0),
        (3, None, 16.0),
        (9, None, 60.0),  # capped
        (2, 0.0, 0.0),  # the server's word wins
        (0, 3600.0, 60.0),  # but within the cap
    ],
)
def test_backoff_delay(retries_done: int, retry_after: float | None, delay: float) -> None:
    assert backoff_delay(retries_done, retry_after, base=2.0, cap=60.0) == delay
