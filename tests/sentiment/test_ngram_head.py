import math
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sentiment.data import Example
from sentiment.exceptions import ModelLoadError, TrainingError
from sentiment.ngram_head import MAX_CHARACTERS, NGRAM_HEAD_FILE, NgramHead, ngram_ids
from sentiment.ngram_training import (
    NgramHeadPlan,
    balance_labels,
    feature_matrix,
    fit_ngram_head,
)
from sentiment.results import ScoreInput
from sentiment.scorer import Scorer


def _examples() -> list[Example]:
    positive = ["정말 재밌어요", "최고의 영화", "배우 연기 최고", "재밌어요 추천"]
    negative = ["정말 지루해요", "최악의 영화", "배우 연기 최악", "지루해요 비추"]
    return [Example(text, "positive", "ko", "ko_movies") for text in positive] + [
        Example(text, "negative", "ko", "ko_movies") for text in negative
    ]


def _fit(**plan: float) -> NgramHead:
    return fit_ngram_head(_examples(), seed=13, plan=NgramHeadPlan(c=10.0, **plan))  # type: ignore[arg-type]


def test_ngram_ids_name_lowercased_character_and_word_ngrams_by_crc32() -> None:
    ids = ngram_ids("Ab cd")
    expected = {zlib.crc32(f"c{gram}".encode()) for gram in ("a", "ab", "ab ", "ab c", "ab cd")}
    expected |= {zlib.crc32(f"w{gram}".encode()) for gram in ("ab", "cd", "ab cd")}
    assert expected <= set(ids.tolist())
    assert ids.dtype == np.uint32 and len(ids) == len(set(ids.tolist()))
    assert set(ids.tolist()) == set(ngram_ids("AB CD").tolist())
    assert ngram_ids("").size == 0


def test_ngram_ids_of_a_long_text_come_from_its_head_and_tail_only() -> None:
    long_text = "가" * 300 + "나" * (5 * MAX_CHARACTERS) + "다" * 300
    features = set(ngram_ids(long_text).tolist())
    assert zlib.crc32("c가".encode()) in features and zlib.crc32("c다".encode()) in features
    assert len(features) < 100  # a bounded number of n-grams, however long the text


def test_feature_matrix_is_binary_with_one_column_per_distinct_ngram() -> None:
    matrix, ids = feature_matrix(["좋아 좋아", "좋아"])
    assert matrix.shape == (2, len(ids)) and set(matrix.data.tolist()) == {1.0}
    assert matrix[0].sum() > matrix[1].sum() > 0


def test_a_fitted_head_votes_for_the_words_it_learned() -> None:
    head = _fit()
    votes = head.log_odds(["재밌어요 최고", "지루해요 최악", "영화"])
    assert votes[0] > 1 and votes[1] < -1
    assert abs(votes[2]) < abs(votes[0])  # a word seen on both sides says little
    assert head.weights.dtype == np.int8 and head.ids.dtype == np.uint32


def test_the_head_keeps_only_its_largest_weights() -> None:
    head = _fit(max_features=5)
    assert len(head.ids) == 5 and list(head.ids) == sorted(head.ids)
    assert int(np.abs(head.weights).max()) == 127


def test_min_df_drops_ngrams_seen_in_one_text_only() -> None:
    assert len(_fit(min_df=2).ids) < len(_fit(min_df=1).ids)


def test_fitting_needs_both_sides() -> None:
    only_positive = [ex for ex in _examples() if ex.label == "positive"]
    with pytest.raises(TrainingError, match="both negative and positive"):
        fit_ngram_head(only_positive, seed=13, plan=NgramHeadPlan())


