"""Which parse function reads which source kind's payloads.

Spiders and ``repwatch extract`` both look readers up here, so a saved payload is
read exactly as a crawl reads it.
"""

from __future__ import annotations

from crawler.exceptions import UnknownKindError
from crawler.parsing.appstore import read_appstore
from crawler.parsing.bluesky import read_bluesky
from crawler.parsing.feeds import read_feed
from crawler.parsing.googleplay import read_googleplay
from crawler.parsing.hn import read_hn
from crawler.parsing.mastodon import read_mastodon
from crawler.parsing.naver import read_naver
from crawler.parsing.payload import Reader
from crawler.parsing.reddit import read_reddit
from crawler.parsing.schemaorg import read_schemaorg
from crawler.parsing.trustpilot import read_trustpilot
from crawler.parsing.youtube import read_youtube

READERS: dict[str, Reader] = {
    "rss": read_feed,
    "schemaorg": read_schemaorg,
    "appstore": read_appstore,
    "hn": read_hn,
    "reddit": read_reddit,
    "mastodon": read_mastodon,
    "trustpilot": read_trustpilot,
    "naver": read_naver,
    "bluesky": read_bluesky,
    "youtube": read_youtube,
    "googleplay": read_googleplay,
}


def reader_for(kind: str) -> Reader:
    """The parse function of a built-in source kind; UnknownKindError for any other."""
    try:
        return READERS[kind]
    except KeyError:
        known = ", ".join(sorted(READERS))
        raise UnknownKindError(f"no parser for kind {kind!r}; known kinds: {known}") from None
