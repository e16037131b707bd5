"""Custom spiders that probe the crawler's child process (tests/crawler/test_child.py)."""

from __future__ import annotations

import os
import sys
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider

from crawler.spiders import SourceSpider

ECHOED_VARIABLE = "REPWATCH_TEST_CHILD_ECHO"
EXIT_STATUS = 3


class EnvironmentEchoSpider(SourceSpider):
    """Writes `ECHOED_VARIABLE` as the child sees it to the child's stderr, then crawls
    as usual."""

    name = "environment_echo"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        print(f"{ECHOED_VARIABLE}={os.environ.get(ECHOED_VARIABLE)}", file=sys.stderr, flush=True)


class DyingSpider(SourceSpider):
    """Ends the child process before any source reports, as a crash in it would."""

    name = "dying"

    def __init__(self, *args: object, **kwargs: object) -> None:
        os._exit(EXIT_STATUS)


class NeverIdleSpider(SourceSpider):
    """Crawls its page, then stays open until it is stopped (a source that takes long)."""

    name = "never_idle"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NeverIdleSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.stay_open, signal=signals.spider_idle)
        return spider

    def stay_open(self) -> None:
        raise DontCloseSpider
