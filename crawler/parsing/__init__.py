"""Pure parse functions: saved payload in, mentions out.

The spiders call these on live responses; ``repwatch extract`` and the tests call
them on saved payloads, so both read a payload exactly the same way.
"""

from crawler.parsing.feeds import parse_feed, read_feed
from crawler.parsing.result import ParsedPage
from crawler.parsing.schemaorg import (
    next_page_url,
    normalise_rating,
    parse_schemaorg,
    read_schemaorg,
)

__all__ = [
    "ParsedPage",
    "next_page_url",
    "normalise_rating",
    "parse_feed",
    "parse_schemaorg",
    "read_feed",
    "read_schemaorg",
]
