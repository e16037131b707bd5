"""An n-gram head beside a from-scratch encoder: NB-weighted logistic regression on n-grams.

A small encoder trained from scratch on one language's labelled texts and a bag of
character and word n-grams make different mistakes; adding their log-odds beats either
alone (Korean movie reviews: docs/model-card.md). The head is the "NB-LR" variant of
NBSVM (Wang & Manning, 2012): binary n-gram features scaled by their naive-Bayes
log-count ratio, then logistic regression. It is binary: it moves the balance between
negative and positive and leaves the encoder's neutral probability as it is.

N-grams are named by their CRC-32, so the head stores numbers, not a vocabulary: the
sorted ids of the features it kept and one int8 weight each (``ngram_head.safetensors``
in the model directory). Only features seen in ``min_df`` training texts are kept, and
of those the ``max_features`` with the largest weights.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load, save

from sentiment.exceptions import ModelLoadError
from sentiment.preprocess import clip_characters

NGRAM_HEAD_FILE = "ngram_head.safetensors"
CHAR_NGRAMS = range(1, 6)
WORD_NGRAMS = range(1, 4)
# Long texts: features from the first and last characters only, like the encoder's cut.
MAX_CHARACTERS = 1024
_FORMAT = "repwatch-ngram-head/1"
_CHAR_PREFIX, _WORD_PREFIX = zlib.crc32(b"c"), zlib.crc32(b"w")
_EPS = 1e-7  # keeps log() finite when the encoder gives a label zero


def ngram_ids(text: str) -> np.ndarray:
    """Distinct CRC-32 ids of the text's character 1-5-grams and word 1-3-grams.

    An id is the CRC-32 of "c" or "w" followed by the n-gram's UTF-8 bytes; character
    n-grams are cut from the encoded text at character starts, and each CRC continues
    from its prefix's (zlib.crc32's start value), so no string is built per n-gram.
    """
    text = clip_characters(text.lower(), MAX_CHARACTERS)
    data = text.encode()
    lead_bytes = (np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80
    starts = [*np.flatnonzero(lead_bytes).tolist(), len(data)]
    crc = zlib.crc32
    ids = {
        crc(data[starts[i] : starts[i + n]], _CHAR_PREFIX)
        for n in CHAR_NGRAMS
        for i in range(len(starts) - n)
    }
    words = text.split()
    ids |= {
        crc(" ".join(words[i : i + n]).encode(), _WORD_PREFIX)
        for n in WORD_NGRAMS
        for i in range(len(words) - n + 1)
    }
    return np.fromiter(ids, dtype=np.uint32, count=len(ids))


@dataclass(frozen=True)
class NgramHead:
    """Kept feature ids (sorted uint32), their int8 weights, the scale and the bias.

    `encoder_weight` multiplies the encoder's log-odds before the head's are added: a
    from-scratch encoder is over-confident on its own.
    """

    ids: np.ndarray
    weights: np.ndarray
    scale: float
    bias: float
    encoder_weight: float

    @cached_property
    def _values(self) -> np.ndarray:
        return self.weights.astype(np.float64) * self.scale

    def log_odds(self, texts: Sequence[str]) -> np.ndarray:
        """log P(positive) - log P(negative) by the head alone, one per text."""
        rows = [ngram_ids(text) for text in texts]
        if not rows or not len(self.ids):
            return np.full(len(texts), self.bias)
        # One lookup for the whole batch, then a sum per text.
        features = np.concatenate(rows)
        owners = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
        slots = np.searchsorted(self.ids, features).clip(max=len(self.ids) - 1)
        found = self.ids[slots] == features
        sums = np.bincount(owners[found], weights=self._values[slots[found]], minlength=len(rows))
        return self.bias + sums

    def combine(self, probs: dict[str, float], head_log_odds: float) -> dict[str, float]:
        """Three-label probabilities with the head's log-odds added to the encoder's."""
        encoder = math.log(probs["positive"] + _EPS) - math.log(probs["negative"] + _EPS)
        polar = probs["negative"] + probs["positive"]
        positive = polar * _sigmoid(self.encoder_weight * encoder + head_log_odds)
        return {"negative": polar - positive, "neutral": probs["neutral"], "positive": positive}

    def save(self, directory: Path) -> Path:
        """Write ngram_head.safetensors into the model directory."""
        path = directory / NGRAM_HEAD_FILE
        path.write_bytes(self.to_bytes())
        return path

    def to_bytes(self) -> bytes:
        """The head as safetensors bytes (a model file, or a refit stored in the database)."""
        tensors = {"ids": self.ids, "weights": self.weights}
        numbers = {"scale": self.scale, "bias": self.bias, "encoder_weight": self.encoder_weight}
        metadata = {"format": _FORMAT} | {name: repr(value) for name, value in numbers.items()}
        return save(tensors, metadata=metadata)

    @classmethod
    def from_bytes(cls, data: bytes, where: str) -> NgramHead:
        """Read `to_bytes` output; raise ModelLoadError naming `where` when it is not one."""
        try:
            metadata = _safetensors_metadata(data)
            if metadata.get("format") != _FORMAT:
                raise ModelLoadError(f"{where}: not a repwatch n-gram head")
            tensors = load(data)
            return cls(
                ids=tensors["ids"],
                weights=tensors["weights"],
                scale=float(metadata["scale"]),
                bias=float(metadata["bias"]),
                encoder_weight=float(metadata["encoder_weight"]),
            )
        except (SafetensorError, KeyError, ValueError) as exc:
            raise ModelLoadError(f"{where}: unreadable n-gram head ({exc})") from exc

    @classmethod
    def load(cls, directory: Path) -> NgramHead | None:
        """The head saved in a model directory, or None when it has none."""
        path = directory / NGRAM_HEAD_FILE
        if not path.is_file():
            return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelLoadError(f"{path}: unreadable n-gram head ({exc})") from exc
        return cls.from_bytes(data, str(path))


def _safetensors_metadata(data: bytes) -> dict[str, str]:
    # The safetensors layout: an 8-byte little-endian header length, then a JSON header.
    length = int.from_bytes(data[:8], "little")
    if len(data) < 8 + length:
        raise ValueError("truncated safetensors header")
    header = json.loads(data[8 : 8 + length])
    metadata = header.get("__metadata__") or {}
    if not isinstance(metadata, dict):
        raise ValueError("safetensors metadata is not an object")
    return metadata


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)
