"""Imported once by the crawler's fork server (:mod:`crawler.child`): what a crawl imports.

Scrapy imports its components by name as a crawler starts: middlewares, extensions,
download handlers, pipelines, queues, the spiders. Importing them here, once, spares
every forked crawl importing them again. The database drivers SQLAlchemy imports on
a crawl's first connection are imported here too. Nothing here may install Twisted's
reactor, because each crawl installs its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.settings import Settings
from scrapy.utils.misc import load_object, walk_modules_iter
from sqlalchemy.dialects import postgresql, sqlite

import crawler.process  # noqa: F401  (the crawl itself)
from crawler import scrapy_settings

# The settings that name one class each (Scrapy's and this project's own).
CLASS_SETTINGS = (
    "DOWNLOADER",
    "DUPEFILTER_CLASS",
    "ITEM_PROCESSOR",
    "LOG_FORMATTER",
    "REFERRER_POLICY",
    "REQUEST_FINGERPRINTER_CLASS",
    "ROBOTSTXT_PARSER",
    "SCHEDULER",
    "SCHEDULER_DISK_QUEUE",
    "SCHEDULER_MEMORY_QUEUE",
    "SCHEDULER_PRIORITY_QUEUE",
    "SCHEDULER_START_DISK_QUEUE",
    "SCHEDULER_START_MEMORY_QUEUE",
    "SPIDER_LOADER_CLASS",
    "STATS_CLASS",
    "TWISTED_DNS_RESOLVER",
    "SHARED_SCHEDULER",
    "SHARED_DUPEFILTER",
)
# The settings that map classes to their order (None: switched off, never imported).
COMPONENT_SETTINGS = (
    "DOWNLOADER_MIDDLEWARES",
    "EXTENSIONS",
    "ITEM_PIPELINES",
    "SPIDER_MIDDLEWARES",
)


def component_paths(settings: Settings) -> Iterator[str]:
    """The import path of every component the crawler's settings switch on."""
    for name in CLASS_SETTINGS:
        yield settings[name]
    for name in COMPONENT_SETTINGS:
        for path, order in settings.getwithbase(name).items():
            if order is not None:
                yield path
    # Handlers by URL scheme (None: the scheme is switched off).
    yield from (path for path in settings.getwithbase("DOWNLOAD_HANDLERS").values() if path)


def preload() -> None:
    """Import the crawl's components and its spider modules."""
    settings = Settings()
    settings.setmodule(scrapy_settings, priority="project")
    for path in component_paths(settings):
        load_object(path)
    for module in settings.getlist("SPIDER_MODULES"):
        list(walk_modules_iter(module))
    # A crawl's engine imports its driver when it first connects: psycopg was 6 % of a
    # forked crawl's time (py-spy, benchmarks/two_workers).
    postgresql.psycopg.dialect.import_dbapi()
    sqlite.pysqlite.dialect.import_dbapi()


preload()
