"""Theme terms from English and Korean text."""

from __future__ import annotations

import pytest

from sentiment.terms import english_stem, ignored_terms, korean_stem, most_common_word, terms


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("leaks", "leak"),
        ("leaking", "leak"),
        ("leaked", "leak"),
        ("stopped", "stop"),
        ("smelled", "smell"),
        ("batteries", "battery"),
        ("glass", "glass"),
        ("status", "status"),
        ("red", "red"),
        ("broken", "broken"),
    ],
)
def test_english_stems_group_inflections(word: str, stem: str) -> None:
    assert english_stem(word) == stem


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("고객센터는", "고객센터"),
        ("고장났어요", "고장"),
        ("배송이", "배송"),
        ("환불을", "환불"),
        ("바닥에서", "바닥"),
        ("불만", "불만"),  # 만 is kept: one syllable would be left
        ("서비스입니다", "서비스"),
    ],
)
def test_korean_words_lose_particles_and_endings(word: str, stem: str) -> None:
    assert korean_stem(word) == stem


def test_terms_keep_the_first_word_for_each_term() -> None:
    found = terms("The LID leaks; the lid was leaking and I want a refund!")
    assert found == {"lid": "lid", "leak": "leaks", "refund": "refund"}


def test_terms_of_korean_and_mixed_text() -> None:
    found = terms("Acme 전기포트 바닥에서 물이 새요. 정말 너무 실망이에요, 환불 요청합니다.")
    assert found == {
        "acme": "acme",
        "전기포트": "전기포트",
        "바닥": "바닥에서",
        "물이": "물이",
        "새요": "새요",
        "실망": "실망이에요",
        "환불": "환불",
        "요청": "요청합니다",
    }


def test_brand_words_are_ignored() -> None:
    ignore = ignored_terms(["Acme", "에이크미는"])
    assert ignore == frozenset({"acme", "에이크미"})
    assert terms("Acme kettles leak, 에이크미 최악", ignore) == {
        "kettle": "kettles",
        "leak": "leak",
        "최악": "최악",
    }


def test_most_common_word_breaks_ties_by_length() -> None:
    assert most_common_word(["leaking", "leaks", "leaking"]) == "leaking"
    assert most_common_word(["leaks", "leak"]) == "leak"
