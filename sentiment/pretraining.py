"""Masked-language-model pre-training of a from-scratch encoder on the training texts.

An encoder trained from scratch sees each word only through the labelled examples. A
few epochs of masked-word prediction on the same texts first (no labels used, no
validation text seen) teach it the language's words and endings, and fine-tuning then
starts from an encoder that already reads. Batches are grouped by length, so short
reviews are not padded to the longest one of a random batch.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import (
    BertForMaskedLM,
    DataCollatorForLanguageModeling,
    get_linear_schedule_with_warmup,
)

from sentiment.checkpoints import Progress, report_progress, resume, save_checkpoint
from sentiment.exceptions import TrainingError

# Larger batches and a higher rate than fine-tuning suit a small encoder learning from zero.
MASK_PROBABILITY = 0.15
BATCH_SIZE = 128
LEARNING_RATE = 1e-3
WARMUP_RATIO = 0.06
_BUCKET_BATCHES = 50  # batches per length-sorted bucket: short padding, still shuffled


@dataclass(frozen=True)
class PretrainPlan:
    """How long to pre-train and where its checkpoints go."""

    epochs: int
    seed: int
    folder: Path
    checkpoint_every: int = 500
    log_every: int = 100


def length_bucketed_batches(
    lengths: Sequence[int], batch_size: int, epochs: int, seed: int
) -> list[list[int]]:
    """Seeded batches of indices: shuffled, sorted by length within buckets, then shuffled."""
    rng = random.Random(seed)
    batches: list[list[int]] = []
    bucket = batch_size * _BUCKET_BATCHES
    for _ in range(epochs):
        order = list(range(len(lengths)))
        rng.shuffle(order)
        epoch: list[list[int]] = []
        for start in range(0, len(order), bucket):
            chunk = sorted(order[start : start + bucket], key=lambda i: lengths[i])
            epoch += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
        rng.shuffle(epoch)
        batches += epoch
    return batches


def pretrain_encoder(
    network: Any,
    tokenizer: Any,
    encoded: Sequence[list[int]],
    plan: PretrainPlan,
    progress: Progress,
) -> None:
    """Pre-train `network`'s BERT encoder in place by masked-word prediction on `encoded`."""
    if not hasattr(network, "bert"):
        raise TrainingError(f"pre-training needs a BERT encoder; {type(network).__name__} has none")
    masked_lm = BertForMaskedLM(network.config)
    masked_lm.bert.load_state_dict(network.bert.state_dict(), strict=False)
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=MASK_PROBABILITY)
    batches = length_bucketed_batches(
        [len(ids) for ids in encoded], BATCH_SIZE, plan.epochs, plan.seed
    )
    optimizer = torch.optim.AdamW(masked_lm.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(len(batches) * WARMUP_RATIO), len(batches)
    )
    parts = {"model": masked_lm, "optimizer": optimizer, "scheduler": scheduler}
    state = resume(plan.folder, parts, len(batches), progress)
    masked_lm.train()
    started, first_step = time.monotonic(), state.step
    for index in batches[state.step :]:
        state.losses.append(_masked_lm_step(parts, collator, [encoded[i] for i in index]))
        state.step += 1
        if state.step % plan.log_every == 0 or state.step == len(batches):
            done = state.step - first_step
            report_progress("pre-training ", state, done, started, time.monotonic(), progress)
        if state.step % plan.checkpoint_every == 0:
            save_checkpoint(plan.folder, parts, state)
    # The classifier's pooler is not part of the masked-word model: it keeps its own start.
    network.bert.load_state_dict(masked_lm.bert.state_dict(), strict=False)


def _masked_lm_step(parts: dict[str, Any], collator: Any, ids: list[list[int]]) -> float:
    batch = collator([{"input_ids": item} for item in ids])
    model = parts["model"]
    hidden = model.bert(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state
    # Predict the masked positions only: the vocabulary projection is most of the cost.
    masked = batch["labels"] != -100
    logits = model.cls(hidden[masked])
    loss = torch.nn.functional.cross_entropy(logits, batch["labels"][masked])
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    parts["optimizer"].step()
    parts["scheduler"].step()
    parts["optimizer"].zero_grad()
    return float(loss.item())
