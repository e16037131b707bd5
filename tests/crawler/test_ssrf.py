"""The SSRF guard: schemes, address classes, name resolution, redirects, the middleware."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.exceptions import ForbiddenAddressError
from crawler.middlewares.ssrf import Resolver, SsrfGuardMiddleware, refusal_reason


def _resolves_to(*addresses: str) -> Resolver:
    return lambda host: list(addresses)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://127.9.9.9:8080/",
        "http://10.0.0.5/",
        "http://192.168.1.1/admin",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata service
        "http://100.100.100.200/latest/meta-data/",  # carrier-grade NAT range (Alibaba metadata)
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00:ec2::254]/",  # AWS metadata over IPv6
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://224.0.0.1/",
    ],
)
def test_non_public_addresses_are_refused(url: str) -> None:
    assert refusal_reason(url, allow_private=False) is not None


def test_a_name_is_judged_by_every_address_it_resolves_to() -> None:
    rebinding = _resolves_to("93.184.215.14", "127.0.0.1")

    reason = refusal_reason("https://feeds.example.com/x", False, rebinding)
    assert reason == "feeds.example.com resolves to the non-public address 127.0.0.1"
    public = _resolves_to("93.184.215.14")
    assert refusal_reason("https://feeds.example.com/x", False, public) is None


def test_localhost_is_resolved_and_refused() -> None:
    assert refusal_reason("http://localhost:8000/", allow_private=False) is not None


def test_public_addresses_pass() -> None:
    assert refusal_reason("https://93.184.215.14/feed.xml", allow_private=False) is None
    assert refusal_reason("http://[2606:4700::6810:85e5]/", allow_private=False) is None


@pytest.mark.parametrize("allow_private", [False, True])
@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://ftp.example.com/f", "data:text/plain,hi", "gopher://x/"]
)
def test_other_schemes_are_always_refused(url: str, allow_private: bool) -> None:
    assert "is not http or https" in (refusal_reason(url, allow_private) or "")


def test_private_addresses_pass_when_allowed() -> None:
    assert refusal_reason("http://127.0.0.1:8080/feed", allow_private=True) is None


def _middleware(allow_private: bool) -> SsrfGuardMiddleware:
    crawler = get_crawler(settings_dict={"REPWATCH_ALLOW_PRIVATE_NETWORKS": allow_private})
    return SsrfGuardMiddleware.from_crawler(crawler)


def test_middleware_refuses_loopback_and_counts_it() -> None:
    middleware = _middleware(allow_private=False)

    with pytest.raises(ForbiddenAddressError) as caught:
        middleware.process_request(Request("http://127.0.0.1:8080/feed.xml"))

    assert isinstance(caught.value, IgnoreRequest)  # Scrapy drops it and calls the errback
    assert middleware.stats.get_value("repwatch/ssrf_refused") == 1


def test_middleware_refuses_file_even_when_private_networks_are_allowed() -> None:
    with pytest.raises(ForbiddenAddressError):
        _middleware(allow_private=True).process_request(Request("file:///etc/passwd"))


def test_middleware_checks_each_redirect_hop() -> None:
    middleware = _middleware(allow_private=False)
    hop = Request(
        "http://169.254.169.254/latest/meta-data/",
        meta={"redirect_urls": ["https://93.184.215.14/feed"]},
    )

    middleware.process_request(Request("https://93.184.215.14/feed"))  # passes
    with pytest.raises(ForbiddenAddressError):
        middleware.process_request(hop)
