"""Rating fusion: a review's own star rating is evidence about its sentiment.

Rule. A rating ``r`` in [1, 5] becomes a distribution over
(negative, neutral, positive) read from this table, interpolated linearly between
whole stars (4.5 stars is half the 4-star row plus half the 5-star row):

====== ======== ======= ========
stars  negative neutral positive
====== ======== ======= ========
1      0.95     0.04    0.01
2      0.85     0.10    0.05
3      0.15     0.70    0.15
4      0.05     0.10    0.85
5      0.01     0.04    0.95
====== ======== ======= ========

The fused probabilities are ``RATING_WEIGHT * rating + (1 - RATING_WEIGHT) * text``
with ``RATING_WEIGHT = 0.6``. The rating weighs more than the text because it is the
author's own explicit verdict while the text model is the noisier witness (sarcasm,
"great, it broke in a day"). Consequences, by construction:

* a rating of 2 or less always comes out negative and one of 4 or more positive,
  whatever the text says (at 2 stars: negative >= 0.51, neutral <= 0.46,
  positive <= 0.43);
* at 3 stars the text decides when it is confident either way;
* without a rating the text probabilities are used unchanged.
"""

from __future__ import annotations

import math

from sentiment.exceptions import InvalidInputError
from sentiment.labels import CANONICAL_LABELS

RATING_WEIGHT = 0.6
MIN_RATING, MAX_RATING = 1.0, 5.0
_STAR_EVIDENCE: dict[int, tuple[float, float, float]] = {
    1: (0.95, 0.04, 0.01),
    2: (0.85, 0.10, 0.05),
    3: (0.15, 0.70, 0.15),
    4: (0.05, 0.10, 0.85),
    5: (0.01, 0.04, 0.95),
}


def check_rating(rating: float | None) -> float | None:
    """Return the rating if it is None or a finite number in [1, 5]; else raise."""
    if rating is None:
        return None
    if isinstance(rating, bool) or not isinstance(rating, int | float) or math.isnan(rating):
        raise InvalidInputError(f"rating must be a number from 1 to 5, got {rating!r}")
    if not MIN_RATING <= rating <= MAX_RATING:
        raise InvalidInputError(f"rating must be from 1 to 5, got {rating}")
    return float(rating)


def rating_evidence(rating: float) -> dict[str, float]:
    """The (negative, neutral, positive) distribution that a 1-5 rating stands for."""
    checked = check_rating(rating)
    assert checked is not None
    low = min(int(checked), int(MAX_RATING) - 1)
    share = checked - low
    rows = zip(_STAR_EVIDENCE[low], _STAR_EVIDENCE[low + 1], strict=True)
    return {
        label: (1 - share) * below + share * above
        for label, (below, above) in zip(CANONICAL_LABELS, rows, strict=True)
    }


def fuse(text_probs: dict[str, float], rating: float | None) -> dict[str, float]:
    """Blend text probabilities with the rating's evidence (unchanged when no rating)."""
    if rating is None:
        return dict(text_probs)
    evidence = rating_evidence(rating)
    return {
        label: RATING_WEIGHT * evidence[label] + (1 - RATING_WEIGHT) * text_probs[label]
        for label in CANONICAL_LABELS
    }
