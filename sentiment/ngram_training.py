"""Fit the n-gram head (:mod:`sentiment.ngram_head`) on labelled texts.

Needs scikit-learn (the ``train`` extra). Neutral examples are left out: the head only
weighs negative against positive.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from sentiment.data import Example
from sentiment.exceptions import TrainingError
from sentiment.ngram_head import NgramHead, ngram_ids
from sentiment.preprocess import clean_text


@dataclass(frozen=True)
class NgramHeadPlan:
    """Choices for the head; the defaults are the ones picked on NSMC (docs/model-card.md)."""

    c: float = 0.1  # inverse L2 strength of the logistic regression
    min_df: int = 2
    max_features: int = 200_000
    encoder_weight: float = 0.3
    smoothing: float = 1.0  # add-one counts in the naive-Bayes ratio


def balance_labels(examples: Sequence[Example], ratio: float, seed: int) -> list[Example]:
    """Per kind and source, at most `ratio` texts of the commoner polar label for each
    text of the rarer one (a seeded sample; neutral texts are kept).

    Naive-Bayes ratios otherwise learn a source's own words as the label most of its
    texts carry: on a hotel site where 32 reviews in 33 praise, "room" reads as praise,
    and the hotel complaints score milder than complaints elsewhere."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        groups[(example.kind, example.source)].append(index)
    dropped: set[int] = set()
    for members in groups.values():
        negative = [i for i in members if examples[i].label == "negative"]
        positive = [i for i in members if examples[i].label == "positive"]
        rarer, commoner = sorted((negative, positive), key=len)
        cap = int(ratio * len(rarer))
        if len(commoner) > cap:
            dropped.update(set(commoner) - set(rng.sample(commoner, cap)))
    return [example for index, example in enumerate(examples) if index not in dropped]


def feature_matrix(texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Binary texts x features matrix and the feature id of each column."""
    rows = [ngram_ids(clean_text(text)) for text in texts]
    columns, inverse = np.unique(np.concatenate(rows), return_inverse=True)
    indptr = np.cumsum([0, *map(len, rows)])
    data = np.ones(len(inverse), dtype=np.float32)
    return sparse.csr_matrix((data, inverse, indptr), shape=(len(rows), len(columns))), columns


def naive_bayes_ratio(
    matrix: sparse.csr_matrix, positive: np.ndarray, smoothing: float
) -> np.ndarray:
    """log of each feature's smoothed share among positive texts over its share among negative."""
    pos = smoothing + np.asarray(matrix[positive].sum(axis=0)).ravel()
    neg = smoothing + np.asarray(matrix[~positive].sum(axis=0)).ravel()
    return np.log(pos / pos.sum()) - np.log(neg / neg.sum())


def fit_ngram_head(examples: Sequence[Example], seed: int, plan: NgramHeadPlan) -> NgramHead:
    """NB-LR on the negative and positive examples, pruned and stored as int8 weights."""
    polar = [ex for ex in examples if ex.label in ("negative", "positive")]
    positive = np.array([ex.label == "positive" for ex in polar])
    if positive.all() or not positive.any():
        raise TrainingError("the n-gram head needs both negative and positive examples")
    matrix, ids = feature_matrix([ex.text for ex in polar])
    frequent = np.flatnonzero(np.asarray(matrix.sum(axis=0)).ravel() >= plan.min_df)
    matrix, ids = matrix[:, frequent], ids[frequent]
    ratio = naive_bayes_ratio(matrix, positive, plan.smoothing)
    model = LogisticRegression(C=plan.c, max_iter=3000, random_state=seed)
    model.fit(matrix @ sparse.diags(ratio), positive)
    weights = ratio * model.coef_.ravel()
    kept = np.sort(np.argsort(-np.abs(weights), kind="stable")[: plan.max_features])
    scale = float(np.abs(weights[kept]).max()) / 127 or 1.0
    return NgramHead(
        ids=ids[kept].astype(np.uint32),
        weights=np.round(weights[kept] / scale).astype(np.int8),
        scale=scale,
        bias=float(model.intercept_[0]),
        encoder_weight=plan.encoder_weight,
    )
