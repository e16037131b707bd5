"""Scoring speed of `repwatch score` itself against a naive transformers pipeline.

    .venv/bin/python -m benchmarks.score_bench [--corpus held-out|amazon] [--texts 4000]
        [--naive-texts 300] [--amazon-csv FILE] [--config FILE] [--with-lang]

What is timed is the command users run: ``repwatch score FILE`` in a subprocess, with
the default configuration (or ``--config``): language routing on, language detected
per text (lines carry no ``lang`` unless ``--with-lang``), the configured batch size and
max length. Start-up (Python, imports, loading the models) is the same for any input,
so the command is run twice, on the first quarter of the texts and on all of them, and
the marginal rate is (N − n) / (T_N − T_n); the whole-run rate N / T_N is printed too.

The naive baseline, in the same run: ``transformers.pipeline("text-classification")``
on the model each text's language is routed to (English: the starter, MiniLM-L6),
called once per text (no batching), on ``--naive-texts`` of the texts, truncated to the
same max length.

Corpora:

* ``held-out`` (default): the validation side of the shared sentiment data's seeded
  split (English review sentences and tweets, Korean movie reviews; never trained on),
  all English ones first, the rest Korean;
* ``amazon``: real Amazon product reviews of review length (Zhang et al.'s Amazon review
  full-score set, the 999-review ``test.csv`` sample in the public repository
  PacktPublishing/Democratizing-Artificial-Intelligence-with-UiPath at d780bf5,
  Chapter06/AI_Center_Test/Amazon_Reviews_Dataset; see docs/benchmarks.md for how to
  bring it in). More texts than it holds repeat it: the scorer keeps no cache, so a
  repeat costs what a new text does.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from config.settings import Settings, load_settings
from sentiment.data import load_split
from sentiment.scorer import resolve_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"
REPWATCH = Path(sys.executable).with_name("repwatch")
AMAZON_LABELS = {
    "Very Negative": "negative",
    "Negative": "negative",
    "Neutral": "neutral",
    "Positive": "positive",
    "Very Positive": "positive",
}


@dataclass(frozen=True)
class Text:
    text: str
    label: str
    lang: str
    three_class: bool  # gold has neutral; otherwise negative vs positive only


def held_out_texts(count: int, seed: int) -> list[Text]:
    """`count` held-out texts: every English one (2,424) first, then Korean, shuffled."""
    validation = load_split(DATA, seed=seed).validation
    english = [ex for ex in validation if ex.lang == "en"]
    korean = [ex for ex in validation if ex.lang == "ko"]
    rng = random.Random(seed)
    picked = english[:count] + rng.sample(korean, max(0, count - len(english)))
    rng.shuffle(picked)
    return [Text(ex.text, ex.label, ex.lang or "en", ex.kind == "en_tweets") for ex in picked]


def amazon_texts(path: Path, count: int) -> list[Text]:
    """`count` texts from the Amazon reviews CSV (columns target, input), repeated as needed."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [Text(r["input"], AMAZON_LABELS[r["target"]], "en", True) for r in reader]
    return [rows[index % len(rows)] for index in range(count)]


def write_jsonl(texts: list[Text], path: Path, with_lang: bool) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for item in texts:
            record = {"text": item.text, "lang": item.lang} if with_lang else {"text": item.text}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def run_cli(source: Path, config: Path | None) -> tuple[float, list[dict[str, object]]]:
    """(wall seconds, output records) of one `repwatch score FILE` run."""
    command = [str(REPWATCH), "score", str(source)]
    if config is not None:
        command += ["--config", str(config)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"repwatch score failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, [json.loads(line) for line in done.stdout.splitlines()]


def agreement(records: list[dict[str, object]], texts: list[Text]) -> float:
    """Share of texts labelled as gold: three classes where gold has them, else negative
    against positive by the larger probability."""
    right = 0
    for record, item in zip(records, texts, strict=True):
        sentiment = record["sentiment"]
        assert isinstance(sentiment, dict)
        probs = sentiment["probs"]
        binary = "negative" if probs["negative"] > probs["positive"] else "positive"
        right += (sentiment["label"] if item.three_class else binary) == item.label
    return right / len(texts)


def time_naive(settings: Settings, texts: list[Text]) -> float:
    """Texts per second of plain pipelines (one per routed model), one call per text."""
    from transformers import pipeline

    sentiment = settings.sentiment
    models = {"en": settings.model, **sentiment.models_by_lang}
    pipes = {
        lang: pipeline("text-classification", model=resolve_model(name)[0], device="cpu")
        for lang, name in models.items()
    }
    started = time.perf_counter()
    for item in texts:
        pipes.get(item.lang, pipes["en"])(
            item.text, truncation=True, max_length=sentiment.max_length
        )
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["held-out", "amazon"], default="held-out")
    parser.add_argument("--amazon-csv", type=Path, default=Path("/tmp/amazon_reviews_test.csv"))
    parser.add_argument("--texts", type=int, default=4000)
    parser.add_argument("--naive-texts", type=int, default=300)
    parser.add_argument("--config", type=Path, help="repwatch config file (default: none)")
    parser.add_argument("--with-lang", action="store_true", help="lines carry their lang")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = load_settings(args.config)
    if args.corpus == "amazon":
        texts = amazon_texts(args.amazon_csv, args.texts)
    else:
        texts = held_out_texts(args.texts, args.seed)
    first = texts[: len(texts) // 4]
    english = sum(item.lang == "en" for item in texts)
    words = statistics.median(len(item.text.split()) for item in texts)
    print(
        f"{len(texts)} {args.corpus} texts ({english} English, {len(texts) - english} other), "
        f"median {words:.0f} words; config: {args.config or 'defaults'} (model "
        f"{settings.model}, by language {settings.sentiment.models_by_lang}, batch "
        f"{settings.sentiment.batch_size}, max length {settings.sentiment.max_length}); "
        f"lang given: {args.with_lang}; {os.cpu_count()} CPUs"
    )
    naive = time_naive(settings, texts[: args.naive_texts])
    print(f"naive pipeline, one call per text ({args.naive_texts} texts): {naive:7.1f} texts/s")
    with tempfile.TemporaryDirectory() as scratch:
        small = write_jsonl(first, Path(scratch) / "first.jsonl", args.with_lang)
        full = write_jsonl(texts, Path(scratch) / "all.jsonl", args.with_lang)
        small_s, _ = run_cli(small, args.config)
        full_s, records = run_cli(full, args.config)
    marginal = (len(texts) - len(first)) / (full_s - small_s)
    print(
        f"repwatch score: {len(first)} texts in {small_s:.1f} s, {len(texts)} in {full_s:.1f} s"
        f" -> marginal {marginal:7.1f} texts/s ({marginal / naive:.1f}x naive), whole run "
        f"{len(texts) / full_s:.1f} texts/s; agreement with gold {agreement(records, texts):.1%}"
    )


if __name__ == "__main__":
    main()
