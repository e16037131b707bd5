"""One spider per source kind; the spider's ``name`` is the kind in the configuration.

Custom spiders subclass :class:`SourceSpider` (see ``docs/sources.md``).
"""

from crawler.spiders.base import SourceSpider

__all__ = ["SourceSpider"]
