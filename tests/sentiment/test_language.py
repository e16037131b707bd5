import pytest

from sentiment.language import detect_language, language_by_script


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The battery died after two days and support never answered my emails.", "en"),
        ("배터리가 이틀 만에 나갔고 고객센터는 답이 없네요.", "ko"),
        ("Acme 주전자가 일주일 만에 고장났어요", "ko"),
        ("届いた商品は箱が潰れていて、説明書も入っていませんでした。", "ja"),
        ("送餐很快，菜也好吃，值得推荐", "zh"),
        ("El hotel estaba sucio y el personal no nos ayudó en absoluto.", "es"),
        ("La batterie ne tient pas la journée, très déçu.", "fr"),
        ("", None),
        ("😡😡😡 !!!", None),
        ("12345", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("정말 만족합니다", "ko"),
        ("ＡＣＭＥ가 최고", "ko"),  # full-width Latin brand, Korean sentence
        ("I love my new 주전자 from Acme, it boils fast", None),  # one Korean word
        ("とても良い", "ja"),
        ("送餐很快，菜也好吃，值得推荐，就是量再大点就好了(づ｡◕‿‿◕｡)づ", "zh"),  # kaomoji kana
        ("Great phone", None),
    ],
)
def test_the_script_decides_where_it_can(text: str, lang: str | None) -> None:
    assert language_by_script(text) == lang


def test_only_two_letter_codes_come_out() -> None:
    # py3langid's three-letter varieties (fuv, ext, ...) caught short English reviews.
    for text in ["So Far So Good!.", "Sooooo good!!", "Titulo original: Los crímenes de Oxford"]:
        lang = detect_language(text)
        assert lang is not None
        assert len(lang) == 2


def test_language_detection_is_deterministic() -> None:
    text = "ok fine"
    assert len({detect_language(text) for _ in range(20)}) == 1
