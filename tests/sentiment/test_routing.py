"""Language routing over tiny random models: who scores what, and what is recorded."""

from __future__ import annotations

from pathlib import Path

from config.settings import SentimentConfig, Settings
from repwatch.flow import load_scorer
from sentiment.routing import RoutedScorer
from sentiment.scorer import ScoreInput, Scorer
from sentiment.scratch import ScratchShape, build_scratch_model


def _routed(tiny_models: dict[str, Path]) -> RoutedScorer:
    default = Scorer.load(str(tiny_models["three"]))
    korean = Scorer.load(str(tiny_models["two"]))
    return RoutedScorer(default, {"ko": korean}, default_languages=["en"])


def test_each_language_goes_to_its_model_in_input_order(tiny_models: dict[str, Path]) -> None:
    scorer = _routed(tiny_models)
    inputs = [
        ScoreInput("great product", lang="en"),
        ScoreInput("정말 실망이에요", lang="ko"),
        ScoreInput("bad", lang="en"),
    ]
    results = scorer.score(inputs)
    english, korean = str(tiny_models["three"]), str(tiny_models["two"])
    assert [r.model for r in results] == [english, korean, english]
    assert [r.lang for r in results] == ["en", "ko", "en"]
    assert not any(r.fallback for r in results)


def test_detected_language_routes_and_uncovered_languages_fall_back(
    tiny_models: dict[str, Path],
) -> None:
    scorer = _routed(tiny_models)
    korean, german = scorer.score(
        [
            ScoreInput("배송이 너무 늦고 제품이 고장났어요. 환불해 주세요."),
            ScoreInput("Der Wasserkocher ist nach zwei Tagen kaputt gegangen.", lang="de"),
        ]
    )
    assert (korean.lang, korean.model, korean.fallback) == ("ko", str(tiny_models["two"]), False)
    assert (german.model, german.fallback) == (str(tiny_models["three"]), True)
    assert german.to_json()["fallback"] is True


def test_load_scorer_routes_only_when_configured(tiny_models: dict[str, Path]) -> None:
    plain = Settings(model=str(tiny_models["three"]), sentiment=SentimentConfig(models_by_lang={}))
    assert isinstance(load_scorer(plain), Scorer)
    assert Settings().sentiment.models_by_lang == {"ko": "starter-ko"}  # the default routes
    routed = Settings(
        model=str(tiny_models["three"]),
        sentiment=SentimentConfig(models_by_lang={"ko": str(tiny_models["two"])}),
    )
    scorer = load_scorer(routed)
    assert isinstance(scorer, RoutedScorer)
    assert scorer.model_id == f"{tiny_models['three']} (ko: {tiny_models['two']})"


def test_scratch_model_keeps_hangul_syllables_whole() -> None:
    texts = ["정말 재미있는 영화였어요", "너무 지루하고 실망스러운 영화"] * 50
    tokenizer, network = build_scratch_model(texts, ScratchShape(vocab_size=300, layers=1))
    tokens = tokenizer.tokenize("재미있는 영화")
    assert tokens and all(not ("\u1100" <= ch <= "\u11ff") for t in tokens for ch in t)
    assert network.config.id2label == {0: "negative", 1: "neutral", 2: "positive"}
