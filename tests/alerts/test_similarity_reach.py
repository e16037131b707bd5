"""Complaint similarity on the shared tokeniser, and reach figures."""

from __future__ import annotations

import pytest

from alerts.reach import Reach, describe_reach, reach_points, read_reach
from alerts.similarity import common_words, similarity
from config.settings import RulesConfig
from sentiment.terms import theme_words


def test_theme_words_keep_content_words_only() -> None:
    words = theme_words("The Acme X200 charger OVERHEATS after 2 days, it's awful!", {"acme"})
    assert words == {"x200": "x200", "charger": "charger", "overheat": "overheats"}


def test_korean_particles_and_endings_are_cut() -> None:
    assert set(theme_words("충전기가 과열되고 충전기를 교환했어요")) == {"충전기", "과열", "교환"}


def test_inflections_of_one_complaint_group_together() -> None:
    # Before one tokeniser served both, grouping saw no shared word here (similarity 0.0).
    first = theme_words("The charger leaks and overheats")
    second = theme_words("My charger leaked, overheating again")
    assert similarity(first, second) == 1.0
    korean = theme_words("전기포트가 고장났어요")
    assert similarity(korean, theme_words("전기포트 고장, 환불해 주세요")) == 2 / 3


def test_similar_complaints_overlap_and_different_ones_do_not() -> None:
    first = theme_words("Charger overheats and the battery died")
    second = theme_words("Battery died, the charger overheats again")
    other = theme_words("Delivery was late and support never answered")
    assert similarity(first, second) == 1.0
    assert similarity(first, other) == 0.0


def test_one_shared_word_is_not_enough() -> None:
    assert similarity({"charger": "charger", "late": "late"}, {"charger": "c", "rude": "r"}) == 0.0


def test_common_words_are_the_written_words_most_mentions_share() -> None:
    sets = [
        {"charg": "charging", "hot": "hot", "x200": "x200"},
        {"charg": "charging", "x200": "x200"},
        {"charg": "charges"},
        {"a": "a"},
    ]
    assert common_words(sets) == ["charging", "x200"]


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        (None, Reach()),
        ("junk", Reach()),
        ({"score": 120, "num_comments": "35"}, Reach(votes=120, comments=35)),
        ({"likes": -5, "reblogs": 2.9, "followers_count": True}, Reach(shares=2)),
        ({"followers": "12000", "votes": "many"}, Reach(followers=12000)),
    ],
)
def test_reach_reads_the_figures_sources_store(figures: object, expected: Reach) -> None:
    assert read_reach(figures) == expected  # type: ignore[arg-type]


def test_reach_points_take_the_larger_of_engagement_and_followers() -> None:
    rules = RulesConfig()
    assert reach_points(Reach(votes=99), rules) == 0
    assert reach_points(Reach(votes=60, comments=40), rules) == 1
    assert reach_points(Reach(votes=900, shares=100), rules) == 2
    assert reach_points(Reach(votes=5, followers=150_000), rules) == 2


def test_reach_in_words() -> None:
    assert describe_reach(Reach(votes=1204, comments=87)) == "1,204 votes, 87 comments"
