"""The parse functions of the App Store, HN, Reddit, Mastodon and Trustpilot kinds,
on real saved payloads (see tests/fixtures/README.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.parsing.appstore import page_url, read_appstore
from crawler.parsing.hn import newer_than, read_hn
from crawler.parsing.mastodon import newer_than as mastodon_newer_than
from crawler.parsing.mastodon import read_mastodon
from crawler.parsing.reddit import read_reddit
from crawler.parsing.registry import READERS
from crawler.parsing.trustpilot import read_trustpilot
from tests.crawler.conftest import fixture_bytes

APP = "https://itunes.apple.com/us/rss/customerreviews/page=1/id=618783545/sortby=mostrecent/json"


def test_appstore_reviews_with_ratings_dates_and_votes() -> None:
    page = read_appstore(fixture_bytes("appstore_slack_us_p1.json"), APP)

    first = page.mentions[0]
    assert [m.external_id for m in page.mentions] == [
        "14490360492",
        "14489253708",
        "14487126240",
        "14485453160",
    ]
    assert (first.author, first.title, first.rating) == (
        "vshultz",
        "Loved the old slack, like the new",
        4.0,
    )
    assert first.published_at == datetime(2026, 8, 30, 15, 36, 5, tzinfo=UTC)  # -07:00 → UTC
    assert first.reach == {"votes": 0, "vote_count": 0}
    assert page.next_url == APP.replace("page=1", "page=2")
    assert page.problems == []


def test_appstore_old_feed_skips_the_app_entry_and_stops_at_the_last_page() -> None:
    url = APP.replace("/us/", "/al/").replace("page=1", "page=7")

    page = read_appstore(fixture_bytes("appstore_viber_al.json"), url)

    assert len(page.mentions) == 4  # the first entry is the app itself
    assert page.mentions[3].reach == {"votes": 3, "vote_count": 4}
    assert page.mentions[0].published_at is None  # old feeds carry no review date
    assert page.next_url is None  # rel="last" is page 7


def test_appstore_page_urls() -> None:
    assert page_url(APP, 3).endswith("/page=3/id=618783545/sortby=mostrecent/json")
    unpaged = "https://itunes.apple.com/kr/rss/customerreviews/id=1/json"
    assert (
        page_url(unpaged, 2) == "https://itunes.apple.com/kr/rss/customerreviews/page=2/id=1/json"
    )


def test_hn_stories_and_comments() -> None:
    url = "https://hn.algolia.com/api/v1/search_by_date?query=nodejs"

    comments = read_hn(fixture_bytes("hn_comments_nodejs.json"), url)
    stories = read_hn(fixture_bytes("hn_stories_ssh.json"), url)

    comment = comments.mentions[1]
    assert comment.url == "https://news.ycombinator.com/item?id=23604471"
    assert comment.title is None  # a comment's story title is not its own
    assert comment.text.endswith("Intel is losing to AMD's Zen and TSMC process nodes.")
    assert comments.next_url == url + "&page=1"
    story = stories.mentions[0]
    assert (story.title, story.text) == (
        "Why aren’t we using SSH for everything?",
        "Why aren’t we using SSH for everything?",
    )
    assert story.reach == {"points": 270, "comments": 103}
    assert stories.next_url is None


def test_hn_incremental_filter_keeps_other_numeric_filters() -> None:
    url = "https://hn.algolia.com/api/v1/search_by_date?query=acme&numericFilters=points>5"

    assert newer_than(url, 1700000000).endswith("numericFilters=points>5,created_at_i>1700000000")


def test_reddit_posts_comments_and_paging() -> None:
    url = "https://www.reddit.com/r/AskReddit/new.json"

    posts = read_reddit(fixture_bytes("reddit_askreddit_new.json"), url)
    mixed = read_reddit(fixture_bytes("reddit_comment_and_post_info.json"), url)

    assert posts.next_url == url + "?after=t3_p7ic6s"
    assert posts.mentions[0].published_at == datetime(2021, 8, 19, 16, 36, 56, tzinfo=UTC)
    comment, post = mixed.mentions
    assert (comment.external_id, comment.text, comment.reach) == (
        "t1_c0b6xx0",
        "Don't tell me what to do! Upvoted.",
        {"score": 6355},
    )
    assert (post.title, post.text) == (
        "Test post please ignore",
        "This is the body of the submission.",
    )
    assert mixed.next_url is None


def test_mastodon_statuses_html_stripped_with_reach() -> None:
    url = "https://mastodon.social/api/v1/timelines/tag/mastodon"

    page = read_mastodon(fixture_bytes("mastodon_tag_timeline.json"), url)

    first = page.mentions[0]
    assert first.text.startswith("@alexl @deadsuperhero Yes, but not only #Mastodon should")
    assert (first.author, first.external_id) == ("jeroenpraat@mastodon.social", "714859")
    assert page.mentions[2].reach == {"favourites": 0, "reblogs": 1, "followers": 0}
    assert page.next_url == url + "?max_id=712113"


def test_mastodon_search_results_and_incremental_urls() -> None:
    search = "https://mastodon.social/api/v2/search?q=cats&type=statuses"

    page = read_mastodon(fixture_bytes("mastodon_search_v2.json"), search)

    assert [(m.title, m.text) for m in page.mentions] == [
        ("Cat rules", "cats cats never change"),
        ("Cats", "Cats are inherently good at self-care. #cats"),
    ]
    assert mastodon_newer_than(search, "7").endswith("&min_id=7")
    assert mastodon_newer_than("https://m.s/api/v1/timelines/tag/x", "7").endswith("?since_id=7")


def test_trustpilot_embedded_data_and_json_ld_give_the_same_ids() -> None:
    url = "https://www.trustpilot.com/review/goldco.com"

    embedded = read_trustpilot(fixture_bytes("trustpilot_next_data.html"), url)
    jsonld = read_trustpilot(fixture_bytes("trustpilot_jsonld.html"), url)

    review = embedded.mentions[0]
    assert (review.external_id, review.rating, review.author, review.lang) == (
        "65a7cbd9b8138df08d3fd809",
        5.0,
        "Kimberly Babcock Sanborn",
        "en",
    )
    assert review.url == "https://www.trustpilot.com/reviews/65a7cbd9b8138df08d3fd809"
    assert [m.external_id for m in jsonld.mentions] == [
        "5db84119604858035c8f512a",
        "5da12f9b6b04580a8c339699",
        "68b9620706358ae26b8a20fe",
    ]
    assert jsonld.mentions[2].url == "https://www.trustpilot.com/reviews/68b9620706358ae26b8a20fe"


def test_trustpilot_broken_page_data_falls_back_to_json_ld() -> None:
    html = fixture_bytes("trustpilot_jsonld.html").replace(
        b"</head>", b'<script id="__NEXT_DATA__" type="application/json">{"props":</script></head>'
    )

    page = read_trustpilot(html, "https://www.trustpilot.com/review/goldco.com")

    assert len(page.mentions) == 3
    assert page.problems[0].startswith("__NEXT_DATA__ is not valid JSON")


def test_trustpilot_latin1_page_is_decoded_as_declared() -> None:
    html = fixture_bytes("trustpilot_jsonld.html").decode("utf-8")
    latin1 = html.replace('<meta charset="utf-8"/>', '<meta charset="iso-8859-1"/>')
    body = latin1.encode("iso-8859-1", errors="replace")  # ’ and … are not Latin-1

    page = read_trustpilot(body, "https://www.trustpilot.com/review/x")

    assert "Livraison très rapide" in page.mentions[2].text


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("appstore", "appstore_slack_us_p1.json"),
        ("hn", "hn_comments_nodejs.json"),
        ("reddit", "reddit_askreddit_new.json"),
        ("mastodon", "mastodon_public_timeline.json"),
    ],
)
def test_truncated_json_is_a_problem_not_an_exception(kind: str, name: str) -> None:
    body = fixture_bytes(name)

    page = READERS[kind](body[: len(body) // 2], "https://example.com/")

    assert page.mentions == []
    assert "not valid JSON" in page.problems[0]


@pytest.mark.parametrize(
    ("kind", "body", "problem"),
    [
        ("appstore", b'{"error": "not found"}', "no 'feed' object"),
        ("hn", b"[]", "no 'hits' list"),
        ("reddit", b'{"message": "Forbidden", "error": 403}', "not a Reddit listing"),
        ("mastodon", b'{"error": "Record not found"}', "Mastodon answered an error"),
        ("trustpilot", b"", "empty page"),
    ],
)
def test_wrong_shapes_are_named(kind: str, body: bytes, problem: str) -> None:
    page = READERS[kind](body, "https://example.com/")

    assert page.mentions == [] and problem in page.problems[0]


def test_json_declared_in_utf16_is_read() -> None:
    body = fixture_bytes("mastodon_search_v2.json").decode("utf-8").encode("utf-16")

    assert len(read_mastodon(body, "https://m.s/api/v2/search?q=cats").mentions) == 2
