"""Run numbers from crawl stats and the source health rule."""

from __future__ import annotations

import pytest

from crawler.runs import RunCounts, describe_errors, source_status

STATS = {
    "repwatch/items/new": 3,
    "repwatch/items/unchanged": 2,
    "repwatch/parse_errors": 1,
    "repwatch/request_failures": 2,
    "repwatch/request_failures/http_404": 1,
    "repwatch/request_failures/ssrf_refused": 1,
    "downloader/response_status_count/200": 4,
    "downloader/response_status_count/404": 1,
}


def test_counts_from_stats() -> None:
    counts = RunCounts.from_stats(STATS)

    assert (counts.items, counts.new_items, counts.updated_items, counts.errors) == (5, 3, 0, 3)
    assert counts.status_counts == {"200": 4, "404": 1}
    assert counts.error_summary == (
        "1 parse errors; 2 failed requests (http_404: 1, ssrf_refused: 1)"
    )


def test_no_errors_no_summary() -> None:
    assert describe_errors({"repwatch/items/new": 1}) is None


def _counts(items: int, new: int, errors: int, empty_pages: int = 0) -> RunCounts:
    return RunCounts(new, 0, items - new, errors, {}, None, empty_pages=empty_pages)


@pytest.mark.parametrize(
    ("counts", "had_mentions", "status"),
    [
        (_counts(items=3, new=3, errors=0), False, "ok"),
        (_counts(items=3, new=0, errors=0), True, "quiet"),
        (_counts(items=0, new=0, errors=0), False, "quiet"),  # a new, empty source
        (_counts(0, 0, 0, empty_pages=1), True, "broken"),  # used to yield, parsed nothing
        (_counts(0, 0, 0, empty_pages=1), False, "quiet"),  # never yielded anything
        (_counts(items=0, new=0, errors=0), True, "quiet"),  # an incremental query: nothing new
        (_counts(items=3, new=1, errors=1), True, "broken"),
    ],
)
def test_source_status(counts: RunCounts, had_mentions: bool, status: str) -> None:
    assert source_status(counts, had_mentions) == status
