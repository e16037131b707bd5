"""Scoring speed: the repwatch scorer against a naive transformers pipeline, same models.

Texts are the held-out validation side of the shared sentiment data (English review
sentences and tweets, Korean movie reviews; never trained on), so lengths and labels are
real. Each text carries its language, as crawled mentions usually do, and goes to the
model the default configuration routes it to (English: repwatch-starter, Korean:
repwatch-starter-ko). In one run this times:

* naive baseline: ``transformers.pipeline("text-classification")`` per model, called
  once per text (no batching), on a subsample, since it is slow;
* repwatch: the configured scorer (``repwatch.flow.load_scorer``: length-sorted batches,
  ``torch.inference_mode``, thread setting, language routing) in float32 and, with
  ``--quantize``, with int8 dynamic quantisation; accuracy against the gold labels is
  printed for both, so the quantisation's cost is measured on the same texts.

``--device cuda --dtype float16 --batch-size 256`` measures a GPU (both sides on it).

    python -m benchmarks.score_bench --texts 5000 --naive-texts 300 --quantize
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import torch
from transformers import pipeline

from repwatch.config import SentimentConfig, Settings
from repwatch.flow import load_scorer
from sentiment.data import Example, load_split
from sentiment.scorer import ScoreInput, resolve_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"


def held_out_texts(count: int, seed: int) -> list[Example]:
    """`count` held-out examples: all English ones (2,424), the rest Korean, shuffled."""
    validation = load_split(DATA, seed=seed).validation
    english = [ex for ex in validation if ex.lang == "en"]
    korean = [ex for ex in validation if ex.lang == "ko"]
    rng = random.Random(seed)
    picked = english[:count] + rng.sample(korean, max(0, count - len(english)))
    rng.shuffle(picked)
    return picked


def accuracy(labels: list[str], examples: list[Example]) -> float:
    """Exact label match (three classes for tweets, two for reviews)."""
    return sum(a == ex.label for a, ex in zip(labels, examples, strict=True)) / len(examples)


def time_repwatch(settings: Settings, examples: list[Example]) -> tuple[float, list[str]]:
    """(texts per second, labels) scoring all texts in one call of the configured scorer."""
    scorer = load_scorer(settings)
    inputs = [ScoreInput(ex.text, lang=ex.lang) for ex in examples]
    started = time.perf_counter()
    results = scorer.score(inputs)
    return len(examples) / (time.perf_counter() - started), [r.label for r in results]


def time_naive(
    models: dict[str, str], examples: list[Example], max_length: int, device: str
) -> float:
    """Texts per second of plain pipelines (one per language's model), one call per text."""
    pipes = {
        lang: pipeline("text-classification", model=resolve_model(name)[0], device=device)
        for lang, name in models.items()
    }
    started = time.perf_counter()
    for ex in examples:
        pipes.get(ex.lang or "en", pipes["en"])(ex.text, truncation=True, max_length=max_length)
    return len(examples) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--naive-texts", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--quantize", action="store_true")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (both sides)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    examples = held_out_texts(args.texts, args.seed)
    english = sum(ex.lang == "en" for ex in examples)
    words = [len(ex.text.split()) for ex in examples]
    config = SentimentConfig(
        batch_size=args.batch_size, max_length=args.max_length, device=args.device, dtype=args.dtype
    )
    print(
        f"{len(examples)} held-out texts ({english} English, {len(examples) - english} "
        f"Korean), median {statistics.median(words):.0f} words; models: starter, ko: "
        f"{config.models_by_lang['ko']}; {args.threads} torch threads; batch "
        f"{args.batch_size}; max length {args.max_length}; {args.device}, {args.dtype}"
    )
    models = {"en": "starter", **config.models_by_lang}
    naive = time_naive(models, examples[: args.naive_texts], args.max_length, args.device)
    print(f"naive pipeline, one call per text ({args.naive_texts} texts): {naive:8.1f} texts/s")
    fp32, labels = time_repwatch(Settings(sentiment=config), examples)
    print(
        f"repwatch scorer, {args.dtype}:     {fp32:8.1f} texts/s  ({fp32 / naive:.1f}x naive)  "
        f"accuracy {accuracy(labels, examples):.1%}"
    )
    if args.quantize:
        quantized = config.model_copy(update={"quantize": True})
        int8, int8_labels = time_repwatch(Settings(sentiment=quantized), examples)
        print(
            f"repwatch scorer, int8 dynamic: {int8:8.1f} texts/s  ({int8 / naive:.1f}x naive)  "
            f"accuracy {accuracy(int8_labels, examples):.1%}"
        )


if __name__ == "__main__":
    main()
