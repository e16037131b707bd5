from pathlib import Path
from typing import Any

import pytest
import torch

from sentiment.data import load_split
from sentiment.exceptions import TrainingError
from sentiment.pretraining import PretrainPlan, length_bucketed_batches, pretrain_encoder
from sentiment.scratch import ScratchShape, build_scratch_model
from sentiment.training import TrainConfig, run_training

TEXTS = [
    "배송이 너무 늦고 포장이 엉망이었어요",
    "정말 최고의 영화, 다시 보고 싶다",
    "the charger stopped working after a day",
    "great battery life and a bright screen",
] * 8
SMALL = ScratchShape(vocab_size=200, hidden_size=32, layers=1, heads=2, intermediate_size=64)


def test_length_buckets_are_seeded_cover_every_text_and_group_similar_lengths() -> None:
    lengths = [1 + (i * 7) % 40 for i in range(200)]
    batches = length_bucketed_batches(lengths, 8, 2, seed=5)
    assert batches == length_bucketed_batches(lengths, 8, 2, seed=5)
    assert batches != length_bucketed_batches(lengths, 8, 2, seed=6)
    per_epoch = len(batches) // 2
    for epoch in (batches[:per_epoch], batches[per_epoch:]):
        assert sorted(i for batch in epoch for i in batch) == list(range(200))
    # One bucket holds the whole set here, so each batch spans a narrow range of lengths.
    spread = max(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches)
    assert spread <= 2


def test_pretraining_changes_the_encoder_and_lowers_the_masked_word_loss(tmp_path: Path) -> None:
    torch.manual_seed(0)
    tokenizer, network = build_scratch_model(TEXTS, SMALL)
    encoded = [tokenizer(text)["input_ids"] for text in TEXTS]
    before = {name: value.clone() for name, value in network.bert.state_dict().items()}
    messages: list[str] = []
    plan = PretrainPlan(
        epochs=100, seed=1, folder=tmp_path / "ckpt", checkpoint_every=5, log_every=1
    )
    pretrain_encoder(network, tokenizer, encoded, plan, messages.append)
    after = network.bert.state_dict()
    assert not torch.equal(
        before["embeddings.word_embeddings.weight"], after["embeddings.word_embeddings.weight"]
    )
    # The pooler is not trained by masked words: the classifier keeps its own.
    assert torch.equal(before["pooler.dense.weight"], after["pooler.dense.weight"])
    losses = [float(m.split(" loss ")[1].split()[0]) for m in messages if " loss " in m]
    assert messages[0].startswith("pre-training step 1/")
    assert losses[-1] < 0.8 * losses[0]


def test_a_rerun_resumes_pretraining_instead_of_starting_over(tmp_path: Path) -> None:
    tokenizer, network = build_scratch_model(TEXTS, SMALL)
    encoded = [tokenizer(text)["input_ids"] for text in TEXTS]
    plan = PretrainPlan(epochs=4, seed=1, folder=tmp_path / "ckpt", checkpoint_every=2)
    pretrain_encoder(network, tokenizer, encoded, plan, lambda _: None)
    assert [p.name for p in plan.folder.iterdir()] == ["step-4.pt"]
    trained = {name: value.clone() for name, value in network.bert.state_dict().items()}
    # A run stopped later, in fine-tuning, starts again without pre-training twice.
    _, fresh = build_scratch_model(TEXTS, SMALL)
    messages: list[str] = []
    pretrain_encoder(fresh, tokenizer, encoded, plan, messages.append)
    assert messages == ["resuming from step-4.pt"]
    for name, value in fresh.bert.state_dict().items():
        if not name.startswith("pooler."):
            assert torch.equal(value, trained[name]), name


def test_pretraining_needs_a_bert_encoder(tmp_path: Path) -> None:
    plan = PretrainPlan(epochs=1, seed=1, folder=tmp_path)
    with pytest.raises(TrainingError, match="needs a BERT encoder"):
        pretrain_encoder(torch.nn.Linear(2, 2), None, [[1, 2]], plan, lambda _: None)


def _scratch_config(data_dir: Path, out_dir: Path, **changes: Any) -> TrainConfig:
    settings: dict[str, Any] = {"max_length": 16, "batch_size": 8, "num_threads": 1}
    settings |= {"log_every": 1} | changes
    return TrainConfig(data_dir=data_dir, out_dir=out_dir, base_model="scratch", **settings)


def test_training_from_scratch_with_pretraining_and_length_groups(
    data_dir: Path, tmp_path: Path
) -> None:
    config = _scratch_config(
        data_dir, tmp_path / "model", learning_rate=1e-3, pretrain_epochs=1, group_by_length=True
    )
    examples = load_split(config.data_dir, seed=config.seed).train
    messages: list[str] = []
    _, network = run_training(config, examples, messages.append)
    assert any(m.startswith("pre-training the encoder on") for m in messages)
    assert any(m.startswith("step ") for m in messages)
    assert network.config.num_labels == 3


def test_a_resumed_scratch_run_reuses_the_vocabulary_of_its_start(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _scratch_config(data_dir, tmp_path / "model", batch_size=4, checkpoint_every=2)
    examples = load_split(config.data_dir, seed=config.seed).train

    def stop_at_step_3(message: str) -> None:
        if message.startswith("step 3/"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_training(config, examples, stop_at_step_3)
    first_vocabulary = (config.out_dir / "vocabulary" / "tokenizer.json").read_text()

    def another_vocabulary(*args: object) -> None:
        raise AssertionError("a resumed run must not learn a new vocabulary")

    monkeypatch.setattr("sentiment.training.train_tokenizer", another_vocabulary)
    messages: list[str] = []
    tokenizer, _ = run_training(config, examples, messages.append)
    assert messages[0].startswith("reusing the vocabulary learned when this run started")
    assert "resuming from step-2.pt" in messages
    assert (
        tokenizer.backend_tokenizer.to_str()
        == type(tokenizer.backend_tokenizer).from_str(first_vocabulary).to_str()
    )
