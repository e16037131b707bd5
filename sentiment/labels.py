"""Map a model's own label names (``config.id2label``) to negative / neutral / positive.

Supported shapes:

* 2-class and 3-class models whose labels are named ``negative`` / ``neutral`` /
  ``positive`` (or ``neg`` / ``neu`` / ``pos``, any case);
* star models, ``"1 star"`` .. ``"5 stars"``: 1-2 stars are negative, 3 neutral,
  4-5 positive, and the probabilities of the stars that share a label are summed;
* anonymous ``LABEL_0``, ``LABEL_1`` .. labels, only with an explicit mapping given by
  the caller (for example ``{"LABEL_0": "negative", "LABEL_1": "positive"}``).

An explicit mapping always wins over the rules above.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sentiment.exceptions import LabelMappingError

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
CANONICAL_LABELS = (NEGATIVE, NEUTRAL, POSITIVE)

_SYNONYMS = {
    "negative": NEGATIVE,
    "neg": NEGATIVE,
    "neutral": NEUTRAL,
    "neu": NEUTRAL,
    "positive": POSITIVE,
    "pos": POSITIVE,
}
_STAR = re.compile(r"^([1-5])\s*stars?$")
_STAR_LABELS = {1: NEGATIVE, 2: NEGATIVE, 3: NEUTRAL, 4: POSITIVE, 5: POSITIVE}
_ANONYMOUS = re.compile(r"^label_\d+$")


@dataclass(frozen=True)
class LabelMap:
    """The canonical label that each of a model's output indices feeds."""

    targets: tuple[str, ...]

    @property
    def has_neutral(self) -> bool:
        """Whether any model output feeds ``neutral`` (2-class models do not)."""
        return NEUTRAL in self.targets

    def collapse(self, probs: Sequence[float]) -> dict[str, float]:
        """Sum a model's output probabilities into {negative, neutral, positive}."""
        if len(probs) != len(self.targets):
            raise LabelMappingError(
                f"got {len(probs)} probabilities for a model with {len(self.targets)} labels"
            )
        collapsed = dict.fromkeys(CANONICAL_LABELS, 0.0)
        for target, prob in zip(self.targets, probs, strict=True):
            collapsed[target] += float(prob)
        return collapsed


def canonical_label(name: str, explicit: Mapping[str, str] | None = None) -> str:
    """Return the canonical label for one model label name; raise LabelMappingError."""
    if explicit and name in explicit:
        return _checked_explicit(name, explicit[name])
    key = name.strip().lower()
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    star = _STAR.match(key)
    if star:
        return _STAR_LABELS[int(star.group(1))]
    if _ANONYMOUS.match(key):
        raise LabelMappingError(
            f"model label {name!r} carries no meaning; pass a label mapping such as "
            "{'LABEL_0': 'negative', 'LABEL_1': 'positive'}"
        )
    raise LabelMappingError(
        f"cannot map model label {name!r} to negative/neutral/positive; "
        "pass an explicit label mapping"
    )


def _checked_explicit(name: str, target: str) -> str:
    if target not in CANONICAL_LABELS:
        raise LabelMappingError(
            f"label mapping sends {name!r} to {target!r}; use one of {', '.join(CANONICAL_LABELS)}"
        )
    return target


def build_label_map(
    id2label: Mapping[int, str] | Mapping[str, str], explicit: Mapping[str, str] | None = None
) -> LabelMap:
    """Build the LabelMap of a model from its ``config.id2label`` (and an explicit mapping)."""
    names = {int(index): name for index, name in id2label.items()}
    indices = sorted(names)
    if indices != list(range(len(indices))) or len(indices) < 2:
        raise LabelMappingError(f"id2label must number 2 or more labels from 0, got {indices}")
    targets = tuple(canonical_label(names[index], explicit) for index in indices)
    missing = {NEGATIVE, POSITIVE} - set(targets)
    if missing:
        raise LabelMappingError(
            f"model labels {list(id2label.values())} give no {' or '.join(sorted(missing))} output"
        )
    return LabelMap(targets)
