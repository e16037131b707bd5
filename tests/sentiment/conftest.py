"""Fixtures: tiny randomly initialised BERT classifiers and a tiny labelled data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sentiment.tiny import (
    ANONYMOUS,
    FIVE_STAR,
    THREE_CLASS,
    TWO_CLASS,
    build_tiny_model,
    write_jsonl,
)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One tiny model directory per label shape."""
    root = tmp_path_factory.mktemp("tiny-models")
    shapes = {
        "two": TWO_CLASS,
        "three": THREE_CLASS,
        "five_star": FIVE_STAR,
        "anonymous": ANONYMOUS,
    }
    return {name: build_tiny_model(root / name, labels) for name, labels in shapes.items()}


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny bare BERT encoder (no classifier head), like the starter's base model."""
    return build_tiny_model(tmp_path_factory.mktemp("encoder"), THREE_CLASS, bare_encoder=True)


def _rows(label_texts: dict[str, list[str]], lang: str, source: str) -> list[dict[str, object]]:
    return [
        {"text": text, "label": label, "lang": lang, "source": source}
        for label, texts in label_texts.items()
        for text in texts
    ]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A miniature copy of the shared data layout: every file name, a few rows each."""
    folder = tmp_path / "data"
    folder.mkdir()
    reviews = {
        "negative": [f"the phone was bad {i}" for i in range(10)],
        "positive": [f"great phone {i}" for i in range(10)],
    }
    for name in ("amazon", "imdb", "yelp"):
        write_jsonl(folder / f"uci_{name}_train.jsonl", _rows(reviews, "en", f"uci/{name}"))
    korean = {
        "negative": [f"싫어 {i}" for i in range(12)],
        "positive": [f"좋아요 {i}" for i in range(12)],
    }
    write_jsonl(folder / "nsmc_train.jsonl.gz", _rows(korean, "ko", "nsmc"))
    tweets = {
        "negative": [f"awful service {i}" for i in range(6)],
        "neutral": [f"the movie is in a day {i}" for i in range(6)],
        "positive": [f"love it {i}" for i in range(6)],
    }
    write_jsonl(folder / "tweeteval_train.jsonl.gz", _rows(tweets, "en", "tweeteval"))
    validation = {"negative": ["hate it"], "neutral": ["the screen"], "positive": ["love it !"]}
    write_jsonl(folder / "tweeteval_val.jsonl", _rows(validation, "en", "tweeteval"))
    return folder
