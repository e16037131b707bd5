import dataclasses
import json
from pathlib import Path

import pytest
import torch
from safetensors import safe_open

from sentiment.data import load_split
from sentiment.exceptions import TrainingError
from sentiment.ngram_head import NGRAM_HEAD_FILE, NgramHead
from sentiment.scorer import ScoreInput, Scorer
from sentiment.training import (
    TrainConfig,
    batch_order,
    check_base_split,
    evenly_spaced_layers,
    refit_ngram_head,
    run_training,
    train,
)


@pytest.fixture
def config(data_dir: Path, tiny_encoder: Path, tmp_path: Path) -> TrainConfig:
    return TrainConfig(
        data_dir=data_dir,
        out_dir=tmp_path / "model",
        base_model=str(tiny_encoder),
        max_length=16,
        batch_size=8,
        learning_rate=1e-3,
        num_threads=1,
        checkpoint_every=2,
        log_every=1,
    )


def test_training_writes_a_small_loadable_model_and_its_report(config: TrainConfig) -> None:
    messages: list[str] = []
    report = train(config, progress=messages.append)
    out = config.out_dir
    assert json.loads((out / "config.json").read_text())["id2label"] == {
        "0": "negative",
        "1": "neutral",
        "2": "positive",
    }
    with safe_open(str(out / "model.safetensors"), framework="pt") as weights:
        assert {weights.get_tensor(name).dtype for name in weights.keys()} == {torch.float16}  # noqa: SIM118
    assert not (out / "checkpoints").exists()
    assert {row["kind"] for row in report["summary"]} == {"en_reviews", "ko_movies", "en_tweets"}
    assert all(row["baseline"] is not None for row in report["summary"])
    assert "Model vs baseline" in (out / "eval_report.md").read_text(encoding="utf-8")
    assert json.loads((out / "eval_report.json").read_text())["training"]["train_examples"] > 0
    assert any(message.startswith("step ") for message in messages)
    scorer = Scorer.load(str(out))
    assert scorer.label_map.targets == ("negative", "neutral", "positive")


class _Interrupted(Exception):
    pass


def _stop_at(step: int):
    def progress(message: str) -> None:
        if message.startswith(f"step {step}/"):
            raise _Interrupted

    return progress


def test_an_interrupted_run_resumes_to_the_same_weights(config: TrainConfig) -> None:
    examples = load_split(config.data_dir, seed=config.seed).train
    config = dataclasses.replace(config, epochs=2)
    with pytest.raises(_Interrupted):
        run_training(config, examples, _stop_at(3))
    assert [path.name for path in (config.out_dir / "checkpoints").iterdir()] == ["step-2.pt"]
    messages: list[str] = []
    _, resumed = run_training(config, examples, messages.append)
    assert messages[0] == "resuming from step-2.pt"
    straight = dataclasses.replace(config, out_dir=config.out_dir.parent / "straight")
    _, uninterrupted = run_training(straight, examples, lambda _: None)
    for (name, a), (_, b) in zip(
        resumed.state_dict().items(), uninterrupted.state_dict().items(), strict=True
    ):
        assert torch.allclose(a, b, atol=1e-6), name


def test_batch_order_is_seeded_and_covers_every_example_each_epoch() -> None:
    batches = batch_order(10, 4, 2, seed=3)
    assert batches == batch_order(10, 4, 2, seed=3)
    assert [len(batch) for batch in batches] == [4, 4, 2, 4, 4, 2]
    assert sorted(index for batch in batches[:3] for index in batch) == list(range(10))
    assert batches[:3] != batches[3:]


def test_a_checkpoint_of_another_run_is_refused(config: TrainConfig) -> None:
    examples = load_split(config.data_dir, seed=config.seed).train
    with pytest.raises(_Interrupted):
        run_training(config, examples, _stop_at(3))
    with pytest.raises(TrainingError, match="use the same parameters"):
        run_training(dataclasses.replace(config, batch_size=4), examples, lambda _: None)


def test_fine_tuning_a_model_of_this_repository_with_another_split_is_refused(
    config: TrainConfig, tmp_path: Path
) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "training_config.json").write_text(json.dumps(config.to_json()))
    same_split = dataclasses.replace(config, base_model=str(base), epochs=2)
    check_base_split(same_split)
    other_seed = dataclasses.replace(same_split, seed=config.seed + 1)
    with pytest.raises(TrainingError, match=f"use --seed {config.seed}"):
        train(other_seed, progress=lambda _: None)
    assert not config.out_dir.exists()
    with pytest.raises(TrainingError, match="would train on texts it held out"):
        check_base_split(dataclasses.replace(same_split, validation_fraction=0.3))


