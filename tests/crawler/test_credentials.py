"""Source credentials: which job carries which, and the middleware that puts them on
the wire (the crawl over HTTP is in test_crawl_api_sources.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.spiderloader import SpiderLoader

from config.settings import SOURCE_KINDS, Settings
from crawler.credentials import SourceCredentials
from crawler.job import CrawlJob
from crawler.middlewares.credential_headers import CredentialHeadersMiddleware
from crawler.parsing.registry import READERS
from crawler.scrapy_settings import build_settings

SECRETS = {
    "NAVER_CLIENT_ID": "id-1",
    "NAVER_CLIENT_SECRET": "secret-2",
    "YOUTUBE_API_KEY": "key-3",
    "GOOGLE_APPLICATION_CREDENTIALS": "/run/secrets/play.json",
    "BLUESKY_HANDLE": "acme.bsky.social",
    "BLUESKY_APP_PASSWORD": "pass-4",
    "SLACK_BOT_TOKEN": "xoxb-5",
}


def _job(*kinds: str) -> CrawlJob:
    sources = [{"name": kind, "kind": kind, "url": f"https://{kind}.example/"} for kind in kinds]
    settings = Settings.model_validate({"sources": sources, **SECRETS})
    return CrawlJob.for_sources(settings, settings.sources)


def test_a_job_carries_only_the_credentials_its_kinds_use() -> None:
    job = _job("naver", "rss")

    assert job.credentials == SourceCredentials(
        naver_client_id="id-1", naver_client_secret="secret-2"
    )
    text = job.to_json()
    assert "key-3" not in text and "pass-4" not in text and "xoxb" not in text
    assert CrawlJob.from_json(text).credentials == job.credentials
    assert _job("rss", "hn").credentials == SourceCredentials()


def test_credential_values_never_show_in_a_repr() -> None:
    job = _job("naver", "youtube", "googleplay", "bluesky")

    shown = repr(job)
    assert not any(value in shown for value in ("id-1", "secret-2", "key-3", "pass-4"))
    assert job.credentials.missing("naver") == []
    assert SourceCredentials().missing("naver") == ["NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"]
    assert SourceCredentials().missing("bluesky") == []  # signing in is optional there


def _middleware(headers: dict[str, str], api_host: str) -> CredentialHeadersMiddleware:
    spider = SimpleNamespace(credential_headers=lambda: headers, api_host=api_host)
    crawler: Any = SimpleNamespace(spider=spider)
    return CredentialHeadersMiddleware(crawler)


def test_headers_go_to_the_api_host_and_come_off_before_a_retry_or_redirect_copies_them() -> None:
    middleware = _middleware({"X-Goog-Api-Key": "key-3"}, "www.googleapis.com")
    to_api = Request("https://www.googleapis.com/youtube/v3/commentThreads?videoId=v")
    elsewhere = Request("https://evil.example/", headers={"X-Goog-Api-Key": "copied"})

    middleware.process_request(to_api)
    middleware.process_request(elsewhere)

    assert to_api.headers["X-Goog-Api-Key"] == b"key-3"
    assert "X-Goog-Api-Key" not in elsewhere.headers
    middleware.process_response(to_api, Response(to_api.url, status=503))
    assert "X-Goog-Api-Key" not in to_api.headers  # the retry's copy starts clean
    middleware.process_request(to_api)
    middleware.process_exception(to_api, TimeoutError())
    assert "X-Goog-Api-Key" not in to_api.headers


def test_every_source_kind_has_a_parser_and_a_spider() -> None:
    spiders = set(SpiderLoader.from_settings(build_settings(_job("rss"))).list())

    built_in = set(SOURCE_KINDS) - {"custom"}
    assert built_in == set(READERS)
    assert built_in <= spiders
