"""How often incident grouping links two complaints, at several similarity thresholds.

    .venv/bin/python -m benchmarks.grouping_threshold [--before FILE] [--show N]
        [--band LOW HIGH]

Pairs of real negative reviews that nobody here wrote (shared/data: the UCI Amazon and
Yelp sentences, English; an NSMC sample, Korean) are mostly about different things, so
the share of their pairs at or above a threshold is the rate at which unrelated
complaints would be grouped. ``--show N`` prints the N most similar pairs (with
``--band``, the N most similar in that similarity band), to read whether they are one
complaint. ``--before`` measures an older tokeniser as well: a module
with ``theme_words(text) -> set`` and ``similarity(a, b)`` (the pre-merge
``alerts/text.py``, e.g. ``git show 230cb83:alerts/text.py > /tmp/old.py``).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alerts.similarity import similarity
from sentiment.data import read_jsonl
from sentiment.terms import theme_words

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"
THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.5)
KOREAN_SAMPLE = 700


def negatives(data: Path) -> dict[str, list[str]]:
    """Negative review texts per language."""
    english = [
        row["text"]
        for name in ("uci_amazon_train.jsonl", "uci_yelp_train.jsonl")
        for row in read_jsonl(data / name)
        if row["label"] == "negative"
    ]
    korean = [
        row["text"]
        for row in read_jsonl(data / "nsmc_train.jsonl.gz")
        if row["label"] == "negative"
    ]
    return {"en": english, "ko": random.Random(7).sample(korean, KOREAN_SAMPLE)}


def link_rates(
    texts: list[str], words: Callable[[str], Any], alike: Callable[[Any, Any], float]
) -> tuple[int, dict[float, int], list[tuple[float, str, str]]]:
    """Pairs, pairs at or above each threshold, and the pairs sorted most similar first."""
    terms = [words(text) for text in texts]
    scored = []
    for (i, a), (j, b) in itertools.combinations(enumerate(terms), 2):
        value = alike(a, b)
        if value > 0:
            scored.append((value, texts[i], texts[j]))
    scored.sort(reverse=True)
    pairs = len(texts) * (len(texts) - 1) // 2
    return pairs, {t: sum(1 for s, _, _ in scored if s >= t) for t in THRESHOLDS}, scored


def _load_before(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("tokeniser_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--before", type=Path, help="an older tokeniser module to compare")
    parser.add_argument("--show", type=int, default=0, help="print the N most similar pairs")
    parser.add_argument("--band", type=float, nargs=2, default=(0.0, 1.0), metavar=("LOW", "HIGH"))
    args = parser.parse_args(argv)
    tokenisers: dict[str, tuple[Callable[[str], Any], Callable[[Any, Any], float]]] = {
        "sentiment.terms": (theme_words, similarity)
    }
    if args.before:
        old = _load_before(args.before)
        tokenisers = {"before": (old.theme_words, old.similarity), **tokenisers}
    header = " | ".join(f"≥ {t}" for t in THRESHOLDS)
    print(f"| language | tokeniser | texts | pairs | {header} |")
    print("|---" * (4 + len(THRESHOLDS)) + "|")
    for lang, texts in negatives(args.data).items():
        for name, (words, alike) in tokenisers.items():
            pairs, linked, scored = link_rates(texts, words, alike)
            rates = " | ".join(f"{linked[t]} ({100 * linked[t] / pairs:.3f} %)" for t in THRESHOLDS)
            print(f"| {lang} | {name} | {len(texts)} | {pairs} | {rates} |")
            low, high = args.band
            shown = [pair for pair in scored if low <= pair[0] <= high][: args.show]
            for value, first, second in shown:
                print(f"    {value:.2f}  {first[:70]!r}  ~  {second[:70]!r}")


if __name__ == "__main__":
    main()
