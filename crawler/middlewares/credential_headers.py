"""Put a source's API credentials on its requests as they leave, and only to its API.

Headers are set in the downloader, never on the Request a spider yields: requests
wait in the scheduler, which with scrapy-redis is a Redis list shared by every
worker, and a redirect or retry copies a request's headers to the next one. So the
credentials are added on the way out to the API's own host (the host of the
source's URL), taken off again on the way back, answer or exception (before
RetryMiddleware and RedirectMiddleware copy the request), and never sent to any
other host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response


class CredentialHeadersMiddleware:
    """Adds ``spider.credential_headers()`` to requests for ``spider.api_host``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CredentialHeadersMiddleware:
        return cls(crawler)

    def _credentials(self) -> tuple[str | None, dict[str, str]]:
        spider = self.crawler.spider
        headers = getattr(spider, "credential_headers", None)
        if headers is None:
            return None, {}
        return getattr(spider, "api_host", None), headers()

    def process_request(self, request: Request) -> None:
        api_host, headers = self._credentials()
        to_api = api_host is not None and urlsplit(request.url).hostname == api_host
        for name, value in headers.items():
            if to_api:
                request.headers[name] = value
            else:
                request.headers.pop(name, None)

    def process_response(self, request: Request, response: Response) -> Response:
        self._take_off(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._take_off(request)  # before RetryMiddleware copies it for a timeout's retry

    def _take_off(self, request: Request) -> None:
        _, headers = self._credentials()
        for name in headers:
            request.headers.pop(name, None)
