"""schema.org ``Review`` objects embedded in HTML as JSON-LD or microdata (via extruct).

Reviews are found anywhere in the extracted data: top level, inside ``@graph``,
or nested under another object (``Product.review``, ``LocalBusiness.review``).
Each JSON-LD ``<script>`` block is read on its own, so one broken block costs
only itself: it becomes a problem and every other review on the page is kept.

Pages often carry the same review in JSON-LD and in microdata (the microdata text
then holds whatever else the element shows, such as "Read more"): one review is one
mention, the JSON-LD one, completed with what only the microdata one says.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

import extruct
from extruct.jsonld import JsonLdExtractor
from extruct.utils import parse_html
from lxml import etree
from lxml.html import HtmlElement

from crawler.parsing.field_values import (
    absolute_url,
    clean_optional,
    clean_text,
    excerpt,
    parse_date,
    primary_language,
    stable_id,
    web_url,
)
from crawler.parsing.payload import decode_text
from crawler.parsing.result import ParsedPage
from storage.repository import MentionData

logger = logging.getLogger(__name__)

REVIEW_TYPES = frozenset({"Review", "UserReview", "CriticReview", "EmployerReview", "MediaReview"})
MAX_DEPTH = 32
_JSONLD_SCRIPTS = '//script[@type="application/ld+json"]'
_NEXT_LINKS = "//link[@href][@rel] | //a[@href][@rel]"
_TYPE_SEPARATORS = re.compile(r"[/#:]")
_FLOAT_MAX = sys.float_info.max
# Shorter texts ("Great!") are too common to tell two reviews apart by.
_MIN_TWIN_TEXT = 20


def read_schemaorg(html: bytes | str, url: str) -> ParsedPage:
    """Reviews, problems and the ``rel=next`` page of one HTML payload."""
    tree = _parse(html)
    data, problems = _jsonld(tree, url)
    microdata, problem = _microdata(tree, url)
    data.extend(microdata)
    problems.extend([problem] if problem else [])
    reviews = (review_mention(review, url) for review in _find_reviews(data, depth=0))
    mentions = _one_per_review(reviews, url)
    return ParsedPage(mentions=mentions, problems=problems, next_url=_next_url(tree, url))


def _one_per_review(mentions: Iterable[MentionData], page_url: str) -> list[MentionData]:
    """The mentions with each review once: same id, or the same review in another syntax."""
    kept: list[MentionData] = []
    for mention in mentions:
        twin = next((i for i, seen in enumerate(kept) if _same_review(seen, mention)), None)
        if twin is None:
            kept.append(mention)
        else:
            kept[twin] = _completed(kept[twin], mention, page_url)
    return kept


def _same_review(one: MentionData, other: MentionData) -> bool:
    """Same id; or same author, no two different dates, and one text the other's start
    (a microdata text runs on into the element's other text)."""
    if one.external_id == other.external_id:
        return True
    if _folded(one.author) != _folded(other.author):
        return False
    if one.published_at and other.published_at and one.published_at != other.published_at:
        return False
    texts = sorted((_folded(one.text), _folded(other.text)), key=len)
    return len(texts[0]) >= _MIN_TWIN_TEXT and texts[1].startswith(texts[0])


def _folded(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def _completed(mention: MentionData, twin: MentionData, page_url: str) -> MentionData:
    """`mention` with the fields it lacks taken from `twin` (a review without a URL of
    its own has the page's)."""
    missing = {
        name: getattr(twin, name)
        for name in ("author", "title", "rating", "lang", "published_at")
        if getattr(mention, name) is None
    }
    if mention.url == page_url:
        missing["url"] = twin.url
    return replace(mention, **missing)


def parse_schemaorg(html: bytes | str, url: str) -> list[MentionData]:
    """The reviews of one HTML payload; problems are logged (see :func:`read_schemaorg`)."""
    page = read_schemaorg(html, url)
    for problem in page.problems:
        logger.warning("%s: %s", url, problem)
    return page.mentions


def next_page_url(html: bytes | str, url: str) -> str | None:
    """The absolute http(s) URL of the page's ``rel=next`` link, if any."""
    return _next_url(_parse(html), url)


def _parse(html: bytes | str) -> HtmlElement:
    # Decode first (BOM, <meta charset>, fallbacks), then parse as UTF-8, so that a
    # wrong or missing declaration never garbles the text.
    text = html if isinstance(html, str) else decode_text(html)
    return parse_page_html(text)


def parse_page_html(text: str) -> HtmlElement:
    """The element tree of an HTML page; an empty tree for a page with no document at all."""
    try:
        return parse_html(text.encode("utf-8"), encoding="utf-8")
    except etree.ParserError:  # lxml: "Document is empty"
        return parse_html(b"<html></html>", encoding="utf-8")


def _jsonld(tree: HtmlElement, url: str) -> tuple[list[Any], list[str]]:
    extractor = JsonLdExtractor()
    data: list[Any] = []
    problems: list[str] = []
    for number, script in enumerate(tree.xpath(_JSONLD_SCRIPTS), start=1):
        try:
            data.extend(extractor.extract_items(script, base_url=url))
        except (ValueError, RecursionError) as exc:
            problems.append(f"JSON-LD block {number} is not valid JSON: {exc}")
    return data, problems


def _microdata(tree: HtmlElement, url: str) -> tuple[list[Any], str | None]:
    try:
        extracted = extruct.extract(tree, base_url=url, syntaxes=["microdata"], uniform=True)
    except ValueError as exc:  # extruct resolving an itemtype or href that is not a URL
        return [], f"microdata could not be read: {exc}"
    return list(extracted.get("microdata", [])), None


def _find_reviews(node: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for child in node:
            yield from _find_reviews(child, depth + 1)
    elif isinstance(node, dict):
        if _types(node) & REVIEW_TYPES:
            yield node
            return
        for child in node.values():
            yield from _find_reviews(child, depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    declared = node.get("@type")
    names = declared if isinstance(declared, list) else [declared]
    return {_TYPE_SEPARATORS.split(name)[-1] for name in names if isinstance(name, str)}


def review_mention(review: dict[str, Any], page_url: str) -> MentionData:
    """One schema.org Review object as a mention."""
    text = clean_text(review.get("reviewBody") or review.get("description"))
    author = _author(review.get("author"))
    published_at = parse_date(review.get("datePublished") or review.get("dateCreated"))
    url = _review_url(review, page_url)
    date = published_at.isoformat() if published_at else None
    return MentionData(
        external_id=_review_id(review, page_url) or stable_id(author, date, text),
        text=text,
        url=url,
        author=author,
        title=clean_optional(review.get("name") or review.get("headline")),
        rating=_rating(review.get("reviewRating")),
        lang=primary_language(_name_or_value(review.get("inLanguage"))),
        published_at=published_at,
        raw_excerpt=excerpt(review),
    )


def _review_id(review: dict[str, Any], page_url: str) -> str | None:
    """The review's own identifier: ``@id`` (any IRI, e.g. a ``urn:``), else its own ``url``."""
    declared = review.get("@id")
    if isinstance(declared, str) and declared.strip():
        return absolute_url(page_url, declared) or declared.strip()
    url = _review_url(review, page_url)
    return url if url != page_url else None


def _review_url(review: dict[str, Any], page_url: str) -> str:
    """The review's own ``@id`` or ``url`` when it has one, else the page's URL."""
    for key in ("@id", "url"):
        value = review.get(key)
        absolute = web_url(page_url, value) if isinstance(value, str) and value.strip() else None
        if absolute:
            return absolute
    return page_url


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        names = [name for name in (_author(item) for item in value) if name]
        return ", ".join(names) or None
    return clean_optional(_name_or_value(value))


def _name_or_value(value: Any) -> Any:
    return value.get("name") if isinstance(value, dict) else value


def _rating(value: Any) -> float | None:
    if isinstance(value, dict):
        return normalise_rating(
            value.get("ratingValue"), value.get("bestRating"), value.get("worstRating")
        )
    return normalise_rating(value)


def normalise_rating(value: Any, best: Any = None, worst: Any = None) -> float | None:
    """A rating mapped onto 1-5 from its own scale (schema.org defaults: best 5, worst 1).

    A value outside its scale, or a scale that is empty, gives None: no guessing.
    """
    number = _number(value)
    high = _number(best)
    low = _number(worst)
    high = 5.0 if high is None else high
    low = 1.0 if low is None else low
    if number is None or high <= low or not low <= number <= high:
        return None
    return round(1 + 4 * (number - low) / (high - low), 2)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if abs(value) < _FLOAT_MAX else None  # ints past 1e308
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def _next_url(tree: HtmlElement, url: str) -> str | None:
    for element in tree.xpath(_NEXT_LINKS):
        if "next" in element.get("rel", "").lower().split():
            target = web_url(url, element.get("href"))
            if target:
                return target
    return None
