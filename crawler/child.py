"""Crawler child processes, forked from a server that has imported Scrapy already.

Twisted's reactor starts once per process, so every crawl runs in a fresh child process.
Importing Scrapy, the spiders and the store pipeline costs about a second of CPU, and a
worker that starts every source's crawl at once paid it once per source, on the cores
that score. multiprocessing's forkserver pays it once per parent: a server process
imports :data:`PRELOADED` and forks a child for each crawl. The child takes the parent's
environment, stdout and stderr as they are when it starts (its working directory and
``sys.path`` come with multiprocessing's own preparation), as a child that subprocess
started would, and sends each source's summary back over a pipe.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Generator
from multiprocessing import get_context, reduction
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from typing import Any

from crawler.exceptions import CrawlProcessError
from crawler.job import CrawlJob, CrawlSummary
from crawler.process import SUMMARY_PREFIX, run_job

# What the fork server imports before it forks: the parent's main script (which each child
# would import again otherwise, see multiprocessing's "safe importing of main module"), the
# crawl and what it loads by name.
PRELOADED = ("__main__", "crawler.preload")

# How long a child that is asked to stop early (SIGTERM: Scrapy closes its spiders and
# the store pipeline writes what it holds) may take before it is killed.
STOP_GRACE_SECONDS = 10.0


class InheritedFd:
    """A file descriptor of the parent's, duplicated into the child as the child starts."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self) -> tuple[Any, ...]:
        return (_adopt, (reduction.DupFd(self.fd),))

    def replace(self, target: int) -> None:
        """Make `target` (1 for stdout, 2 for stderr) this descriptor, in the child."""
        os.dup2(self.fd, target)
        os.close(self.fd)


def _adopt(duplicate: Any) -> InheritedFd:
    return InheritedFd(duplicate.detach())


class _PipeText:
    """What `run_job` writes its summary lines to: one message a line, to the parent."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def write(self, text: str, /) -> int:
        self.connection.send_bytes(text.encode("utf-8"))
        return len(text)

    def flush(self) -> None:
        """Each line is sent as it is written."""


@functools.cache
def _forkserver() -> ForkServerContext:
    context = get_context("forkserver")
    context.set_forkserver_preload(list(PRELOADED))
    return context


def crawl_in_child(job: CrawlJob) -> Generator[CrawlSummary]:
    """Crawl `job` in a fresh child process; each source's summary as it finishes.

    Raises CrawlProcessError when the child fails before reporting any source.
    """
    context = _forkserver()
    reader, writer = context.Pipe(duplex=False)
    inherited = (dict(os.environ), InheritedFd(1), InheritedFd(2))
    child = context.Process(
        target=_child_main, args=(job.to_json(), *inherited, writer), name="repwatch-crawler"
    )
    # A daemon child is stopped (SIGTERM, Scrapy's graceful stop) when its parent exits.
    child.daemon = True
    child.start()
    writer.close()
    reported = 0
    try:
        with reader:
            while (line := _receive(reader)) is not None:
                reported += 1
                yield CrawlSummary.from_json(line.removeprefix(SUMMARY_PREFIX))
    finally:
        # The caller stopped reading (its progress callback raised, or it was closed):
        # stop the crawl rather than leave it running unwatched.
        if child.is_alive():
            child.terminate()
            child.join(STOP_GRACE_SECONDS)
            if child.is_alive():
                child.kill()
        child.join()
    if child.exitcode != 0 and not reported:
        raise CrawlProcessError(
            f"the crawler process exited with status {child.exitcode}; see its log above"
        )


def _receive(reader: Connection) -> str | None:
    try:
        return reader.recv_bytes().decode("utf-8")
    except EOFError:
        return None


def _child_main(
    job_json: str,
    environment: dict[str, str],
    stdout: InheritedFd,
    stderr: InheritedFd,
    writer: Connection,
) -> None:
    """The child's side: the parent's environment and output, then the crawl."""
    os.environ.clear()
    os.environ.update(environment)
    stdout.replace(1)
    stderr.replace(2)
    sys.exit(0 if run_job(CrawlJob.from_json(job_json), _PipeText(writer)) else 1)
