"""Hypothesis strategies for hostile payloads of every source kind.

Three families: random bytes; real saved payloads with damage done to them; and
payloads of the right shape (the keys each parser reads) holding odd values — wrong
types, huge numbers, NaN, lone surrogates, broken URLs, impossible dates, HTML, entities.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crawler"
FIXTURES_BY_KIND = {
    "rss": ["blog_rss2.xml", "google_alerts.atom", "google_news_ko.xml", "reddit_factorio_top.rss"],
    "schemaorg": ["microdata_reviews.html", "product_jsonld.html", "reviews_page1.html"],
    "appstore": ["appstore_slack_us_p1.json", "appstore_viber_al.json"],
    "hn": ["hn_stories_ssh.json", "hn_comments_nodejs.json"],
    "reddit": ["reddit_askreddit_new.json", "reddit_comment_and_post_info.json"],
    "mastodon": ["mastodon_tag_timeline.json", "mastodon_search_v2.json"],
    "trustpilot": ["trustpilot_next_data.html", "trustpilot_jsonld.html"],
    "naver": ["naver_blog_search.json", "naver_news_search.json"],
    "bluesky": ["bluesky_search_posts.json"],
    "youtube": ["youtube_comment_threads.json", "youtube_comment_threads_replies.json"],
    "googleplay": ["googleplay_reviews.json", "googleplay_reviews_with_token.json"],
}
TRICKY_TEXT = [
    "",
    " ",
    "http://[::1",
    "http://[oops/x",
    "javascript:alert(1)",
    "//evil.example/x",
    "file:///etc/passwd",
    "<script>alert(1)</script>",
    "&amp;&lt;&#0;&#x110000;",
    "2024-02-30T25:61:00Z",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-14:00",
    "yesterday at 25 o'clock",
    "1e309",
    "-1",
    "NaN",
    "5",
    "٣",
    "\x00\x1b[31m",
    "\ud83d",
    "a" * 5000,
    "Acme",
]
TRICKY_NUMBERS = [0, -1, 5, 6, 2**63, -(2**63), 10**400, 1e308, float("inf"), float("nan")]
RATING_TYPES = ["Review", "UserReview", "CriticReview", "Product", "Thing"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.sampled_from(TRICKY_NUMBERS)
    | st.text(max_size=30)
    | st.sampled_from(TRICKY_TEXT)
)
anything = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(["label", "id"]), inner, max_size=3)
    ),
    max_leaves=8,
)


def shaped(keys: dict[str, st.SearchStrategy[Any]] | list[str]) -> st.SearchStrategy[Any]:
    """An object with any of `keys` (each the given strategy, or anything), or anything."""
    fields = keys if isinstance(keys, dict) else dict.fromkeys(keys, anything)
    return st.fixed_dictionaries({}, optional=fields) | anything


def some(item: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A list of `item`, one `item` alone, or anything."""
    return st.lists(item, max_size=4) | item | anything


