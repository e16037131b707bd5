"""The SSRF guard: schemes, address classes, name resolution, redirects, the middleware."""

from __future__ import annotations

import ipaddress

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.resolver import dnscache
from scrapy.utils.test import get_crawler

from crawler.exceptions import ForbiddenAddressError
from crawler.middlewares.ssrf import (
    GuardedResolver,
    Resolver,
    SsrfGuardMiddleware,
    is_public,
    refusal_reason,
)


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
        "http://[::127.0.0.1]/",  # IPv4-compatible loopback
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata service
        "http://[64:ff9b:1::1]/",  # local-use NAT64 prefix (RFC 8215)
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[2002:a00:1::1]/",  # 6to4 of 10.0.0.1
        "http://[2001:0:5ef5:79fd::f5ff:fffe]/",  # Teredo, client 10.0.0.1 behind it
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


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::5db8:d70e", "2002:5db8:d70e::1", "::ffff:93.184.215.14", "2606:4700::1111"],
)
def test_ipv6_forms_of_a_public_ipv4_address_stay_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def test_a_host_that_does_not_resolve_is_refused() -> None:
    # Let through, it would be resolved again at connect time, unchecked.
    reason = refusal_reason("https://nowhere.invalid/feed", False, _resolves_to())

    assert reason == "nowhere.invalid does not resolve"
    assert refusal_reason("https://nowhere.invalid/feed", True, _resolves_to()) is None


def test_a_response_from_a_non_public_peer_is_dropped() -> None:
    middleware = _middleware(allow_private=False)
    request = Request("https://feeds.example.com/rss")
    peer = ipaddress.ip_address("127.0.0.1")
    response = HtmlResponse(request.url, body=b"<rss/>", request=request, ip_address=peer)

    with pytest.raises(ForbiddenAddressError, match=r"127\.0\.0\.1 is not public"):
        middleware.process_response(request, response)
    assert middleware.stats.get_value("repwatch/ssrf_refused") == 1
    allowed = _middleware(allow_private=True)
    assert allowed.process_response(request, response) is response
    # Through the operator's proxy, the peer is the proxy: the site was judged by name.
    proxied = request.replace(meta={"proxy": "http://127.0.0.1:3128"})
    assert middleware.process_response(proxied, response.replace(request=proxied))


def _connect_time_answer(resolver: GuardedResolver, name: str, address: str) -> list[object]:
    """What the downloader gets when it resolves `name` and DNS now answers `address`."""
    dnscache[name] = address  # Scrapy's resolver answers from its cache without DNS
    outcome: list[object] = []
    resolver.getHostByName(name).addCallbacks(outcome.append, lambda f: outcome.append(f.value))
    return outcome


def test_the_connect_time_answer_is_checked_too() -> None:
    # DNS rebinding: the middleware saw a public address, the connection would get loopback.
    assert refusal_reason("http://rebind.example/", False, _resolves_to("93.184.215.14")) is None
    guarded = GuardedResolver.from_crawler(get_crawler(), reactor=None)  # type: ignore[arg-type]

    (refused,) = _connect_time_answer(guarded, "rebind.example", "127.0.0.1")

    assert isinstance(refused, ForbiddenAddressError)
    assert str(refused) == "rebind.example resolves at connect time to the non-public 127.0.0.1"
    assert _connect_time_answer(guarded, "public.example", "93.184.215.14") == ["93.184.215.14"]
    allowed = GuardedResolver.from_crawler(
        get_crawler(settings_dict={"REPWATCH_ALLOW_PRIVATE_NETWORKS": True}),
        reactor=None,  # type: ignore[arg-type]
    )
    assert _connect_time_answer(allowed, "rebind.example", "127.0.0.1") == ["127.0.0.1"]


def test_the_operators_proxy_may_be_private(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("https_proxy", "http://proxy.corp.internal:3128")
    guarded = GuardedResolver.from_crawler(get_crawler(), reactor=None)  # type: ignore[arg-type]

    assert _connect_time_answer(guarded, "proxy.corp.internal", "10.1.2.3") == ["10.1.2.3"]
