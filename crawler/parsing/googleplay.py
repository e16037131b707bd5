"""Google Play Developer API ``reviews.list`` answers, for one of the user's own apps:
``/androidpublisher/v3/applications/{packageName}/reviews``.

``{"reviews": [{"reviewId", "authorName", "comments": [{"userComment": {...}},
{"developerComment": {...}}]}], "tokenPagination": {"nextPageToken"}}``. The user's
comment carries the text (often after a tab), ``starRating`` 1-5, ``reviewerLanguage``,
``lastModified`` (``{"seconds", "nanos"}``), ``appVersionName``, ``device`` and
``androidOsVersion``; those last three and the developer's reply are kept in the raw
excerpt. The API serves the reviews of the last week; the next page is the same URL
with ``token``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from crawler.parsing.field_values import (
    clean_optional,
    excerpt,
    plain_text,
    primary_language,
    utc_from_timestamp,
    with_query,
)
from crawler.parsing.payload import as_dict, counts, json_reader
from crawler.parsing.result import ParsedPage
from crawler.parsing.schemaorg import normalise_rating
from storage.repository import MentionData

STORE_URL = "https://play.google.com/store/apps/details"
_DETAIL_KEYS = (
    "appVersionName",
    "appVersionCode",
    "device",
    "androidOsVersion",
    "reviewerLanguage",
    "deviceMetadata",
)


@json_reader("Google Play response")
def read_googleplay(data: Any, url: str) -> ParsedPage:
    """Reviews of one page, and the next page while the API has more."""
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        error = data["error"]
        return ParsedPage(
            problems=[f"Google Play answered error {error.get('code')}: {error.get('message')}"]
        )
    if not isinstance(data, dict):
        return ParsedPage(problems=["not a Google Play reviews list"])
    # An app with no reviews in the last week gets an answer without "reviews".
    reviews = data.get("reviews", [])
    if not isinstance(reviews, list):
        return ParsedPage(problems=["not a Google Play reviews list ('reviews' is no list)"])
    package = _package(url)
    mentions = [
        mention for review in reviews if (mention := _review(as_dict(review), package)) is not None
    ]
    token = as_dict(data.get("tokenPagination")).get("nextPageToken")
    next_url = with_query(url, token=token) if isinstance(token, str) and mentions else None
    return ParsedPage(mentions=mentions, next_url=next_url)


def _review(review: dict[str, Any], package: str | None) -> MentionData | None:
    comments = [as_dict(c) for c in review.get("comments") or []]
    user = next((as_dict(c["userComment"]) for c in comments if "userComment" in c), None)
    if not review.get("reviewId") or user is None:
        return None
    review_id = str(review["reviewId"])
    reply = next((as_dict(c["developerComment"]) for c in comments if "developerComment" in c), {})
    details = {key: user[key] for key in _DETAIL_KEYS if key in user}
    if reply:
        details["developerReply"] = reply.get("text")
    return MentionData(
        external_id=review_id,
        text=plain_text(user.get("text")),
        url=f"{STORE_URL}?{urlencode({'id': package, 'reviewId': review_id})}" if package else None,
        author=clean_optional(review.get("authorName")),
        rating=normalise_rating(user.get("starRating"), 5, 1),
        lang=primary_language(user.get("reviewerLanguage")),
        published_at=_modified(user.get("lastModified")),
        raw_excerpt=excerpt(details),
        reach=counts({"thumbs_up": user.get("thumbsUpCount")}),
    )


def _modified(timestamp: Any) -> datetime | None:
    """A protobuf ``Timestamp``: its int64 ``seconds`` come as a JSON string."""
    seconds = as_dict(timestamp).get("seconds")
    if isinstance(seconds, str) and seconds.strip().isdigit():
        seconds = int(seconds)
    return utc_from_timestamp(seconds)


def _package(url: str) -> str | None:
    """The package name in ``…/applications/{packageName}/reviews``."""
    parts = urlsplit(url).path.rstrip("/").split("/")
    if len(parts) >= 3 and parts[-1] == "reviews" and parts[-3] == "applications":
        return unquote(parts[-2])
    return None
