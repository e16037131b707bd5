import json
import threading
from pathlib import Path

import pytest
import torch

import sentiment.scorer as scorer_module
from sentiment.exceptions import InvalidInputError, LabelMappingError, ModelLoadError
from sentiment.results import ScoreInput, SentimentResult
from sentiment.scorer import Scorer
from tests.sentiment.tiny import THREE_CLASS, build_tiny_model

TEXTS = [
    "great phone",
    "the battery was terrible and the screen broke in a day , not good",
    "",
    "😀",
    "ok",
    "love it but slow service and bad screen , awful",
]


@pytest.fixture(scope="module")
def three_class(tiny_models: dict[str, Path]) -> Scorer:
    return Scorer.load(str(tiny_models["three"]), batch_size=2, max_length=32)


def test_score_returns_one_result_per_input_with_consistent_fields(three_class: Scorer) -> None:
    results = three_class.score([ScoreInput(text) for text in TEXTS])
    assert len(results) == len(TEXTS)
    for result in results:
        assert set(result.probs) == {"negative", "neutral", "positive"}
        assert sum(result.probs.values()) == pytest.approx(1.0, abs=1e-5)
        assert result.label == max(result.probs, key=result.probs.__getitem__)
        assert result.score == pytest.approx(result.probs["positive"] - result.probs["negative"])
        assert result.confidence == result.probs[result.label]
        assert result.model == str(Path(three_class.model_id))


def test_no_texts_is_no_results_not_an_error(three_class: Scorer) -> None:
    assert three_class.text_probabilities([]) == []
    assert three_class.score([]) == []


def test_batching_and_length_sorting_keep_input_order(three_class: Scorer) -> None:
    batched = three_class.score([ScoreInput(text) for text in TEXTS])
    alone = [three_class.score([ScoreInput(text)])[0] for text in TEXTS]
    for together, single in zip(batched, alone, strict=True):
        for label in together.probs:
            assert together.probs[label] == pytest.approx(single.probs[label], abs=1e-5)


def test_batches_scored_side_by_side_match_batches_scored_in_turn(
    tiny_models: dict[str, Path],
) -> None:
    threads_before = torch.get_num_threads()
    try:
        in_turn = Scorer.load(str(tiny_models["three"]), batch_size=2, num_threads=1)
        side_by_side = Scorer.load(str(tiny_models["three"]), batch_size=2, num_threads=3)
        assert torch.get_num_threads() == 1  # each batch on one thread, three at once
    finally:
        torch.set_num_threads(threads_before)
    ran_on: set[str] = set()
    side_by_side.network.register_forward_pre_hook(
        lambda *_: ran_on.add(threading.current_thread().name)
    )
    inputs = [ScoreInput(text) for text in TEXTS * 3]

    expected = in_turn.score(inputs)
    got = side_by_side.score(inputs)

    assert ran_on and all(name.startswith("repwatch-score") for name in ran_on)
    for ours, theirs in zip(got, expected, strict=True):
        assert ours.label == theirs.label
        for label in ours.probs:
            assert ours.probs[label] == pytest.approx(theirs.probs[label], abs=1e-5)


def test_the_stages_can_run_one_by_one(three_class: Scorer) -> None:
    prepared = three_class.preprocess([ScoreInput("great phone"), ScoreInput("bad", lang="en")])
    outputs = three_class.forward(prepared)
    assert [len(row) for row in outputs] == [3, 3]
    results = three_class.postprocess(prepared, outputs, [None, 1])
    assert results[1].label == "negative"
    assert results[1].lang == "en"


def test_ratings_are_fused_with_the_text(three_class: Scorer) -> None:
    [plain, rated] = three_class.score([ScoreInput("great phone"), ScoreInput("great phone", 5)])
    assert rated.label == "positive"
    assert rated.probs["positive"] > plain.probs["positive"]


def test_to_json_rounds_probabilities_to_four_decimals(three_class: Scorer) -> None:
    [result] = three_class.score([ScoreInput("great phone", lang="en")])
    payload = result.to_json()
    assert set(payload) == {"label", "score", "probs", "model", "lang"}
    assert all(round(value, 4) == value for value in payload["probs"].values())
    assert json.loads(json.dumps(payload)) == payload


def test_to_json_of_a_known_result() -> None:
    result = SentimentResult(
        "negative",
        -0.5,
        {"negative": 0.612345, "neutral": 0.275, "positive": 0.112345},
        0.612345,
        "m",
        "ko",
    )
    assert result.to_json() == {
        "label": "negative",
        "score": -0.5,
        "probs": {"negative": 0.6123, "neutral": 0.275, "positive": 0.1123},
        "model": "m",
        "lang": "ko",
    }


def test_two_class_models_give_neutral_zero(tiny_models: dict[str, Path]) -> None:
    scorer = Scorer.load(str(tiny_models["two"]))
    for result in scorer.score([ScoreInput(text) for text in TEXTS]):
        assert result.probs["neutral"] == 0.0
        assert result.label in {"negative", "positive"}


