"""Brand keyword matching, and telling a block page from content."""

from __future__ import annotations

import pytest

from crawler.parsing.block_signs import block_reason
from crawler.parsing.keywords import KeywordMatcher
from tests.crawler.conftest import fixture_bytes


@pytest.mark.parametrize(
    ("keywords", "text", "matches"),
    [
        (["Acme"], "ACME's new app crashed", True),
        (["Acme"], "Welcome to Acmeville", False),  # whole words only
        (["Acme Corp"], "acme  corp", False),  # a phrase keeps its spacing
        (["Acme Corp"], "I love Acme Corp!", True),
        (["Java"], "SAVE THE JAVA", True),
        (["Java"], "Why are there alot of javanese here !?", False),
        (["café"], "Le Café du coin", True),
        (["café"], "cafés", False),  # Unicode word characters
        (["Acme"], "ＡＣＭＥ ロボット", True),  # full-width letters (NFKC)
        (["삼성전자"], "삼성전자가 발표했다", True),  # Korean particle attached
        (["삼성전자"], "삼성 전자", False),
        (["Mastodon"], "Mastodon、各メディアは", True),  # Japanese punctuation is a boundary
        # A Latin brand followed by Korean particles and endings, or Japanese ones.
        (["Acme"], "Acme가 또 고장났어요", True),
        (["Acme"], "Acme는 환불을 안 해줘요", True),
        (["Acme"], "Acme의 고객센터", True),
        (["Acme"], "Acme에서 샀는데", True),
        (["Acme"], "Acme랑 비교하면", True),
        (["Acme"], "Ａｃｍｅ가 최고", True),  # full-width Latin, then a particle
        (["acme"], "신형ACME는 별로", True),  # Hangul before, upper case
        (["Acme"], "Acmeの充電器が壊れた", True),
        (["Acme"], "Acmeville에 갔어요", False),  # still whole Latin words only
        (["Acme"], "SuperAcme가", False),
        (["Acme"], "Acme2 출시", False),  # a digit continues the word
        (["C++"], "C++11 is fine", False),  # a symbol end still needs a boundary
        # Mixed brands: each end follows its own script.
        (["LG전자"], "LG전자가 발표했다", True),
        (["LG전자"], "BLG전자가", False),
        (["Acme코리아"], "Acme코리아에 문의", True),
        # Decomposed Hangul (macOS file names, some feeds) is composed by NFKC.
        (
            ["삼성전자"],
            "\u1109\u1161\u11b7\u1109\u1165\u11bc\u110c\u1165\u11ab\u110c\u1161가",
            True,
        ),
        (["Acme"], "Acme\u1100\u1161 좋아요", True),
        (["Acme", "Roadrunner"], "beep beep, roadrunner", True),
        ([], "anything at all", True),  # no keywords: keep everything
    ],
)
def test_keyword_matching(keywords: list[str], text: str, matches: bool) -> None:
    assert KeywordMatcher(keywords).matches(text) is matches


def test_keywords_match_the_title_too() -> None:
    assert KeywordMatcher(["Apple"]).matches("Apple switches to ARM", "great news")
    assert not KeywordMatcher(["Apple"]).matches(None, "great news")


def test_a_real_cloudflare_challenge_is_a_block_page_at_any_status() -> None:
    page = fixture_bytes("block_cloudflare_challenge.html")

    assert block_reason(403, {}, page) == "Cloudflare challenge (HTTP 403)"
    assert block_reason(200, {}, page) == "Cloudflare challenge (HTTP 200)"


@pytest.mark.parametrize(
    ("status", "headers", "body", "reason"),
    [
        (503, {"cf-mitigated": "challenge"}, b"", "Cloudflare challenge (cf-mitigated header)"),
        (401, {}, b"{}", "login required (HTTP 401)"),
        (429, {}, b'<div class="g-recaptcha" data-sitekey="x">', "reCAPTCHA (HTTP 429)"),
        (
            403,
            {},
            b"<title>Attention Required! | Cloudflare</title>",
            "Cloudflare block (HTTP 403)",
        ),
        (
            200,
            {},
            b"<script src='https://ct.captcha-delivery.com/c.js'>",
            "DataDome CAPTCHA (HTTP 200)",
        ),
    ],
)
def test_block_signs(status: int, headers: dict[str, str], body: bytes, reason: str) -> None:
    assert block_reason(status, headers, body) == reason


def test_content_with_a_captcha_widget_is_not_a_block() -> None:
    review_page = fixture_bytes("trustpilot_jsonld.html") + b'<div class="g-recaptcha"></div>'

    assert block_reason(200, {}, review_page) is None
    assert block_reason(200, {}, fixture_bytes("hn_comments_nodejs.json")) is None


def test_an_apis_json_401_is_its_error_answer_not_a_login_wall() -> None:
    refusal = fixture_bytes("naver_error_auth.json")

    assert block_reason(401, {"content-type": "application/json;charset=utf-8"}, refusal) is None
    assert block_reason(401, {"content-type": "text/html"}, refusal) == "login required (HTTP 401)"


def test_a_redirect_to_a_login_page_is_a_login_wall() -> None:
    reason = block_reason(
        200,
        {},
        b"<form>",
        "https://www.reddit.com/login/?dest=x",
        "https://www.reddit.com/r/x/new.json",
    )

    assert reason == "login wall (redirected to /login/)"
    assert block_reason(200, {}, b"<form>", "https://x.org/login", "https://x.org/login") is None
