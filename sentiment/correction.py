"""A correction on top of a model: a residual n-gram head and an alert threshold.

Refitting from the corrections of the people who answer alerts (``repwatch/refit.py``)
must not retrain the encoder on a few dozen texts. It fits what a few dozen texts can
move: a bag of n-grams whose log-odds are *added* to the model's own (a residual head,
fitted with the model's log-odds as a fixed offset, so that texts the model already gets
right teach it almost nothing), and the P(negative) threshold at which a brand's
complaints page. The head is an :class:`~sentiment.ngram_head.NgramHead` with
``encoder_weight`` 1: applied after the model's own head, it leaves the model as it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from sentiment.ngram_head import NgramHead, ngram_ids
from sentiment.preprocess import clean_text


@dataclass(frozen=True)
class Correction:
    """A fitted residual head and its name (``refit-7``), shown in the scores' model id."""

    head: NgramHead
    name: str


@dataclass(frozen=True)
class LabelledText:
    """One training text of a refit: is it a complaint, how much it counts, and the
    model's own log-odds for it (log P(positive) - log P(negative))."""

    text: str
    negative: bool
    weight: float
    offset: float


@dataclass(frozen=True)
class HeadPlan:
    """Choices of the residual fit."""

    l2: float = 1.0  # on every weight and the bias: few corrections move little
    min_df: int = 2
    max_features: int = 50_000
    steps: int = 60


def fit_residual_head(examples: Sequence[LabelledText], plan: HeadPlan = HeadPlan()) -> NgramHead:
    """Weighted logistic regression on binary n-grams, with the model's log-odds as offset."""
    rows = [ngram_ids(clean_text(example.text)) for example in examples]
    owners = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
    features = np.concatenate(rows) if rows else np.zeros(0, dtype=np.uint32)
    ids, columns, counts = np.unique(features, return_inverse=True, return_counts=True)
    kept = counts[columns] >= plan.min_df
    ids_kept, remap = np.unique(columns[kept], return_inverse=True)
    owner_t = torch.from_numpy(owners[kept].astype(np.int64))
    column_t = torch.from_numpy(remap.astype(np.int64))
    target = torch.tensor([0.0 if example.negative else 1.0 for example in examples])
    weight = torch.tensor([example.weight for example in examples])
    offset = torch.tensor([example.offset for example in examples])
    coef = torch.zeros(len(ids_kept), requires_grad=True)
    bias = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([coef, bias], max_iter=plan.steps, line_search_fn="strong_wolfe")

    def loss() -> torch.Tensor:
        optimizer.zero_grad()
        sums = torch.zeros(len(examples)).index_add(0, owner_t, coef[column_t])
        logits = offset + bias + sums
        fit = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, target, weight=weight, reduction="sum"
        )
        total = fit + 0.5 * plan.l2 * (coef.pow(2).sum() + bias.pow(2).sum())
        total.backward()
        return total

    optimizer.step(loss)
    weights = coef.detach().numpy().astype(np.float64)
    strongest = np.sort(np.argsort(-np.abs(weights), kind="stable")[: plan.max_features])
    scale = float(np.abs(weights[strongest]).max(initial=0.0)) / 127 or 1.0
    return NgramHead(
        ids=ids[ids_kept[strongest]].astype(np.uint32),
        weights=np.round(weights[strongest] / scale).astype(np.int8),
        scale=scale,
        bias=float(bias.detach()),
        encoder_weight=1.0,
    )


def alert_accuracy(
    p_negative: Sequence[float], negative: Sequence[bool], threshold: float
) -> float:
    """Share of texts whose alert (P(negative) >= threshold) matches whether it is a complaint."""
    if not p_negative:
        return math.nan
    right = sum((p >= threshold) == wanted for p, wanted in zip(p_negative, negative, strict=True))
    return right / len(p_negative)


def choose_threshold(
    p_negative: Sequence[float],
    negative: Sequence[bool],
    *,
    max_false_alarms: float = 0.05,
    bounds: tuple[float, float] = (0.3, 0.9),
) -> float:
    """The threshold (within `bounds`) that pages the most complaints while at most
    `max_false_alarms` of the rest page; of equally good ones, the highest."""
    low, high = bounds
    calm = sorted(
        (p for p, wanted in zip(p_negative, negative, strict=True) if not wanted), reverse=True
    )
    complaints = [p for p, wanted in zip(p_negative, negative, strict=True) if wanted]
    allowed = math.floor(max_false_alarms * len(calm))
    # Lowest threshold that lets at most `allowed` of the calm texts page.
    floor = calm[allowed] + 1e-6 if allowed < len(calm) else low
    candidates = sorted({min(high, max(low, value)) for value in [floor, *complaints]})
    usable = [t for t in candidates if t >= min(high, max(low, floor))] or [high]

    def paged(threshold: float) -> int:
        return sum(p >= threshold for p in complaints)

    best = max(paged(t) for t in usable)
    return max(t for t in usable if paged(t) == best)
