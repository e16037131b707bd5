"""Negative themes: grouping by shared terms (English and Korean), quotes, and loading."""

from __future__ import annotations

from sqlalchemy.orm import Session

from reports.themes import (
    NegativeMention,
    Quote,
    excerpt,
    find_themes,
    load_background,
    load_negatives,
    mention_text,
)
from tests.reports.conftest import HOSTILE, W47, W48

BACKGROUND = [
    "Great kettle, boils fast.",
    "The kettle is quiet.",
    "Kettle arrived on time.",
    "물이 빨리 끓어요. 전기포트 좋아요.",
] * 5


def negative(number: int, text: str, score: float = -0.5) -> NegativeMention:
    return NegativeMention(
        mention_id=number,
        text=text,
        url=f"https://example.com/{number}",
        source="shop",
        author=f"author {number}",
        score=score,
        published_at=None,
    )


def test_english_complaints_group_by_their_shared_word() -> None:
    negatives = [
        negative(1, "The kettle leaks from the base.", -0.9),
        negative(2, "Leaking kettle! The base is wet.", -0.6),
        negative(3, "My kettle is leaking everywhere.", -0.95),
        negative(4, "The kettle arrived late and the courier was rude."),
        negative(5, "Late delivery, courier lost the parcel.", -0.7),
        negative(6, "Ugly colour."),
    ]
    themes = find_themes(negatives, BACKGROUND)
    assert [(theme.label, theme.count) for theme in themes] == [
        ("leaking · base", 3),
        ("courier · late", 2),
    ]
    leak = themes[0]
    assert leak.term == "leak"
    assert leak.quotes == [  # the two most negative, cut to the sentence with the word
        Quote("My kettle is leaking everywhere.", "https://example.com/3", "shop", "author 3"),
        Quote("The kettle leaks from the base.", "https://example.com/1", "shop", "author 1"),
    ]


def test_korean_complaints_group_by_their_shared_word() -> None:
    negatives = [
        negative(1, "배송이 너무 늦어요. 포장도 엉망입니다.", -0.8),
        negative(2, "배송 지연이 심각합니다.", -0.9),
        negative(3, "주문했는데 배송 소식이 없어요."),
        negative(4, "고객센터는 전화를 안 받아요.", -0.7),
        negative(5, "고객센터 연락이 안 돼요.", -0.6),
        negative(6, "전기포트 뚜껑이 부러졌어요."),
    ]
    themes = find_themes(negatives, BACKGROUND)
    assert [(theme.label, theme.count) for theme in themes] == [("배송", 3), ("고객센터", 2)]
    assert [quote.text for quote in themes[0].quotes] == [
        "배송 지연이 심각합니다.",
        "배송이 너무 늦어요.",
    ]
    assert [quote.text for quote in themes[1].quotes] == [
        "고객센터는 전화를 안 받아요.",
        "고객센터 연락이 안 돼요.",
    ]


def test_a_mention_counts_in_one_theme_only() -> None:
    negatives = [
        negative(1, "Refund refused, the lid cracked."),
        negative(2, "Cracked lid."),
        negative(3, "No refund."),
    ]
    themes = find_themes(negatives, BACKGROUND)
    # "crack" and "lid" both cover mentions 1 and 2 (one theme); "refund" keeps only 3.
    assert [(theme.label, theme.count) for theme in themes] == [("cracked · lid", 2)]


def test_words_every_mention_uses_do_not_make_themes() -> None:
    # "kettle" is in every negative mention but also all over the background; "acme" is
    # the brand. The shared complaint word wins.
    negatives = [
        negative(1, "Acme kettle: the handle broke."),
        negative(2, "Acme kettle handle snapped."),
        negative(3, "Acme kettle lid is loose."),
    ]
    themes = find_themes(negatives, BACKGROUND, ignore=frozenset({"acme"}))
    assert [(theme.term, theme.count) for theme in themes] == [("handle", 2)]


def test_no_theme_without_a_shared_word() -> None:
    assert find_themes([negative(1, "Broken lid."), negative(2, "Rude staff.")], BACKGROUND) == []
    assert find_themes([], []) == []


def test_the_number_of_themes_is_limited() -> None:
    words = ["lid", "handle", "cord", "switch", "light", "plug", "base"]
    negatives = [negative(n, word) for n, word in enumerate(words * 2)]
    themes = find_themes(negatives, BACKGROUND, limit=3)
    assert len(themes) == 3
    assert all(theme.count == 2 for theme in themes)


def test_excerpt_picks_the_sentence_and_cuts_it() -> None:
    text = "Nice box. But the lid\nleaks badly! Support was fine."
    assert excerpt(text, "leaks") == "But the lid leaks badly!"
    assert excerpt(text, "missing") == "Nice box."
    assert excerpt("x" * 300, "x", limit=10) == "x" * 9 + "…"
    assert excerpt("", "x") == ""


def test_mention_text_joins_title_and_body() -> None:
    assert mention_text("Kettle leaks", "It leaks.") == "Kettle leaks. It leaks."
    assert mention_text("Kettle leaks", "Kettle leaks a lot.") == "Kettle leaks a lot."
    assert mention_text(None, " body ") == "body"
    assert mention_text("Only a title", "") == "Only a title"


def test_negatives_of_the_week_most_negative_first(week: Session) -> None:
    negatives = load_negatives(week, W48, "Acme")
    assert [round(n.score, 2) for n in negatives] == [-0.95, -0.9, -0.85, -0.8, -0.6, -0.5]
    hostile = negatives[2]
    assert (hostile.text, hostile.source, hostile.url) == (HOSTILE, "forum", "javascript:alert(1)")
    assert len(load_negatives(week, W48, None)) == 7  # with Globex's
    assert [n.score for n in load_negatives(week, W47, "Acme")] == [-0.4]


def test_background_is_the_window_of_the_brand(week: Session) -> None:
    assert len(load_background(week, W47, 2, "Acme")) == 14
    assert len(load_background(week, W47, 2, "Acme", limit=5)) == 5
    assert len(load_background(week, W48, 1, None)) == 11
