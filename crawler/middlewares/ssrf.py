"""Keep crawling away from private networks and non-web schemes (SSRF guard).

Every request passes here before it is downloaded: start URLs, ``robots.txt``,
pagination and each redirect hop (Scrapy's redirect middleware schedules the
next hop as a new request, which comes through this middleware again).
Only ``http`` and ``https`` are allowed, always. A host is resolved and refused
when any of its addresses is not globally routable (loopback, private, link-local
and the 169.254.169.254 metadata service, carrier-grade NAT, multicast, reserved)
unless the configuration sets ``allow_private_networks``.

Limit: the downloader resolves the host again when it connects, so a DNS answer
that changes in between (DNS rebinding) is not caught here.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.exceptions import ForbiddenAddressError

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]


def resolve_host(host: str) -> list[str]:
    """Every address a host name resolves to; empty when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def is_public(address: IPAddress) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def refusal_reason(url: str, allow_private: bool, resolve: Resolver = resolve_host) -> str | None:
    """Why a URL must not be fetched, or None when it may be."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not http or https"
    host = parts.hostname
    if not host:
        return "the URL has no host"
    if allow_private:
        return None
    for text in _addresses(host, resolve):
        if not is_public(ipaddress.ip_address(text.split("%")[0])):
            return f"{host} resolves to the non-public address {text}"
    return None


def _addresses(host: str, resolve: Resolver) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return resolve(host)


class SsrfGuardMiddleware:
    """Refuses requests that :func:`refusal_reason` rejects; counts ``repwatch/ssrf_refused``."""

    def __init__(self, stats: StatsCollector, allow_private: bool) -> None:
        self.stats = stats
        self.allow_private = allow_private
        self._resolved: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SsrfGuardMiddleware:
        assert crawler.stats is not None
        return cls(crawler.stats, crawler.settings.getbool("REPWATCH_ALLOW_PRIVATE_NETWORKS"))

    def process_request(self, request: Request) -> None:
        reason = refusal_reason(request.url, self.allow_private, self._resolve)
        if reason is None:
            return
        self.stats.inc_value("repwatch/ssrf_refused")
        logger.warning("refused %s: %s", request.url, reason)
        raise ForbiddenAddressError(reason)

    def _resolve(self, host: str) -> list[str]:
        # One lookup per host per crawl; a crawl lasts minutes, not days.
        if host not in self._resolved:
            self._resolved[host] = resolve_host(host)
        return self._resolved[host]
