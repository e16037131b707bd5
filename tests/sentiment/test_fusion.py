import pytest

from sentiment.exceptions import InvalidInputError
from sentiment.fusion import fuse, rating_evidence

CONFIDENT_POSITIVE = {"negative": 0.0, "neutral": 0.0, "positive": 1.0}
CONFIDENT_NEGATIVE = {"negative": 1.0, "neutral": 0.0, "positive": 0.0}
CONFIDENT_NEUTRAL = {"negative": 0.0, "neutral": 1.0, "positive": 0.0}


def _label(probs: dict[str, float]) -> str:
    return max(probs, key=lambda name: probs[name])


def test_without_a_rating_the_text_probabilities_are_unchanged() -> None:
    text = {"negative": 0.2, "neutral": 0.3, "positive": 0.5}
    assert fuse(text, None) == text


def test_one_star_great_broke_in_a_day_comes_out_negative() -> None:
    fused = fuse(CONFIDENT_POSITIVE, 1)
    assert _label(fused) == "negative"
    assert fused == pytest.approx({"negative": 0.57, "neutral": 0.024, "positive": 0.406})


@pytest.mark.parametrize("text", [CONFIDENT_POSITIVE, CONFIDENT_NEUTRAL, CONFIDENT_NEGATIVE])
@pytest.mark.parametrize(
    ("rating", "expected"), [(1, "negative"), (2, "negative"), (4, "positive"), (5, "positive")]
)
def test_clear_ratings_decide_whatever_the_text_says(
    text: dict[str, float], rating: int, expected: str
) -> None:
    assert _label(fuse(text, rating)) == expected


def test_at_three_stars_a_confident_text_decides() -> None:
    assert _label(fuse(CONFIDENT_NEGATIVE, 3)) == "negative"
    assert _label(fuse(CONFIDENT_POSITIVE, 3)) == "positive"
    assert _label(fuse({"negative": 0.4, "neutral": 0.2, "positive": 0.4}, 3)) == "neutral"


def test_half_stars_interpolate_between_rows() -> None:
    assert rating_evidence(4.5) == pytest.approx(
        {"negative": 0.03, "neutral": 0.07, "positive": 0.9}
    )
    assert sum(fuse(CONFIDENT_NEUTRAL, 2.5).values()) == pytest.approx(1.0)


@pytest.mark.parametrize("rating", [0, 5.5, float("nan"), "4", True])
def test_ratings_outside_one_to_five_are_refused(rating: object) -> None:
    with pytest.raises(InvalidInputError, match="rating"):
        fuse(CONFIDENT_NEUTRAL, rating)  # type: ignore[arg-type]
