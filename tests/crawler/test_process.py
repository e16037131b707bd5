import io
import logging

import pytest

from crawler.job import CrawlSummary
from crawler.process import SUMMARY_PREFIX, SummaryReporter


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_summary_is_written_as_one_prefixed_line() -> None:
    out = io.StringIO()
    reporter = SummaryReporter(out)
    reporter.report(CrawlSummary.unreported("shop", "boom"))
    line = out.getvalue()
    assert line.startswith(SUMMARY_PREFIX) and line.endswith("\n")
    assert CrawlSummary.from_json(line[len(SUMMARY_PREFIX) :]).source == "shop"
    assert reporter.reported == {"shop"}


def test_a_parent_gone_mid_crawl_is_a_warning_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reporter = SummaryReporter(_ClosedPipe())
    with caplog.at_level(logging.WARNING, logger="crawler.process"):
        reporter.report(CrawlSummary.unreported("shop"))
    assert reporter.reported == set()
    assert [r.getMessage() for r in caplog.records] == [
        "crawl of shop finished after its parent exited"
    ]
