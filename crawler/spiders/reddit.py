"""Reddit listing JSON: a subreddit's ``new.json``, ``search.json``, a post's comments."""

from __future__ import annotations

from crawler.spiders.base import SourceSpider


class RedditSpider(SourceSpider):
    """Reads a listing and follows its ``after`` cursor while pages hold new posts."""

    name = "reddit"
