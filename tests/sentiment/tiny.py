"""Builders for tiny randomly initialised BERT checkpoints and JSON Lines files."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from pathlib import Path

import torch
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    BertTokenizer,
    PreTrainedModel,
)

_WORD_LINE = (
    "great good love fine ok bad terrible hate awful broke in a day the phone movie is it "
    "was not very and but battery screen service slow fast , . ! ? 좋 아 요 싫 어"
)
WORDS = _WORD_LINE.split(" ")
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, "##s", "##ed", "##ly"]

TWO_CLASS = {0: "NEGATIVE", 1: "POSITIVE"}
THREE_CLASS = {0: "negative", 1: "neutral", 2: "positive"}
FIVE_STAR = {0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"}
ANONYMOUS = {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}


def build_tiny_model(
    path: Path,
    id2label: Mapping[int, str],
    *,
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
    bare_encoder: bool = False,
) -> Path:
    """Save a 2-layer, 32-wide random BERT classifier and its WordPiece tokenizer."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer.from_pretrained(str(path))
    config = BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        id2label=dict(id2label),
        label2id={label: index for index, label in id2label.items()},
    )
    torch.manual_seed(seed)
    classifier = BertForSequenceClassification(config)
    classifier.to(dtype)  # type: ignore[arg-type]  # transformers types .to loosely
    network: PreTrainedModel = classifier.bert if bare_encoder else classifier
    network.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    """Write rows as JSON Lines (gzip when the name ends in .gz)."""
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as stream:
            stream.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
