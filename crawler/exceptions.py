"""Errors of the crawler."""

from scrapy.exceptions import IgnoreRequest


class CrawlerError(Exception):
    """Root of the crawler's own errors."""


class UnknownSourceError(CrawlerError):
    """A source name was asked for that the configuration does not define."""


class SourceNotSyncedError(CrawlerError):
    """The `sources` table has no row for a source being crawled (run sync_sources first)."""


class CrawlProcessError(CrawlerError):
    """The crawler child process failed before reporting every source."""


class InvalidCrawlJobError(CrawlerError):
    """The job given to ``python -m crawler`` on stdin is not valid JSON of a CrawlJob."""


class ForbiddenAddressError(CrawlerError, IgnoreRequest):
    """A request targets a scheme or address that crawling must not reach (SSRF guard)."""


class UnknownKindError(CrawlerError):
    """A source kind has no built-in parser (``repwatch extract --kind``)."""


class SpiderLoadError(CrawlerError):
    """A custom source's ``spider`` cannot be imported or is not a SourceSpider."""


class BlockedPageError(CrawlerError, IgnoreRequest):
    """The site answered a block page (challenge, CAPTCHA, login wall), not content."""


class CredentialsError(CrawlerError):
    """A source's credentials cannot be read or were refused (never says their value)."""
