"""Evaluation figures: accuracy, macro-F1, macro recall, confusion matrix, per slice.

Conventions:

* the confusion matrix has gold labels as rows and predictions as columns, both in
  the order negative, neutral, positive;
* macro recall averages over the labels present in the gold data; macro-F1 over the
  labels present in the gold data or the predictions (scikit-learn's convention);
* binary data (no neutral gold label) is also scored as a two-way choice: a text is
  negative when P(negative) >= P(positive), else positive; neutral is ignored.

Each data kind has one headline figure: binary accuracy for binary kinds (English
reviews, Korean movie reviews) and three-class macro recall otherwise (tweets; the
official TweetEval sentiment metric).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sentiment.data import Example
from sentiment.labels import CANONICAL_LABELS, NEGATIVE, NEUTRAL, POSITIVE

Probabilities = dict[str, float]
Predictor = Callable[[Sequence[str]], list[Probabilities]]


@dataclass(frozen=True)
class Metrics:
    """Classification figures for one set of gold labels and predictions."""

    n: int
    accuracy: float
    macro_f1: float
    macro_recall: float
    confusion: list[list[int]]


def confusion_matrix(gold: Sequence[str], predicted: Sequence[str]) -> list[list[int]]:
    """Counts with gold labels as rows and predictions as columns."""
    index = {label: position for position, label in enumerate(CANONICAL_LABELS)}
    confusion = [[0] * len(CANONICAL_LABELS) for _ in CANONICAL_LABELS]
    for truth, guess in zip(gold, predicted, strict=True):
        confusion[index[truth]][index[guess]] += 1
    return confusion


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _f1(hits: int, gold_count: int, predicted_count: int) -> float:
    # F1 = 2 * precision * recall / (precision + recall) = 2 * hits / (gold + predicted)
    total = gold_count + predicted_count
    return 2 * hits / total if total else 0.0


def compute_metrics(gold: Sequence[str], predicted: Sequence[str]) -> Metrics:
    """Accuracy, macro-F1, macro recall and confusion matrix (see the module docstring)."""
    confusion = confusion_matrix(gold, predicted)
    hits = [confusion[i][i] for i in range(len(confusion))]
    gold_counts = [sum(row) for row in confusion]
    predicted_counts = [sum(column) for column in zip(*confusion, strict=True)]
    labels = range(len(confusion))
    recalls = [hits[i] / gold_counts[i] for i in labels if gold_counts[i]]
    f1s = [
        _f1(hits[i], gold_counts[i], predicted_counts[i])
        for i in labels
        if gold_counts[i] or predicted_counts[i]
    ]
    return Metrics(
        len(gold), sum(hits) / len(gold) if gold else 0.0, _mean(f1s), _mean(recalls), confusion
    )


def three_way(probs: Probabilities) -> str:
    """The most probable of negative / neutral / positive."""
    return max(CANONICAL_LABELS, key=lambda label: probs[label])


def two_way(probs: Probabilities) -> str:
    """Negative or positive, ignoring neutral."""
    return NEGATIVE if probs[NEGATIVE] >= probs[POSITIVE] else POSITIVE


def _slice_figures(examples: Sequence[Example], probs: Sequence[Probabilities]) -> dict[str, Any]:
    gold = [example.label for example in examples]
    figures: dict[str, Any] = {
        "three_class": asdict(compute_metrics(gold, [three_way(p) for p in probs]))
    }
    if NEUTRAL not in gold:
        figures["binary"] = asdict(compute_metrics(gold, [two_way(p) for p in probs]))
    return figures


def headline(figures: dict[str, Any]) -> tuple[str, float]:
    """The headline metric name and value of one slice's figures."""
    if "binary" in figures:
        return "binary accuracy", float(figures["binary"]["accuracy"])
    return "macro recall", float(figures["three_class"]["macro_recall"])


def _group(examples: Sequence[Example], key: Callable[[Example], str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for position, example in enumerate(examples):
        groups.setdefault(key(example), []).append(position)
    return dict(sorted(groups.items()))


def figures_for(examples: Sequence[Example], probs: Sequence[Probabilities]) -> dict[str, Any]:
    """Overall, per-language and per-data-kind figures for predictions on examples."""
    result: dict[str, Any] = {"overall": _slice_figures(examples, probs)}
    for name, key in (("by_language", _language), ("by_kind", _kind)):
        result[name] = {
            group: _slice_figures([examples[i] for i in rows], [probs[i] for i in rows])
            for group, rows in _group(examples, key).items()
        }
    return result


def _language(example: Example) -> str:
    return example.lang or "unknown"


def _kind(example: Example) -> str:
    return example.kind


def evaluate(predict: Predictor, examples: Sequence[Example]) -> dict[str, Any]:
    """Run a predictor over the examples and return its figures."""
    return figures_for(examples, predict([example.text for example in examples]))


def compare(model: dict[str, Any], baseline: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Per data kind, the headline metric of the model (and of a baseline when given)."""
    rows = []
    for kind, figures in model["by_kind"].items():
        metric, value = headline(figures)
        versus = headline(baseline["by_kind"][kind])[1] if baseline else None
        rows.append(
            {
                "kind": kind,
                "n": figures["three_class"]["n"],
                "metric": metric,
                "model": round(value, 4),
                "baseline": round(versus, 4) if versus is not None else None,
            }
        )
    return rows
