"""Labelled sentiment data: JSON Lines rows, data kinds and a deterministic split.

Rows are JSON objects with ``text``, ``label`` (negative / neutral / positive),
``lang`` and ``source``; files may be gzip-compressed (``.gz``). The shared data set
(``shared/data/sentiment/``, see its README) holds three kinds of data:

* ``en_reviews`` - English review sentences (UCI amazon, imdb, yelp), binary;
* ``ko_movies`` - Korean movie reviews (NSMC), binary;
* ``en_tweets`` - English tweets (TweetEval), three classes, with an official
  validation file that is used as this kind's held-out set.

Two more kinds are built by ``benchmarks.product_reviews`` (star-rated product, app and
service reviews; docs/model-card.md): ``en_products`` and ``ko_products``, each with a
train file and a dev file used as its held-out set (their test files are only measured).

Kinds without a validation file are split by a seeded hash of the text, so the
split never depends on file order and duplicate texts land on the same side.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sentiment.exceptions import DatasetError
from sentiment.labels import CANONICAL_LABELS


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    text: str
    label: str
    lang: str | None
    kind: str
    source: str | None = None  # the collection within a kind (e.g. one review site)


@dataclass(frozen=True)
class DataKind:
    """Files that make one kind of data; ``validation`` files are its held-out set."""

    name: str
    train: tuple[str, ...]
    validation: tuple[str, ...] = ()


DATA_KINDS: tuple[DataKind, ...] = (
    DataKind(
        "en_reviews", ("uci_amazon_train.jsonl", "uci_imdb_train.jsonl", "uci_yelp_train.jsonl")
    ),
    DataKind("ko_movies", ("nsmc_train.jsonl.gz",)),
    DataKind("en_tweets", ("tweeteval_train.jsonl.gz",), ("tweeteval_val.jsonl",)),
    DataKind("en_products", ("products_en_train.jsonl.gz",), ("products_en_dev.jsonl",)),
    DataKind("ko_products", ("products_ko_train.jsonl.gz",), ("products_ko_dev.jsonl",)),
)


@dataclass(frozen=True)
class DataSplit:
    """Training and held-out validation examples."""

    train: list[Example]
    validation: list[Example]


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a JSON Lines file (optionally .gz); skip blank lines."""
    try:
        with _open_text(path) as stream:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    yield _parse_line(line, path, number)
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc}") from exc


def _parse_line(line: str, path: Path, number: int) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}:{number}: not JSON: {exc.msg}") from exc
    if not isinstance(row, dict):
        raise DatasetError(f"{path}:{number}: expected a JSON object")
    return row


def read_examples(path: Path, kind: str) -> list[Example]:
    """Read labelled examples from one file; raise DatasetError on a malformed row."""
    examples = []
    for number, row in enumerate(read_jsonl(path), start=1):
        text, label = row.get("text"), row.get("label")
        if not isinstance(text, str) or label not in CANONICAL_LABELS:
            raise DatasetError(f"{path}: row {number} needs a string text and a known label")
        lang, source = row.get("lang"), row.get("source")
        examples.append(
            Example(
                text,
                label,
                lang if isinstance(lang, str) else None,
                kind,
                source if isinstance(source, str) else None,
            )
        )
    return examples


def kind_of_file(path: Path) -> str:
    """The data kind a file belongs to, by its name; other files are their own kind."""
    for kind in DATA_KINDS:
        if path.name in kind.train + kind.validation:
            return kind.name
    return path.name.split(".")[0]


def is_held_out(text: str, seed: int, fraction: float) -> bool:
    """Deterministic, seeded choice of the validation side for one text."""
    digest = hashlib.sha256(f"{seed}\x00{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def split_kind(data_dir: Path, kind: DataKind, seed: int, fraction: float) -> DataSplit:
    """Read one data kind and split it into training and validation examples."""
    rows = [ex for name in kind.train for ex in read_examples(data_dir / name, kind.name)]
    if kind.validation:
        held = [ex for name in kind.validation for ex in read_examples(data_dir / name, kind.name)]
        return DataSplit(rows, held)
    train = [ex for ex in rows if not is_held_out(ex.text, seed, fraction)]
    return DataSplit(train, [ex for ex in rows if is_held_out(ex.text, seed, fraction)])


def subsample(examples: Sequence[Example], size: int | None, seed: int) -> list[Example]:
    """A seeded random subsample (all examples when size is None or large enough)."""
    if size is None or size >= len(examples):
        return list(examples)
    return random.Random(seed).sample(list(examples), size)


def load_split(
    data_dir: Path,
    *,
    seed: int,
    validation_fraction: float = 0.2,
    train_sizes: Mapping[str, int] | None = None,
    validation_sizes: Mapping[str, int] | None = None,
) -> DataSplit:
    """Split every data kind found in data_dir, subsampled per kind as asked."""
    train: list[Example] = []
    validation: list[Example] = []
    for kind in DATA_KINDS:
        if not (data_dir / kind.train[0]).exists():
            continue
        split = split_kind(data_dir, kind, seed, validation_fraction)
        train += subsample(split.train, (train_sizes or {}).get(kind.name), seed)
        validation += subsample(split.validation, (validation_sizes or {}).get(kind.name), seed)
    if not train:
        raise DatasetError(f"no known sentiment data files in {data_dir}")
    return DataSplit(train, validation)
