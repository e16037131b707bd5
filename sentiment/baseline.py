"""A TF-IDF + logistic-regression baseline, trained on the same split as the model.

Character n-grams (1-4, within word boundaries) serve both English and Korean
without a language-specific tokenizer. Needs scikit-learn (the ``train`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from sentiment.data import Example
from sentiment.evaluation import Probabilities
from sentiment.labels import CANONICAL_LABELS
from sentiment.preprocess import clean_text

BASELINE_DESCRIPTION = (
    "TF-IDF char_wb 1-4-grams (sublinear tf, min_df 2) + logistic regression (C=2)"
)


class Baseline:
    """A fitted baseline; call ``probabilities`` like a model's text_probabilities."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    @classmethod
    def fit(cls, examples: Sequence[Example], seed: int) -> Baseline:
        """Fit on the training examples."""
        pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), min_df=2, sublinear_tf=True),
            LogisticRegression(C=2.0, max_iter=2000, random_state=seed),
        )
        pipeline.fit([clean_text(ex.text) for ex in examples], [ex.label for ex in examples])
        return cls(pipeline)

    def probabilities(self, texts: Sequence[str]) -> list[Probabilities]:
        """{negative, neutral, positive} per text; labels unseen in training get 0."""
        rows = self.pipeline.predict_proba([clean_text(text) for text in texts])
        classes = list(self.pipeline.classes_)
        return [
            {
                label: float(row[classes.index(label)]) if label in classes else 0.0
                for label in CANONICAL_LABELS
            }
            for row in rows
        ]
