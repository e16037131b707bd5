"""The parse functions of the Naver, Bluesky, YouTube and Google Play kinds, on real
saved answers of those APIs (tests/fixtures/README.md says where each came from)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawler.parsing.bluesky import newer_than, read_bluesky
from crawler.parsing.googleplay import read_googleplay
from crawler.parsing.naver import read_naver
from crawler.parsing.registry import READERS
from crawler.parsing.youtube import read_youtube
from tests.crawler.conftest import fixture_bytes

NAVER = "https://openapi.naver.com/v1/search/blog.json?query=%EC%A0%9C%EC%A3%BC%EB%8F%84&display=10"
BLUESKY = "https://public.api.bsky.app/xrpc/app.bsky.feed.searchPosts?q=redistricting"
YOUTUBE = "https://www.googleapis.com/youtube/v3/commentThreads?part=snippet,replies&videoId=v"
PLAY = "https://androidpublisher.googleapis.com/androidpublisher/v3/applications/com.onebox.crm/reviews"


def test_naver_blog_posts_lose_their_highlighting_and_are_dated_by_korean_day() -> None:
    page = read_naver(fixture_bytes("naver_blog_search.json"), NAVER)

    first = page.mentions[0]
    assert len(page.mentions) == 4
    assert first.external_id == first.url == "https://blog.naver.com/totoro0604/223040300656"
    assert (
        first.title == "풍부했던 제주도 고등어회 맛집"
    )  # was "풍부했던 <b>제주도</b> 고등어회 맛집"
    assert "<b>" not in first.text and first.text.startswith("며칠 전에는 친구들과")
    assert first.author == "핸들이 고장난 8톤 트럭"
    # postdate "20230310" is a day in Korea: its midnight is 15:00 UTC the day before.
    assert first.published_at == datetime(2023, 3, 9, 15, 0, tzinfo=UTC)
    assert page.next_url is not None and page.next_url.endswith("&start=11")
    assert page.problems == []


def test_naver_news_links_to_the_publisher_and_reads_pub_date() -> None:
    page = read_naver(fixture_bytes("naver_news_search.json"), NAVER)

    first, second = page.mentions[:2]
    assert first.title == '가전 매장, 스토어 변신 "코딩부터 쿠킹까지"'  # &quot; decoded
    assert first.published_at == datetime(2023, 3, 8, 5, 18, tzinfo=UTC)  # 14:18 +0900
    # Naver's own copy is the id; the link shown is the publisher's article.
    assert second.external_id.startswith("https://n.news.naver.com/mnews/article/145/")
    assert second.url is not None and second.url.startswith("https://lady.khan.co.kr/")


def test_naver_cafe_articles_carry_their_cafe_and_no_date() -> None:
    page = read_naver(fixture_bytes("naver_cafearticle_search.json"), NAVER)

    assert [m.author for m in page.mentions][2] == "크로스핏매니아"
    assert {m.published_at for m in page.mentions} == {None}
    assert page.mentions[2].title == "크로스핏 다이어트"


@pytest.mark.parametrize(
    ("start", "display", "total", "following"),
    [(1, 10, 9_759_476, "11"), (991, 10, 9_759_476, None), (1, 10, 4, None)],
)
def test_naver_pages_until_the_results_or_the_apis_limit_of_1000_end(
    start: int, display: int, total: int, following: str | None
) -> None:
    data = json.loads(fixture_bytes("naver_blog_search.json"))
    data.update(start=start, display=display, total=total)

    page = read_naver(json.dumps(data).encode(), NAVER)

    assert page.next_url == (None if following is None else f"{NAVER}&start={following}")


def test_naver_error_answer_is_a_problem_that_names_it() -> None:
    page = read_naver(fixture_bytes("naver_error_auth.json"), NAVER)

    assert page.mentions == []
    assert page.problems == [
        "Naver answered error 024: Not Exist Client ID : Authentication failed. "
        "(인증에 실패했습니다.)"
    ]


def test_bluesky_posts_link_to_the_web_app_with_language_and_reach() -> None:
    page = read_bluesky(fixture_bytes("bluesky_search_posts.json"), BLUESKY)

    second = page.mentions[1]
    assert len(page.mentions) == 5
    assert second.external_id == (
        "at://did:plc:s7savtl25cqhm3ddqc7jeljx/app.bsky.feed.post/3lpk2r5h5ec2j"
    )
    assert second.url == "https://bsky.app/profile/cjtackett.bsky.social/post/3lpk2r5h5ec2j"
    assert second.author == "cjtackett.bsky.social"
    assert second.lang == "en"
    assert second.published_at == datetime(2025, 5, 19, 17, 8, 27, 677000, tzinfo=UTC)
    assert second.reach == {"likes": 4, "reposts": 3, "replies": 0, "quotes": 0}
    assert page.next_url == BLUESKY + "&cursor=25"


def test_bluesky_asks_only_for_posts_since_the_newest_stored() -> None:
    url = newer_than(BLUESKY, datetime(2025, 5, 19, 17, 8, 27, 677000, tzinfo=UTC))

    assert url == BLUESKY + "&since=2025-05-19T17%3A08%3A27.677000Z"


def test_bluesky_error_answer_is_a_problem() -> None:
    page = read_bluesky(fixture_bytes("bluesky_error_auth_missing.json"), BLUESKY)

    assert page.problems == ["Bluesky answered AuthMissing: Authentication Required"]


def test_youtube_comments_link_to_the_comment_and_page_with_the_token() -> None:
    page = read_youtube(fixture_bytes("youtube_comment_threads.json"), YOUTUBE)

    last = page.mentions[4]
    assert len(page.mentions) == 5
    assert last.url == ("https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=UgwI_ylXVnzPS8Q-oAV4AaABAg")
    assert last.author == "matrix uduma"
    assert last.reach == {"likes": 0, "replies": 2}
    assert last.published_at == datetime(2019, 11, 14, 23, 31, 33, tzinfo=UTC)
    assert page.next_url is not None and "&pageToken=QURTSl9p" in page.next_url


def test_youtube_replies_that_come_with_a_thread_are_mentions_too() -> None:
    page = read_youtube(fixture_bytes("youtube_comment_threads_replies.json"), YOUTUBE)

    ids = [m.external_id for m in page.mentions]
    assert len(ids) == (1 + 5) + (1 + 4) + (1 + 0)  # three threads: top comments, replies
    reply = page.mentions[1]
    assert reply.external_id == "UgzOpS_RRFR0IsErbS54AaABAg.9mXUPHCOyA_9mm54_jMah7"
    assert reply.author == "souc 🩸"
    assert reply.reach == {"likes": 0}  # a reply has no reply count of its own
    assert page.mentions[0].reach == {"likes": 20945, "replies": 74}


def test_youtube_channel_comments_without_a_video_have_no_link() -> None:
    page = read_youtube(fixture_bytes("youtube_comment_threads_channel.json"), YOUTUBE)

    assert [m.text for m in page.mentions][2:] == ["大满贯", "中午吃啥"]
    assert page.mentions[2].url is None
    assert page.next_url is None


def test_youtube_quota_error_names_the_reason() -> None:
    page = read_youtube(fixture_bytes("youtube_error_quota.json"), YOUTUBE)

    assert page.problems == [
        "YouTube answered error 403 quotaExceeded: "
        "The request cannot be completed because you have exceeded your quota."
    ]


def test_google_play_reviews_carry_stars_language_version_and_device() -> None:
    page = read_googleplay(fixture_bytes("googleplay_reviews.json"), PLAY)

    first, _, third, _ = page.mentions
    assert first.rating == 5.0
    assert first.lang == "en"
    assert first.text == "Belum bisa login nih, tampilan udah bagus. Lanjutkannnnn"
    assert first.published_at == datetime(2020, 2, 27, 8, 16, 23, tzinfo=UTC)
    assert first.url is not None
    assert first.url.startswith("https://play.google.com/store/apps/details?id=com.onebox.crm")
    details = json.loads(first.raw_excerpt or "{}")
    assert (details["appVersionName"], details["device"], details["androidOsVersion"]) == (
        "1.0",
        "CPH1729",
        25,
    )
    assert json.loads(third.raw_excerpt or "{}")["developerReply"] == "Thanks for your feedback!"
    assert page.next_url is None  # no tokenPagination: the last page


def test_google_play_pages_with_the_next_page_token() -> None:
    page = read_googleplay(fixture_bytes("googleplay_reviews_with_token.json"), PLAY)

    (review,) = page.mentions
    assert (review.text, review.rating, review.lang) == ("會跳出來", 3.0, "zh")
    assert page.next_url is not None and page.next_url.startswith(PLAY + "?token=AGkSnOzx")


def test_google_play_error_answer_is_a_problem() -> None:
    # Google APIs share one error envelope; this one is YouTube's quota answer.
    page = read_googleplay(fixture_bytes("youtube_error_quota.json"), PLAY)

    assert page.problems == [
        "Google Play answered error 403: "
        "The request cannot be completed because you have exceeded your quota."
    ]


@pytest.mark.parametrize("kind", ["naver", "bluesky", "youtube", "googleplay"])
@pytest.mark.parametrize("body", [b"", b'{"items": [', b"<html>rate limited</html>", b"[1, 2]"])
def test_a_malformed_answer_is_a_problem_never_a_crash(kind: str, body: bytes) -> None:
    page = READERS[kind](body, "https://api.example/")

    assert page.mentions == []
    assert len(page.problems) == 1