def test_combine_adds_log_odds_and_keeps_the_neutral_share() -> None:
    head = NgramHead(np.zeros(0, np.uint32), np.zeros(0, np.int8), 1.0, 0.0, encoder_weight=0.5)
    probs = {"negative": 0.2, "neutral": 0.2, "positive": 0.6}
    combined = head.combine(probs, head_log_odds=math.log(2))
    expected_odds = math.exp(0.5 * math.log(0.6 / 0.2)) * 2
    assert combined["neutral"] == pytest.approx(0.2)
    assert combined["positive"] / combined["negative"] == pytest.approx(expected_odds, rel=1e-5)
    assert sum(combined.values()) == pytest.approx(1.0)
    assert head.combine(probs, -1e6)["positive"] == 0.0
    assert head.combine(probs, 1e6)["negative"] == 0.0


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    head = _fit()
    head.save(tmp_path)
    loaded = NgramHead.load(tmp_path)
    assert loaded is not None
    assert np.array_equal(loaded.ids, head.ids) and np.array_equal(loaded.weights, head.weights)
    assert (loaded.scale, loaded.bias, loaded.encoder_weight) == (
        head.scale,
        head.bias,
        head.encoder_weight,
    )
    texts = ["재밌어요", "최악"]
    assert np.allclose(loaded.log_odds(texts), head.log_odds(texts))


def test_a_directory_without_a_head_loads_none(tmp_path: Path) -> None:
    assert NgramHead.load(tmp_path) is None


def test_a_damaged_head_file_is_a_clear_load_error(tmp_path: Path) -> None:
    (tmp_path / NGRAM_HEAD_FILE).write_bytes(b"not safetensors")
    with pytest.raises(ModelLoadError, match="unreadable n-gram head"):
        NgramHead.load(tmp_path)


def test_the_scorer_adds_the_head_of_a_model_directory(
    tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    model_dir = tmp_path / "with-head"
    model_dir.mkdir()
    for path in tiny_models["three"].iterdir():
        (model_dir / path.name).write_bytes(path.read_bytes())
    _fit().save(model_dir)
    plain = Scorer.load(str(tiny_models["three"]), max_length=16)
    with_head = Scorer.load(str(model_dir), max_length=16)
    assert plain.ngram_head is None and with_head.ngram_head is not None
    texts = ["재밌어요 최고", "지루해요 최악"]
    before, after = plain.text_probabilities(texts), with_head.text_probabilities(texts)
    head = with_head.ngram_head
    votes = head.log_odds(texts)
    assert after == [head.combine(p, float(v)) for p, v in zip(before, votes, strict=True)]
    assert after[0]["positive"] > after[1]["positive"]
    results = with_head.score([ScoreInput(text, lang="ko") for text in texts])
    assert [result.probs["positive"] for result in results] == pytest.approx(
        [probs["positive"] for probs in after]
    )


def test_the_bundled_korean_model_carries_its_head() -> None:
    scorer = Scorer.load("starter-ko", max_length=64)
    assert scorer.ngram_head is not None and len(scorer.ngram_head.ids) > 100_000
    texts = ["최악의 영화. 시간 낭비", "정말 재밌고 감동적인 영화"]
    negative, positive = scorer.text_probabilities(texts)
    assert negative["negative"] > 0.5 and positive["positive"] > 0.5


def _labelled(source: str, negative: int, positive: int, neutral: int = 0) -> list[Example]:
    counts = {"negative": negative, "positive": positive, "neutral": neutral}
    return [
        Example(f"{source} {label} {i}", label, "ko", "ko_products", source)
        for label, count in counts.items()
        for i in range(count)
    ]


def test_balance_labels_caps_the_commoner_label_of_each_source() -> None:
    examples = _labelled("hotels", 3, 40, neutral=5) + _labelled("games", 30, 10)
    kept = balance_labels(examples, ratio=2, seed=13)
    count = Counter((ex.source, ex.label) for ex in kept)
    assert count == {
        ("hotels", "negative"): 3,
        ("hotels", "positive"): 6,
        ("hotels", "neutral"): 5,
        ("games", "negative"): 20,
        ("games", "positive"): 10,
    }
    assert [ex for ex in examples if ex in kept] == kept  # the order is kept
    assert balance_labels(examples, ratio=2, seed=13) == kept


def test_balance_labels_leaves_balanced_sources_whole() -> None:
    examples = _labelled("shop", 10, 12)
    assert balance_labels(examples, ratio=1.5, seed=13) == examples
