"""How many real complaints alert, and how much real praise, at the default rules.

    .venv/bin/python -m benchmarks.complaint_alerts [--amazon-csv FILE] [--limit N]

Star-rated reviews nobody here wrote are labelled by their stars (1-2 a complaint, 4-5
praise, 3 left out) and decided the way the worker decides them, with the stars
withheld so that the text alone must carry the complaint: the default scorer
(language routing as configured), then ``alerts.rules.decide`` with the default rules.
"sentiment only" counts P(negative) >= ``negative_threshold``, what alerted before the
risk taxonomy; "rules" is the whole decision, risk floors included.

Corpus: Amazon product reviews (Zhang et al.'s Amazon review full-score set, the
999-review ``test.csv`` in PacktPublishing/Democratizing-Artificial-Intelligence-with-UiPath
at d780bf5, Chapter06/AI_Center_Test/Amazon_Reviews_Dataset; not in the shared training
data). No Korean product-review set with stars is reachable here yet.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

from alerts.rules import decide
from config.settings import Settings
from repwatch.flow import load_scorer
from sentiment.results import ScoreInput
from storage.models import Mention, Score, Source

COMPLAINTS, PRAISE = "complaints (1-2 stars)", "praise (4-5 stars)"
STARS = {"Very Negative": 1, "Negative": 2, "Neutral": 3, "Positive": 4, "Very Positive": 5}


@dataclass(frozen=True)
class Review:
    text: str
    stars: int


def amazon_reviews(path: Path) -> list[Review]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Review(row["input"], STARS[row["target"]]) for row in csv.DictReader(handle)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--amazon-csv", type=Path, default=Path("/tmp/amazon_reviews_test.csv"))
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    settings = Settings()
    reviews = [r for r in amazon_reviews(args.amazon_csv) if r.stars != 3][: args.limit]
    scorer = load_scorer(settings)
    results = scorer.score([ScoreInput(review.text) for review in reviews])
    source = Source(name="amazon", kind="schemaorg", url="https://x.example/", brand="Acme")
    rules = settings.rules
    rows: dict[str, list[tuple[bool, bool]]] = {COMPLAINTS: [], PRAISE: []}
    for review, result in zip(reviews, results, strict=True):
        negative = result.probs.get("negative", 0.0)
        mention = Mention(source=source, text=review.text, lang=result.lang, rating=None)
        score = Score(prob_negative=negative, label=result.label, score=result.score)
        decided = decide(mention, score, rules) is not None
        group = COMPLAINTS if review.stars <= 2 else PRAISE
        rows[group].append((negative >= rules.negative_threshold, decided))
    print(f"Amazon product reviews, English, default rules (threshold {rules.negative_threshold})")
    print("| set | reviews | alert, sentiment only | alert, rules (risk floors included) |")
    print("|---|---|---|---|")
    for name, outcomes in rows.items():
        n = len(outcomes)
        sentiment_only = sum(first for first, _ in outcomes)
        with_rules = sum(second for _, second in outcomes)
        print(
            f"| {name} | {n} | {sentiment_only} ({100 * sentiment_only / n:.1f} %) "
            f"| {with_rules} ({100 * with_rules / n:.1f} %) |"
        )


if __name__ == "__main__":
    main()
