"""Trustpilot business review pages (``https://www.trustpilot.com/review/{domain}``).

The page is a Next.js app: ``<script id="__NEXT_DATA__">`` holds
``props.pageProps.reviews`` (id, title, text, rating 1-5, dates, consumer, likes,
language) and ``props.pageProps.filters.pagination`` (currentPage, totalPages).
When that script is missing or broken, the page's JSON-LD ``Review`` objects are
read instead; their ``@id`` (``…/#/schema/Review/{domain}/{id}``) ends in the same
review id, so a page read either way gives the same external ids.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from lxml.html import HtmlElement

from crawler.parsing.field_values import clean_optional, clean_text, excerpt, parse_date, with_query
from crawler.parsing.payload import as_dict, counts, decode_text
from crawler.parsing.result import ParsedPage
from crawler.parsing.schemaorg import normalise_rating, parse_page_html, read_schemaorg
from storage.repository import MentionData

REVIEW_URL = "https://www.trustpilot.com/reviews/{}"
_NEXT_DATA = '//script[@id="__NEXT_DATA__"]/text()'
_JSONLD_REVIEW_ID = re.compile(r"/schema/Review/[^/]+/([A-Za-z0-9]+)$")
_EXCERPT_KEYS = ("id", "title", "rating", "dates", "language", "likes", "consumer")


def read_trustpilot(body: bytes, url: str) -> ParsedPage:
    """Reviews of one review page (embedded page data, else JSON-LD) and the next page."""
    text = decode_text(body)
    if not text.strip():
        return ParsedPage(problems=["empty page"])
    tree = parse_page_html(text)
    page_data, problem = _next_data(tree)
    if page_data is None:
        return _from_jsonld(text, url, [problem] if problem else [])
    reviews = page_data.get("reviews")
    if not isinstance(reviews, list):
        return ParsedPage(problems=["__NEXT_DATA__ has no props.pageProps.reviews list"])
    mentions = [_review(r) for r in reviews if isinstance(r, dict) and r.get("id")]
    return ParsedPage(mentions=mentions, next_url=_next_page(page_data, url))


def _next_data(tree: HtmlElement) -> tuple[dict[str, Any] | None, str | None]:
    scripts = tree.xpath(_NEXT_DATA)
    if not scripts:
        return None, None
    try:
        data = json.loads(scripts[0])
    except ValueError as exc:
        return None, f"__NEXT_DATA__ is not valid JSON: {exc}"
    props = data.get("props") if isinstance(data, dict) else None
    page = props.get("pageProps") if isinstance(props, dict) else None
    return (page, None) if isinstance(page, dict) else (None, "__NEXT_DATA__ has no pageProps")


def _review(review: dict[str, Any]) -> MentionData:
    dates = as_dict(review.get("dates"))
    consumer = as_dict(review.get("consumer"))
    title = clean_optional(review.get("title"))
    return MentionData(
        external_id=str(review["id"]),
        text=clean_text(review.get("text")) or title or "",
        url=REVIEW_URL.format(review["id"]),
        author=clean_optional(consumer.get("displayName")),
        title=title,
        rating=normalise_rating(review.get("rating"), 5, 1),
        lang=clean_optional(review.get("language")),
        published_at=parse_date(dates.get("publishedDate")),
        raw_excerpt=excerpt({key: review.get(key) for key in _EXCERPT_KEYS if key in review}),
        reach=_reach(review, consumer),
    )


def _reach(review: dict[str, Any], consumer: dict[str, Any]) -> dict[str, int] | None:
    figures = {"likes": review.get("likes"), "author_reviews": consumer.get("numberOfReviews")}
    return counts(figures)


def _next_page(page_data: dict[str, Any], url: str) -> str | None:
    filters = as_dict(page_data.get("filters"))
    pagination = as_dict(filters.get("pagination"))
    current, total = pagination.get("currentPage"), pagination.get("totalPages")
    if not isinstance(current, int) or not isinstance(total, int) or current >= total:
        return None
    return with_query(url, page=str(current + 1))


def _from_jsonld(text: str, url: str, problems: list[str]) -> ParsedPage:
    page = read_schemaorg(text, url)
    mentions = [_with_review_id(mention) for mention in page.mentions]
    return ParsedPage(
        mentions=mentions, problems=[*problems, *page.problems], next_url=page.next_url
    )


def _with_review_id(mention: MentionData) -> MentionData:
    match = _JSONLD_REVIEW_ID.search(mention.external_id)
    if not match:
        return mention
    review_id = match.group(1)
    return replace(mention, external_id=review_id, url=REVIEW_URL.format(review_id))