def json_bytes(value: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """`value` as JSON (NaN and surrogate escapes included, as lax servers write them)."""
    return st.builds(
        lambda v, ascii_: json.dumps(v, ensure_ascii=ascii_), value, st.booleans()
    ).map(lambda text: text.encode("utf-8", "surrogatepass"))


# App Store: every scalar wrapped as {"label": ...}.
_label = shaped({"label": anything, "attributes": shaped(["href", "rel", "type"])})
_app_entry = shaped(
    dict.fromkeys(
        ["id", "author", "updated", "im:rating", "im:version", "title", "im:voteSum"], _label
    )
    | {"content": some(_label), "link": some(_label), "im:voteCount": _label}
)
appstore = json_bytes(shaped({"feed": shaped({"entry": some(_app_entry), "link": some(_label)})}))

# Hacker News (Algolia).
_hit = shaped(
    {"_tags": st.lists(st.sampled_from(["comment", "story", "poll"]), max_size=2) | anything}
    | dict.fromkeys(
        ["objectID", "author", "created_at", "created_at_i", "title", "story_title", "url"],
        anything,
    )
    | dict.fromkeys(["comment_text", "story_text", "points", "num_comments"], anything)
)
hn = json_bytes(shaped({"hits": some(_hit), "page": anything, "nbPages": anything}))

# Reddit listings, replies nested.
_thing_keys = ["name", "id", "title", "selftext", "body", "permalink", "author", "lang"]
_thing_keys += ["created_utc", "score", "num_comments"]
_child: st.SearchStrategy[Any]  # defined below; a listing's children hold listings
_listing: st.SearchStrategy[Any] = st.deferred(
    lambda: shaped(
        {
            "kind": st.just("Listing") | anything,
            "data": shaped({"children": some(_child), "after": anything}),
        }
    )
)
_child = shaped(
    {
        "kind": st.sampled_from(["t1", "t3", "more"]) | anything,
        "data": shaped(dict.fromkeys(_thing_keys, anything) | {"replies": _listing}),
    }
)
reddit = json_bytes(_listing | st.lists(_listing, max_size=2))

# Mastodon statuses, boosts nested.
_account = shaped(["acct", "username", "followers_count"])
_status_keys = ["id", "content", "spoiler_text", "url", "uri", "language", "created_at"]
_status_keys += ["favourites_count", "reblogs_count", "replies_count"]
_status: st.SearchStrategy[Any] = st.deferred(
    lambda: shaped(dict.fromkeys(_status_keys, anything) | {"reblog": _status, "account": _account})
)
mastodon = json_bytes(some(_status) | shaped({"statuses": some(_status), "error": anything}))

# Trustpilot: the page's __NEXT_DATA__ script.
_tp_review = shaped(
    dict.fromkeys(["id", "title", "text", "rating", "language", "likes"], anything)
    | {"dates": shaped(["publishedDate"]), "consumer": shaped(["displayName", "numberOfReviews"])}
)
_pagination = shaped({"pagination": shaped(["currentPage", "totalPages"])})
_next_data = shaped(
    {"props": shaped({"pageProps": shaped({"reviews": some(_tp_review), "filters": _pagination})})}
)


def _script_page(script_attributes: str, data: Any, extra_head: str = "") -> bytes:
    text = json.dumps(data).replace("</", "<\\/")
    return (
        f"<html><head>{extra_head}<script {script_attributes}>{text}</script></head>"
        "<body><p>Acme</p></body></html>"
    ).encode("utf-8", "surrogatepass")


trustpilot = st.builds(
    lambda data: _script_page('id="__NEXT_DATA__" type="application/json"', data), _next_data
)

# schema.org JSON-LD, with a rel=next link.
_rating = shaped(["ratingValue", "bestRating", "worstRating"])
_review = shaped(
    {"@type": st.sampled_from(RATING_TYPES) | anything, "reviewRating": _rating}
    | dict.fromkeys(["@id", "url", "author", "datePublished", "inLanguage"], anything)
    | dict.fromkeys(["reviewBody", "description", "name"], anything)
)
_graph = shaped(
    {"@context": st.just("https://schema.org"), "@type": st.sampled_from(RATING_TYPES)}
    | {"review": some(_review), "@graph": some(_review)}
)
schemaorg = st.builds(
    lambda data, href: _script_page(
        'type="application/ld+json"', data, f'<link rel="next" href="{html.escape(href)}">'
    ),
    some(_graph),
    st.sampled_from(TRICKY_TEXT) | st.text(max_size=20),
)

# RSS 2.0 items whose text may or may not be escaped.
_xml_text = st.text(max_size=40) | st.sampled_from(TRICKY_TEXT)
_xml_value = _xml_text.map(html.escape) | _xml_text | st.sampled_from(["<![CDATA[x]]>", "&bad;"])
_rss_tags = ["title", "link", "guid", "description", "pubDate", "author", "dc:creator"]
_rss_item = st.dictionaries(st.sampled_from(_rss_tags), _xml_value, max_size=6).map(
    lambda fields: "<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in fields.items()) + "</item>"
)
rss = st.builds(
    lambda language, items: (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Acme</title>'
        f"<language>{language}</language>{''.join(items)}</channel></rss>"
    ).encode("utf-8", "surrogatepass"),
    _xml_value,
    st.lists(_rss_item, max_size=4),
)

# Naver Search: items with HTML titles, day dates, paging numbers.
_naver_item = shaped(
    ["title", "link", "originallink", "description", "postdate", "pubDate", "bloggername"]
)
naver = json_bytes(
    shaped(
        {"items": some(_naver_item), "start": anything, "display": anything, "total": anything}
        | {"errorCode": anything, "errorMessage": anything}
    )
)

# Bluesky searchPosts: post views with their record and counters.
_bsky_record = shaped(["text", "createdAt", "langs"])
_bsky_post = shaped(
    {"uri": st.sampled_from(["at://did:plc:x/app.bsky.feed.post/3k", "at://", "x"]) | anything}
    | {"author": shaped(["handle", "displayName"]), "record": _bsky_record}
    | dict.fromkeys(["indexedAt", "likeCount", "repostCount", "replyCount", "quoteCount"], anything)
)
bluesky = json_bytes(shaped({"posts": some(_bsky_post), "cursor": anything, "error": anything}))

# YouTube commentThreads: a top-level comment and replies, each with a snippet.
_yt_snippet = shaped(
    ["videoId", "textOriginal", "textDisplay", "authorDisplayName", "publishedAt", "likeCount"]
)
_yt_comment = shaped({"id": anything, "snippet": _yt_snippet})
_yt_thread = shaped(
    {
        "snippet": shaped({"topLevelComment": _yt_comment, "totalReplyCount": anything}),
        "replies": shaped({"comments": some(_yt_comment)}),
    }
)
youtube = json_bytes(
    shaped({"items": some(_yt_thread), "nextPageToken": anything, "error": anything})
)

# Google Play reviews.list: comments with the user's and the developer's side.
_play_user_keys = ["text", "starRating", "reviewerLanguage", "appVersionName", "device"]
_play_user_keys += ["androidOsVersion", "thumbsUpCount"]
_play_user = shaped(
    dict.fromkeys(_play_user_keys, anything) | {"lastModified": shaped(["seconds", "nanos"])}
)
_play_review = shaped(
    {"reviewId": anything, "authorName": anything}
    | {"comments": some(shaped({"userComment": _play_user, "developerComment": anything}))}
)
googleplay = json_bytes(
    shaped(
        {"reviews": some(_play_review), "tokenPagination": shaped(["nextPageToken"])}
        | {"error": anything}
    )
)

SHAPED = {
    "naver": naver,
    "bluesky": bluesky,
    "youtube": youtube,
    "googleplay": googleplay,
    "rss": rss,
    "schemaorg": schemaorg,
    "appstore": appstore,
    "hn": hn,
    "reddit": reddit,
    "mastodon": mastodon,
    "trustpilot": trustpilot,
}
_DAMAGE_TOKENS = [b'"', b"{", b"}", b"[", b"]", b",", b":", b"null", b"<", b">", b"&"]
_DAMAGE_TOKENS += [b"\xff\xfe", b"\x00", b"<!ENTITY a 'b'>", b"]]>", b"\\ud800", b"1e999"]


@st.composite
def damaged(draw: st.DrawFn, kind: str) -> bytes:
    """A real saved payload of `kind` with a few cuts, flips and insertions."""
    body = bytearray((FIXTURES / draw(st.sampled_from(FIXTURES_BY_KIND[kind]))).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(body)))
        operation = draw(st.sampled_from(["cut", "flip", "insert", "delete"]))
        if operation == "cut":
            del body[at:]
        elif operation == "flip" and at < len(body):
            body[at] ^= draw(st.integers(1, 255))
        elif operation == "insert":
            body[at:at] = draw(st.sampled_from(_DAMAGE_TOKENS) | st.binary(max_size=8))
        else:
            del body[at : at + draw(st.integers(1, 64))]
    return bytes(body)
