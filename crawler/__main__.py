"""``python -m crawler``: read a CrawlJob as JSON on stdin, crawl, print summaries on stdout.

Exit status: 0 when every source reported, 1 when some did not, 2 for a bad job.
"""

from __future__ import annotations

import sys
from typing import TextIO

from crawler.exceptions import InvalidCrawlJobError
from crawler.job import CrawlJob
from crawler.process import run_job


def main(stdin: TextIO, stdout: TextIO) -> int:
    try:
        job = CrawlJob.from_json(stdin.read())
    except InvalidCrawlJobError as exc:
        print(f"repwatch crawler: {exc}", file=sys.stderr)
        return 2
    return 0 if run_job(job, stdout) else 1


if __name__ == "__main__":
    sys.exit(main(sys.stdin, sys.stdout))
