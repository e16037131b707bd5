"""Language routing: each text goes to the model configured for its language.

Languages come from the mention (the source said so) or are detected. A language with
no model of its own is scored by the default model; when the default model is not
meant for that language either (`default_languages`), the result says ``fallback`` so
that the stored score records it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from sentiment.correction import Correction
from sentiment.language import detect_language
from sentiment.preprocess import clean_text
from sentiment.results import ScoreInput, SentimentResult
from sentiment.scorer import Scorer


class RoutedScorer:
    """A default scorer plus one per language; `score` keeps the input order."""

    def __init__(
        self,
        default: Scorer,
        by_language: Mapping[str, Scorer],
        default_languages: Sequence[str] = ("en",),
    ) -> None:
        self.default = default
        self.by_language = dict(by_language)
        self.default_languages = frozenset(default_languages)

    @property
    def correction(self) -> Correction | None:
        """The refit every language's model runs with (one per brand, not per model)."""
        return self.default.correction

    @correction.setter
    def correction(self, correction: Correction | None) -> None:
        for scorer in {id(s): s for s in [self.default, *self.by_language.values()]}.values():
            scorer.correction = correction

    @property
    def model_id(self) -> str:
        routes = ", ".join(f"{lang}: {s.model_id}" for lang, s in sorted(self.by_language.items()))
        return f"{self.default.model_id} ({routes})" if routes else self.default.model_id

    def route(self, lang: str | None) -> tuple[Scorer, bool]:
        """The scorer for a language, and whether that is a fallback to the default."""
        if lang in self.by_language:
            return self.by_language[lang], False
        covered = lang is None or lang in self.default_languages
        return self.default, not covered

    def score(self, inputs: Sequence[ScoreInput]) -> list[SentimentResult]:
        """Detect languages once, score each language's texts in one batch run."""
        langs = [item.lang or detect_language(clean_text(item.text)) for item in inputs]
        groups: dict[tuple[int, bool], list[int]] = {}
        scorers: dict[int, Scorer] = {}
        for index, lang in enumerate(langs):
            scorer, fallback = self.route(lang)
            scorers[id(scorer)] = scorer
            groups.setdefault((id(scorer), fallback), []).append(index)
        results: list[SentimentResult | None] = [None] * len(inputs)
        for (scorer_id, fallback), indices in groups.items():
            scorer = scorers[scorer_id]
            batch = [replace(inputs[i], lang=langs[i]) for i in indices]
            for index, result in zip(indices, scorer.score(batch), strict=True):
                results[index] = replace(result, fallback=fallback)
        return [result for result in results if result is not None]
