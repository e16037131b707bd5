"""How often the risk taxonomy's severity floors fire on real labelled reviews.

    .venv/bin/python -m benchmarks.risk_taxonomy [--show N]

A risk with a floor (alerts/risks.yaml) pages whatever the sentiment score, so on
praise it is a false page. Counted over the shared data (real texts nobody here wrote):
UCI Amazon/Yelp/IMDb sentences and TweetEval validation (English), 20,000 NSMC reviews
drawn with seed 3 (Korean); per label, the texts in which a floor risk is found.
``--show`` prints the praise that would page.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

from alerts.risks import load_taxonomy
from sentiment.data import read_jsonl

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"
KOREAN_SAMPLE = 20_000


def corpora(data: Path) -> dict[str, list[dict[str, Any]]]:
    uci = ("uci_amazon_train.jsonl", "uci_yelp_train.jsonl", "uci_imdb_train.jsonl")
    korean = list(read_jsonl(data / "nsmc_train.jsonl.gz"))
    random.Random(3).shuffle(korean)
    return {
        "UCI sentences (en)": [row for name in uci for row in read_jsonl(data / name)],
        "TweetEval validation (en)": list(read_jsonl(data / "tweeteval_val.jsonl")),
        f"NSMC {KOREAN_SAMPLE:,} (ko)": korean[:KOREAN_SAMPLE],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args(argv)
    taxonomy = load_taxonomy()
    print("| corpus | label | texts | a floor risk found |")
    print("|---|---|---|---|")
    for name, rows in corpora(args.data).items():
        for label in ("positive", "negative"):
            texts = [row["text"] for row in rows if row["label"] == label]
            hits = [
                (text, [found.label for found in taxonomy.find(text) if found.risk.floor])
                for text in texts
            ]
            paged = [(text, risks) for text, risks in hits if risks]
            share = 100 * len(paged) / max(1, len(texts))
            print(f"| {name} | {label} | {len(texts)} | {len(paged)} ({share:.2f} %) |")
            if label == "positive":
                for text, risks in paged[: args.show]:
                    print(f"    {risks}: {text[:80]!r}")


if __name__ == "__main__":
    main()
