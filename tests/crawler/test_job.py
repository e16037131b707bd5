"""The job handed to the crawler process, and the Scrapy settings built from it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from config.settings import Settings
from crawler.exceptions import InvalidCrawlJobError
from crawler.job import CrawlJob, SourceTarget
from crawler.scrapy_settings import build_settings, robots_token

SOURCES = [{"name": "blog", "kind": "rss", "url": "https://blog.example.com/feed"}]


def _settings(**fields: object) -> Settings:
    return Settings.model_validate({"sources": SOURCES, **fields})


def test_job_round_trips_through_json_without_secrets() -> None:
    settings = _settings(slack_bot_token="xoxb-very-secret", slack_signing_secret="shh")

    job = CrawlJob.for_sources(settings, settings.sources, max_pages=3)
    text = job.to_json()

    assert "xoxb" not in text and "shh" not in text and "slack" not in text
    assert CrawlJob.from_json(text) == job
    assert job.sources == (SourceTarget("blog", "rss", "https://blog.example.com/feed"),)


def test_a_bad_job_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidCrawlJobError, match="not a crawl job"):
        CrawlJob.from_json('{"database_url": "sqlite://"}')


def test_the_crawler_process_exits_2_on_a_bad_job() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crawler"], input="{", capture_output=True, text=True, check=False
    )

    assert done.returncode == 2
    assert "not a crawl job" in done.stderr


def test_scrapy_settings_follow_the_configuration() -> None:
    settings = _settings(
        crawl={
            "user_agent": "acme-watch/2.0 (+mailto:ops@acme.example)",
            "concurrent_requests_per_domain": 3,
            "download_timeout": 12,
            "max_response_bytes": 65536,
            "autothrottle": False,
            "obey_robots_txt": False,
        }
    )
    job = CrawlJob.for_sources(settings, settings.sources, scrapy_settings={"RETRY_TIMES": 5})

    built = build_settings(job)

    assert built["USER_AGENT"] == "acme-watch/2.0 (+mailto:ops@acme.example)"
    assert built["ROBOTSTXT_USER_AGENT"] == "acme-watch"
    assert built.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 3
    assert built.getint("DOWNLOAD_TIMEOUT") == 12
    assert built.getint("DOWNLOAD_MAXSIZE") == 65536
    assert built.getbool("AUTOTHROTTLE_ENABLED") is False
    assert built.getbool("ROBOTSTXT_OBEY") is False
    assert built.getint("RETRY_TIMES") == 5


def test_default_scrapy_settings_are_polite() -> None:
    built = build_settings(CrawlJob.for_sources(_settings(), []))

    assert built.getbool("ROBOTSTXT_OBEY") and built.getbool("AUTOTHROTTLE_ENABLED")
    assert built["USER_AGENT"].startswith("repwatch/")
    assert {429, 500, 502, 503, 504} <= set(built.getlist("RETRY_HTTP_CODES"))
    assert built.getbool("TELNETCONSOLE_ENABLED") is False
    assert list(built.getdict("ITEM_PIPELINES")) == [
        "crawler.pipelines.validate.ValidateMentionPipeline",
        "crawler.pipelines.normalise.NormaliseMentionPipeline",
        "crawler.pipelines.store.StoreMentionPipeline",
    ]


def test_robots_token() -> None:
    assert robots_token("repwatch/0.1 (+https://x)") == "repwatch"
    assert robots_token("") == "repwatch"


def test_targets_resolve_keywords_pages_and_backfill_from_the_configuration() -> None:
    settings = Settings.model_validate(
        {
            "brand": {"name": "Acme", "keywords": ["acme", "roadrunner"]},
            "crawl": {"backfill_window": "2d"},
            "sources": [
                {"name": "hn", "kind": "hn", "url": "https://hn.algolia.com/api/v1/search?query=a"},
                {"name": "blog", "kind": "rss", "url": "https://b.example.com/feed"},
                {
                    "name": "news",
                    "kind": "rss",
                    "url": "https://news.google.com/rss/search?q=acme",
                    "match_keywords": True,
                    "keywords": ["ACME Corp"],
                    "max_pages": 2,
                    "backfill_window": "6h",
                },
            ],
        }
    )

    hn, blog, news = CrawlJob.for_sources(settings, settings.sources).sources

    assert (hn.keywords, hn.max_pages, hn.backfill_window_s) == (
        ("acme", "roadrunner"),
        None,
        172800,
    )
    assert blog.keywords == ()  # feeds of one's own brand are not filtered by default
    assert (news.keywords, news.max_pages, news.backfill_window_s) == (("ACME Corp",), 2, 21600)


def test_a_custom_source_must_name_its_spider() -> None:
    with pytest.raises(ValueError, match="set it for kind custom"):
        _settings(sources=[{"name": "x", "kind": "custom", "url": "https://x.example.com/"}])
    with pytest.raises(ValueError, match="set it for kind custom"):
        _settings(sources=[{**SOURCES[0], "spider": "a.b:C"}])


def test_custom_spiders_load_by_dotted_path_and_refuse_anything_else() -> None:
    from crawler.exceptions import SpiderLoadError
    from crawler.spiders.loading import load_spider
    from tests.crawler.hn_thread_spider import HnThreadSpider

    assert load_spider("tests.crawler.hn_thread_spider:HnThreadSpider") is HnThreadSpider
    assert load_spider("tests.crawler.hn_thread_spider.HnThreadSpider") is HnThreadSpider
    with pytest.raises(SpiderLoadError, match="not a subclass"):
        load_spider("tests.crawler.hn_thread_spider:read_thread")
    with pytest.raises(SpiderLoadError, match="cannot load spider"):
        load_spider("nowhere.module:Spider")
    with pytest.raises(SpiderLoadError, match="no spider named 'acme'"):
        load_spider("acme")


def test_a_custom_spider_that_cannot_load_is_reported_not_crashed() -> None:
    import io

    from crawler.process import run_job

    job = CrawlJob(
        database_url="sqlite://",
        allow_private_networks=True,
        crawl=_settings().crawl,
        sources=(SourceTarget("x", "custom", "https://x.example.com/", spider="nowhere:Spider"),),
    )
    out = io.StringIO()

    assert run_job(job, out) is True
    assert "cannot load spider 'nowhere:Spider'" in out.getvalue()
