"""Pages embedding schema.org reviews (JSON-LD, microdata), following ``rel=next``."""

from __future__ import annotations

from crawler.spiders.base import SourceSpider


class SchemaOrgSpider(SourceSpider):
    """Reads reviews page by page, up to ``max_pages`` pages on the start URL's host."""

    name = "schemaorg"