def test_star_models_sum_stars_into_three_labels(tiny_models: dict[str, Path]) -> None:
    scorer = Scorer.load(str(tiny_models["five_star"]))
    prepared = scorer.preprocess([ScoreInput("great phone")])
    [stars] = scorer.forward(prepared)
    [result] = scorer.postprocess(prepared, [stars], [None])
    assert result.probs["negative"] == pytest.approx(stars[0] + stars[1])
    assert result.probs["neutral"] == pytest.approx(stars[2])
    assert result.probs["positive"] == pytest.approx(stars[3] + stars[4])


def test_anonymous_labels_load_only_with_a_mapping(tiny_models: dict[str, Path]) -> None:
    with pytest.raises(LabelMappingError):
        Scorer.load(str(tiny_models["anonymous"]))
    mapping = {"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"}
    scorer = Scorer.load(str(tiny_models["anonymous"]), label_map=mapping)
    assert scorer.label_map.targets == ("negative", "neutral", "positive")


def test_float16_weights_are_loaded_as_float32(tmp_path: Path) -> None:
    path = build_tiny_model(tmp_path / "half", THREE_CLASS, dtype=torch.float16)
    scorer = Scorer.load(str(path), num_threads=1)
    assert next(scorer.network.parameters()).dtype == torch.float32
    assert len(scorer.score([ScoreInput("great")])) == 1


def test_starter_resolves_to_the_packaged_directory(
    tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = (tiny_models["three"], "repwatch-starter")
    monkeypatch.setitem(scorer_module.BUNDLED_MODELS, "starter", bundled)
    assert Scorer.load("starter").model_id == "repwatch-starter"


def test_a_missing_model_is_a_model_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="cannot load"):
        Scorer.load(str(tmp_path / "nowhere"))


def test_long_texts_are_cut_to_max_length(tiny_models: dict[str, Path]) -> None:
    scorer = Scorer.load(str(tiny_models["three"]), max_length=12)
    [prepared] = scorer.preprocess([ScoreInput("great " * 500 + "bad")])
    assert len(prepared.input_ids) == 12
    assert len(scorer.score([ScoreInput("great " * 500 + "bad")])) == 1


@pytest.mark.parametrize(("text", "rating"), [(None, None), ("fine", 0), ("fine", 6)])
def test_bad_inputs_are_refused(text: object, rating: float | None) -> None:
    with pytest.raises(InvalidInputError):
        ScoreInput(text, rating)  # type: ignore[arg-type]


def test_scoring_nothing_returns_nothing(three_class: Scorer) -> None:
    assert three_class.score([]) == []


def test_the_shipped_starter_model_loads_with_three_labels() -> None:
    scorer = Scorer.load("starter", max_length=64)
    assert scorer.label_map.targets == ("negative", "neutral", "positive")
    assert next(scorer.network.parameters()).dtype == torch.float32
    [result] = scorer.score([ScoreInput("Absolutely love this phone, the battery lasts forever")])
    assert result.model == "repwatch-starter"
    assert result.label == "positive"


def test_bfloat16_on_the_cpu_scores_close_to_float32(tiny_models: dict[str, Path]) -> None:
    full = Scorer.load(str(tiny_models["three"]), num_threads=1)
    half = Scorer.load(str(tiny_models["three"]), num_threads=1, dtype="bfloat16")
    assert next(half.network.parameters()).dtype == torch.bfloat16
    assert half.device == torch.device("cpu")
    for a, b in zip(full.text_probabilities(TEXTS), half.text_probabilities(TEXTS), strict=True):
        assert a == pytest.approx(b, abs=0.02)


def test_auto_device_is_the_cpu_without_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert scorer_module.resolve_device("auto") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert scorer_module.resolve_device("auto") == torch.device("cuda")


def test_a_device_torch_cannot_use_is_a_clear_error(
    tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ModelLoadError, match="sees no CUDA device"):
        Scorer.load(str(tiny_models["three"]), device="cuda:1")
    with pytest.raises(ModelLoadError, match="unknown device 'gpu'"):
        Scorer.load(str(tiny_models["three"]), device="gpu")


def test_int8_quantisation_is_refused_off_the_cpu(
    tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    with pytest.raises(ModelLoadError, match="CPU only"):
        Scorer.load(str(tiny_models["three"]), device="cuda", quantize=True)


def _int8_layers(scorer: Scorer) -> int:
    return sum(
        type(module).__name__ == "Linear" and "quantized" in type(module).__module__
        for module in scorer.network.modules()
    )


def test_an_unset_quantize_runs_int8_on_a_float32_cpu_model_only(
    tiny_models: dict[str, Path],
) -> None:
    model = str(tiny_models["three"])
    assert _int8_layers(Scorer.load(model, quantize=None)) > 0
    assert _int8_layers(Scorer.load(model, quantize=None, dtype="bfloat16")) == 0
    assert _int8_layers(Scorer.load(model, quantize=False)) == 0
    texts = ["terrible, it broke", "lovely and quick"]
    quantized = Scorer.load(model, quantize=True).text_probabilities(texts)
    exact = Scorer.load(model).text_probabilities(texts)
    # int8 weights with one scale per output channel stay close to the float model.
    for row, reference in zip(quantized, exact, strict=True):
        assert all(abs(row[label] - reference[label]) < 0.05 for label in reference)
