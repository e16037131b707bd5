"""Keep crawling away from private networks and non-web schemes (SSRF guard).

Three checks, all skipped (but the scheme) when the configuration sets
``allow_private_networks``:

1. Every request passes :class:`SsrfGuardMiddleware` before it is downloaded: start
   URLs, ``robots.txt``, pagination and each redirect hop (Scrapy's redirect
   middleware schedules the next hop as a new request, which comes through here
   again). Only ``http`` and ``https`` are allowed, always. A host that does not
   resolve is refused, and so is one with any address that is not globally routable
   (loopback, private, link-local and the 169.254.169.254 metadata service,
   carrier-grade NAT, multicast, reserved). An IPv6 address that carries an IPv4 one
   (``::ffff:127.0.0.1``, ``::127.0.0.1``, NAT64 ``64:ff9b::7f00:1``, 6to4
   ``2002:7f00:1::``, Teredo) is judged by the IPv4 address inside.
2. The downloader resolves the host again when it connects, and a DNS answer can
   change in between (DNS rebinding). :class:`GuardedResolver` is the resolver it
   connects with (``TWISTED_DNS_RESOLVER``): it refuses a non-public answer there,
   so the address checked is the address connected to.
3. A response whose peer address (``response.ip_address``) is not public is
   dropped before any parser sees it.

A proxy that the operator configured (``http_proxy``/``https_proxy``) is trusted in
checks 2 and 3; the site behind it is still judged by check 1.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Sequence
from typing import Self
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from scrapy.statscollectors import StatsCollector
from twisted.internet.base import ReactorBase
from twisted.internet.defer import Deferred

from crawler.exceptions import ForbiddenAddressError

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")
_WELL_KNOWN_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215
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
    """True for a globally routable unicast address; an IPv6 address that carries an
    IPv4 one is judged by every IPv4 address inside it."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:  # translated by the local network: could reach anything
            return False
        inner = embedded_ipv4(address)
        if inner:
            return all(is_public(ipv4) for ipv4 in inner)
    return address.is_global and not address.is_multicast


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: IPv4-mapped (``::ffff:a.b.c.d``),
    IPv4-compatible (``::a.b.c.d``), NAT64 (``64:ff9b::a.b.c.d``), 6to4
    (``2002:aabb:ccdd::``), Teredo (server and client); empty for any other."""
    if address.ipv4_mapped:
        return [address.ipv4_mapped]
    if address.sixtofour:
        return [address.sixtofour]
    if address.teredo:
        return list(address.teredo)
    low_32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _WELL_KNOWN_NAT64:
        return [low_32]
    if int(address) >> 32 == 0 and int(address) > 1:  # IPv4-compatible; not :: or ::1
        return [low_32]
    return []


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
    addresses = _addresses(host, resolve)
    if not addresses:
        return f"{host} does not resolve"
    for text in addresses:
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
        if reason is not None:
            self._refuse(request.url, reason)

    def process_response(self, request: Request, response: Response) -> Response:
        """Drop a response from a peer that is not public, whatever the name said (through
        a proxy, the peer is the proxy the operator configured, not the site)."""
        peer = response.ip_address
        if peer is None or self.allow_private or request.meta.get("proxy"):
            return response
        if not is_public(peer):
            self._refuse(response.url, f"the server's address {peer} is not public")
        return response

    def _refuse(self, url: str, reason: str) -> None:
        self.stats.inc_value("repwatch/ssrf_refused")
        logger.warning("refused %s: %s", url, reason)
        raise ForbiddenAddressError(reason)

    def _resolve(self, host: str) -> list[str]:
        # One lookup per host per crawl; a crawl lasts minutes, not days.
        if host not in self._resolved:
            self._resolved[host] = resolve_host(host)
        return self._resolved[host]


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing a non-public answer at connect time.

    The downloader resolves a host through this resolver when it connects, so a name
    that the middleware saw resolve to a public address and that now answers with a
    private one (DNS rebinding) never gets a connection. Built once per crawler
    process from its settings (``REPWATCH_ALLOW_PRIVATE_NETWORKS``).
    """

    def __init__(
        self, reactor: ReactorBase, cache_size: int, timeout: float, allow_private: bool
    ) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.allow_private = allow_private
        # The proxies the operator configured (http_proxy, https_proxy) are trusted:
        # they usually live on the private network, and the site's name is judged
        # by the request check instead.
        self.proxy_hosts = {urlsplit(url).hostname for url in getproxies().values()}

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(
            reactor,
            cache_size,
            settings.getfloat("DNS_TIMEOUT"),
            settings.getbool("REPWATCH_ALLOW_PRIVATE_NETWORKS"),
        )

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        resolved = super().getHostByName(name, timeout)
        if not self.allow_private and name not in self.proxy_hosts:
            resolved.addCallback(self._refuse_non_public, name)
        return resolved

    @staticmethod
    def _refuse_non_public(address: str, name: str) -> str:
        if is_public(ipaddress.ip_address(address)):
            return address
        logger.warning("refused to connect to %s: it now resolves to %s", name, address)
        raise ForbiddenAddressError(f"{name} resolves at connect time to the non-public {address}")