def test_training_with_an_ngram_head_saves_it_and_reports_the_encoder_alone(
    config: TrainConfig,
) -> None:
    config = dataclasses.replace(config, ngram_head=True)
    report = train(config, progress=lambda message: None)
    assert (config.out_dir / NGRAM_HEAD_FILE).is_file()
    assert Scorer.load(str(config.out_dir)).ngram_head is not None
    encoder_alone = report["encoder_figures"]["overall"]["three_class"]["n"]
    assert encoder_alone == report["model_figures"]["overall"]["three_class"]["n"] > 0
    markdown = (config.out_dir / "eval_report.md").read_text(encoding="utf-8")
    assert "## Encoder alone, without the n-gram head" in markdown
    weights = config.out_dir / "model.safetensors"
    head_bytes = (config.out_dir / NGRAM_HEAD_FILE).stat().st_size
    assert report["training"]["model_bytes"] > weights.stat().st_size + head_bytes


@pytest.mark.parametrize(
    ("total", "keep", "kept"),
    [
        (6, 3, [1, 3, 5]),
        (6, 2, [2, 5]),
        (6, 6, [0, 1, 2, 3, 4, 5]),
        (12, 4, [2, 5, 8, 11]),
        (2, 1, [1]),
    ],
)
def test_evenly_spaced_layers_spread_out_and_keep_the_top_one(
    total: int, keep: int, kept: list[int]
) -> None:
    assert evenly_spaced_layers(total, keep) == kept


@pytest.mark.parametrize("keep", [0, 7])
def test_keeping_more_layers_than_there_are_or_none_is_refused(keep: int) -> None:
    with pytest.raises(TrainingError, match=f"cannot keep {keep} of the encoder's 6 layers"):
        evenly_spaced_layers(6, keep)


def test_training_with_fewer_layers_saves_a_smaller_model_that_loads(config: TrainConfig) -> None:
    config = dataclasses.replace(config, keep_layers=1)
    messages: list[str] = []
    train(config, progress=messages.append)
    assert "kept 1 encoder layers" in messages
    assert json.loads((config.out_dir / "config.json").read_text())["num_hidden_layers"] == 1
    scorer = Scorer.load(str(config.out_dir))
    assert len(scorer.network.base_model.encoder.layer) == 1
    assert scorer.score([ScoreInput("a fine kettle", lang="en")])[0].label in {
        "negative",
        "neutral",
        "positive",
    }


def test_a_trained_models_configuration_reads_back_with_its_data_moved(
    config: TrainConfig, tmp_path: Path
) -> None:
    config.out_dir.mkdir(parents=True)
    (config.out_dir / "training_config.json").write_text(json.dumps(config.to_json()))
    assert TrainConfig.of_trained(config.out_dir) == config
    moved = TrainConfig.of_trained(config.out_dir, tmp_path / "elsewhere")
    assert moved == dataclasses.replace(config, data_dir=tmp_path / "elsewhere")


def test_refitting_the_ngram_head_keeps_the_encoder_and_shifts_p_negative(
    config: TrainConfig, data_dir: Path, tmp_path: Path
) -> None:
    config = dataclasses.replace(config, ngram_head=True)
    train(config, progress=lambda message: None)
    plain, shifted = tmp_path / "plain", tmp_path / "shifted"
    refit_ngram_head(config.out_dir, plain, data_dir, ["ko_movies"])
    change = refit_ngram_head(config.out_dir, shifted, data_dir, ["ko_movies"], negative_bias=0.5)
    training_side = [
        ex for ex in load_split(data_dir, seed=config.seed).train if ex.kind == "ko_movies"
    ]
    assert json.loads((shifted / "calibration.json").read_text()) == {"ngram_head": change}
    assert change["texts"] == len(training_side) > 0
    assert (shifted / "model.safetensors").read_bytes() == (
        config.out_dir / "model.safetensors"
    ).read_bytes()
    heads = [NgramHead.load(folder) for folder in (config.out_dir, plain, shifted)]
    assert all(head is not None for head in heads)
    original, refit, moved = heads
    assert refit.encoder_weight == original.encoder_weight  # type: ignore[union-attr]
    assert moved.bias == pytest.approx(refit.bias - 0.5)  # type: ignore[union-attr]
    text = ["싫어 3"]
    before = Scorer.load(str(plain)).text_probabilities(text)[0]
    after = Scorer.load(str(shifted)).text_probabilities(text)[0]
    assert after["negative"] > before["negative"]


def test_a_head_for_a_model_without_one_needs_its_encoder_weight(
    config: TrainConfig, data_dir: Path, tmp_path: Path
) -> None:
    train(config, progress=lambda message: None)
    (config.out_dir / "calibration.json").write_text('{"negative_logit_bias": 0.9}')
    with pytest.raises(TrainingError, match="give the encoder weight"):
        refit_ngram_head(config.out_dir, tmp_path / "out", data_dir, ["en_reviews"])
    refit_ngram_head(config.out_dir, tmp_path / "out", data_dir, ["en_reviews"], encoder_weight=1)
    head = Scorer.load(str(tmp_path / "out")).ngram_head
    assert head is not None and head.encoder_weight == 1
    calibration = json.loads((tmp_path / "out" / "calibration.json").read_text())
    assert calibration["negative_logit_bias"] == 0.9  # what was there is kept
    assert calibration["ngram_head"]["kinds"] == ["en_reviews"]
