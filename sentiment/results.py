"""What goes into the scorer and what comes out; light to import (no torch)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sentiment.exceptions import InvalidInputError
from sentiment.fusion import check_rating
from sentiment.labels import NEGATIVE, POSITIVE

if TYPE_CHECKING:
    from sentiment.correction import Correction

_JSON_DECIMALS = 4


@dataclass(frozen=True)
class ScoreInput:
    """A text to score, with the review's own 1-5 rating and language when known."""

    text: str
    rating: float | None = None
    lang: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise InvalidInputError(f"text must be a string, got {type(self.text).__name__}")
        check_rating(self.rating)


@dataclass(frozen=True)
class SentimentResult:
    """The sentiment of one text; ``score`` is P(positive) - P(negative) in [-1, 1]."""

    label: str
    score: float
    probs: dict[str, float] = field(default_factory=dict)
    confidence: float = 0.0
    model: str = ""
    lang: str | None = None
    # The text's language has no model of its own and the default model is not meant
    # for it either (sentiment.routing).
    fallback: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict: label, score, probs (rounded to 4 decimals), model, lang,
        and ``fallback: true`` when the language fell back to the default model."""
        values: dict[str, Any] = {
            "label": self.label,
            "score": round(self.score, _JSON_DECIMALS),
            "probs": {name: round(prob, _JSON_DECIMALS) for name, prob in self.probs.items()},
            "model": self.model,
            "lang": self.lang,
        }
        return values | {"fallback": True} if self.fallback else values


class TextScorer(Protocol):
    """What the flow needs of a scorer: one model (Scorer) or routed by language."""

    correction: Correction | None

    @property
    def model_id(self) -> str: ...

    def score(self, inputs: Sequence[ScoreInput]) -> list[SentimentResult]: ...


def result_from_probs(probs: dict[str, float], model: str, lang: str | None) -> SentimentResult:
    """Build a SentimentResult from {negative, neutral, positive} probabilities."""
    label = max(probs, key=lambda name: probs[name])
    score = min(1.0, max(-1.0, probs[POSITIVE] - probs[NEGATIVE]))
    return SentimentResult(label, score, probs, probs[label], model, lang)
