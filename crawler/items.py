"""The item every spider yields."""

import scrapy


class MentionItem(scrapy.Item):
    """One review or mention of one source, as it flows through the item pipelines.

    Fields mirror :class:`storage.repository.MentionData`, plus ``source`` (the
    configured source name) so that the store pipeline knows where it belongs.
    """

    source = scrapy.Field()
    external_id = scrapy.Field()
    url = scrapy.Field()
    author = scrapy.Field()
    title = scrapy.Field()
    text = scrapy.Field()
    rating = scrapy.Field()
    lang = scrapy.Field()
    published_at = scrapy.Field()
    raw_excerpt = scrapy.Field()
    reach = scrapy.Field()
