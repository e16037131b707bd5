"""Trustpilot business review pages."""

from __future__ import annotations

from crawler.spiders.base import SourceSpider


class TrustpilotSpider(SourceSpider):
    """Reads review pages (``?page=N``) newest first, from their embedded page data."""

    name = "trustpilot"
