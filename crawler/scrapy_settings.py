"""Every Scrapy setting of the crawler, in one module.

The values here are the defaults; :func:`build_settings` lays the configured
``crawl`` section (``config.settings.CrawlConfig``) and the job over them.
``REPWATCH_*`` settings are read by this project's own components.
"""

from __future__ import annotations

import re
from typing import Any

from scrapy.settings import Settings

from config.settings import CrawlConfig
from crawler.job import CrawlJob, SourceTarget

BOT_NAME = "repwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

_defaults = CrawlConfig()  # lower case: Settings.setmodule() takes upper-case names only

# Identity and politeness: a descriptive User-Agent, robots.txt obeyed, AutoThrottle
# adapting the delay to the site's latency, few parallel requests per site.
USER_AGENT = _defaults.user_agent
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "repwatch"
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = _defaults.autothrottle_start_delay
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = _defaults.concurrent_requests_per_domain
DOWNLOAD_DELAY = 0.0
COOKIES_ENABLED = False

# Bounds: slow and huge responses are cut off; a stuck spider is closed.
DOWNLOAD_TIMEOUT = _defaults.download_timeout
DOWNLOAD_MAXSIZE = _defaults.max_response_bytes
DOWNLOAD_WARNSIZE = _defaults.max_response_bytes // 2
CLOSESPIDER_TIMEOUT = 15 * 60
REDIRECT_MAX_TIMES = 5

# Retries on rate limiting, server errors and timeouts (Scrapy's RetryMiddleware), each
# after a pause: the server's Retry-After, else REPWATCH_RETRY_BACKOFF_BASE * 2^n seconds.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]
REPWATCH_RETRY_BACKOFF_BASE = 2.0
REPWATCH_RETRY_BACKOFF_MAX = 60.0

# Only http(s) downloads exist at all; the SSRF guard also refuses other schemes.
DOWNLOAD_HANDLERS = {"data": None, "file": None, "ftp": None, "s3": None}
# The resolver the downloader connects with refuses non-public answers (DNS rebinding).
TWISTED_DNS_RESOLVER = "crawler.middlewares.ssrf.GuardedResolver"
DOWNLOADER_MIDDLEWARES = {
    # First on the way out: nothing else runs for a refused request.
    "crawler.middlewares.ssrf.SsrfGuardMiddleware": 40,
    # Just before RetryMiddleware (550) on the way back.
    "crawler.middlewares.backoff.RetryBackoffMiddleware": 560,
    # Before both: a challenge page is a block, not a busy server to retry.
    "crawler.middlewares.block_pages.BlockedPageMiddleware": 570,
    # API credentials: added last on the way out, taken off before redirects and retries
    # (600, 550) copy the request on the way back.
    "crawler.middlewares.credential_headers.CredentialHeadersMiddleware": 650,
}
ITEM_PIPELINES = {
    "crawler.pipelines.validate.ValidateMentionPipeline": 100,
    "crawler.pipelines.normalise.NormaliseMentionPipeline": 200,
    "crawler.pipelines.store.StoreMentionPipeline": 300,
}

# No interactive telnet console on a worker; logs go to stderr, stdout carries results.
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"

# Distributed crawling (REPWATCH_REDIS_URL set): scrapy-redis keeps the request queue and
# the dupe filter in Redis, one pair of keys per source and run (crawler/scheduler.py says
# why per run and why persisted). Without Redis these stay unused.
SHARED_SCHEDULER = "crawler.scheduler.SharedRunScheduler"
SHARED_DUPEFILTER = "scrapy_redis.dupefilter.RFPDupeFilter"
REPWATCH_REDIS_KEY_TTL = 3 * 3600

# This project's own settings.
REPWATCH_DATABASE_URL = ""
REPWATCH_ALLOW_PRIVATE_NETWORKS = False
REPWATCH_MAX_TEXT_CHARS = 20_000


def robots_token(user_agent: str) -> str:
    """The product token robots.txt rules name: ``repwatch`` in ``repwatch/0.1 (+url)``."""
    match = re.match(r"\s*([A-Za-z0-9_.-]+)", user_agent)
    return match.group(1) if match else BOT_NAME


def from_config(crawl: CrawlConfig) -> dict[str, Any]:
    """The Scrapy settings the configuration's ``crawl`` section decides."""
    return {
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_USER_AGENT": robots_token(crawl.user_agent),
        "ROBOTSTXT_OBEY": crawl.obey_robots_txt,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": crawl.autothrottle_start_delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_requests_per_domain,
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_response_bytes,
        "DOWNLOAD_WARNSIZE": crawl.max_response_bytes // 2,
    }


def run_number(started_at: float, every_s: float) -> int:
    """The run a crawl of a source started at `started_at` (Unix time) belongs to: the
    number of its interval, the same on every worker whose clock agrees."""
    return int(started_at // max(every_s, 1.0))


def shared_run_settings(redis_url: str, target: SourceTarget, started_at: float) -> dict[str, Any]:
    """The scrapy-redis settings of one source's crawl: its run's queue and dupe filter."""
    prefix = f"repwatch:{target.name}:{run_number(started_at, target.every_s)}"
    return {
        "SCHEDULER": SHARED_SCHEDULER,
        "DUPEFILTER_CLASS": SHARED_DUPEFILTER,
        # Never cleared on close: another worker may still be crawling this run.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        "REDIS_URL": redis_url,
        # Outlives the run and a late peer's crawl of it, then Redis forgets the run.
        "REPWATCH_REDIS_KEY_TTL": int(2 * target.every_s) + CLOSESPIDER_TIMEOUT,
    }


def build_settings(job: CrawlJob, target: SourceTarget | None = None) -> Settings:
    """Defaults from this module, then the configuration, then (for one `target` of a job
    with Redis) the shared run's keys, then the job's own overrides."""
    settings = Settings()
    settings.setmodule(__name__, priority="project")
    settings.update(from_config(job.crawl), priority="cmdline")
    settings.update(
        {
            "REPWATCH_DATABASE_URL": job.database_url,
            "REPWATCH_ALLOW_PRIVATE_NETWORKS": job.allow_private_networks,
            "LOG_LEVEL": "INFO" if job.verbose else "WARNING",
        },
        priority="cmdline",
    )
    if job.redis_url and target is not None:
        shared = shared_run_settings(job.redis_url, target, job.started_at)
        settings.update(shared, priority="cmdline")
    settings.update(job.scrapy_settings, priority="cmdline")
    return settings
