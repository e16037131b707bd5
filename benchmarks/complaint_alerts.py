"""How many real complaints alert, and how much real praise, at the default rules.

    .venv/bin/python -m benchmarks.complaint_alerts [--data DIR] [--split test]
        [--amazon-csv FILE] [--config FILE] [--limit N]

Reviews nobody here wrote, labelled by their authors (1-2 stars a complaint, 4-5
praise, 3 left out), are decided the way the worker decides them, with the stars
withheld so that the text alone must carry the complaint: the configured scorer
(language routing on), then ``alerts.rules.decide`` with the configured rules.
"sentiment only" counts P(negative) >= ``negative_threshold``; "rules" is the whole
decision, risk floors and keywords included. Per language it then prints how well
P(negative) alone ranks complaints above praise, which no threshold or calibration
changes: the complaints paging where 5 % of praise would, and the praise paging where
90 % of complaints would. ``--config`` measures another
configuration (e.g. the models before a change) on the same reviews.

Sets:

* ``--data DIR``: the product, app and service review set that
  ``benchmarks.product_reviews`` builds (English and Korean; its ``--split``, test by
  default, is never trained on), per source and per language;
* ``--amazon-csv``: Amazon product reviews (Zhang et al.'s Amazon review full-score
  set, the 999-review ``test.csv`` in PacktPublishing/Democratizing-Artificial-
  Intelligence-with-UiPath, Chapter06/AI_Center_Test/Amazon_Reviews_Dataset), used
  for nothing else.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from alerts.rules import decide
from config.settings import Settings, load_settings
from repwatch.flow import load_scorer
from sentiment.results import ScoreInput
from storage.models import Mention, Score, Source

STARS = {"Very Negative": 1, "Negative": 2, "Neutral": 3, "Positive": 4, "Very Positive": 5}


@dataclass(frozen=True)
class Review:
    text: str
    complaint: bool
    lang: str
    source: str


def amazon_reviews(path: Path) -> list[Review]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(row["input"], STARS[row["target"]]) for row in csv.DictReader(handle)]
    return [
        Review(text, stars <= 2, "en", "amazon-999 (external)")
        for text, stars in rows
        if stars != 3
    ]


def product_reviews(directory: Path, split: str) -> list[Review]:
    reviews = []
    for path in sorted(directory.glob(f"products_*_{split}.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["label"] != "neutral":
                reviews.append(
                    Review(row["text"], row["label"] == "negative", row["lang"], row["source"])
                )
    return reviews


@dataclass(frozen=True)
class Outcome:
    prob_negative: float
    by_sentiment: bool  # P(negative) >= negative_threshold
    by_rules: bool  # the whole decision


def outcomes(settings: Settings, reviews: list[Review]) -> list[Outcome]:
    """What the worker would do with each review, stars withheld."""
    scorer = load_scorer(settings)
    results = scorer.score([ScoreInput(review.text) for review in reviews])
    source = Source(name="bench", kind="schemaorg", url="https://x.example/", brand="Acme")
    rules = settings.rules
    decided = []
    for review, result in zip(reviews, results, strict=True):
        negative = result.probs.get("negative", 0.0)
        mention = Mention(source=source, text=review.text, lang=result.lang, rating=None)
        score = Score(prob_negative=negative, label=result.label, score=result.score)
        alerted = decide(mention, score, rules) is not None
        decided.append(Outcome(negative, negative >= rules.negative_threshold, alerted))
    return decided


def ranking(complaints: list[float], praise: list[float]) -> tuple[float, float]:
    """How well P(negative) alone ranks complaints above praise, whatever the threshold
    or calibration: (share of complaints above the score that the top 5 % of praise
    reaches, share of praise at or above the score that 90 % of complaints reach)."""
    praise_cut = sorted(praise, reverse=True)[len(praise) // 20]
    complaint_cut = sorted(complaints, reverse=True)[(len(complaints) * 9 + 9) // 10 - 1]
    return (
        sum(p > praise_cut for p in complaints) / len(complaints),
        sum(p >= complaint_cut for p in praise) / len(praise),
    )


def _rate(hits: int, total: int) -> str:
    return f"{hits}/{total} = {100 * hits / total:.1f} %" if total else "—"


def print_table(reviews: list[Review], decided: list[Outcome]) -> None:
    groups: dict[tuple[str, str], list[tuple[Review, Outcome]]] = defaultdict(list)
    for review, outcome in zip(reviews, decided, strict=True):
        groups[(review.lang, review.source)].append((review, outcome))
        groups[(review.lang, "all")].append((review, outcome))
    print(
        "| lang | set | complaints alert (sentiment only) | complaints alert (rules) "
        "| praise alerts (sentiment only) | praise alerts (rules) |"
    )
    print("|---|---|---|---|---|---|")
    for (lang, name), items in sorted(
        groups.items(), key=lambda kv: (kv[0][0], kv[0][1] == "all", kv[0][1])
    ):
        complaints = [o for r, o in items if r.complaint]
        praise = [o for r, o in items if not r.complaint]
        cells = [
            _rate(sum(getattr(o, column) for o in group), len(group))
            for column, group in (
                ("by_sentiment", complaints),
                ("by_rules", complaints),
                ("by_sentiment", praise),
                ("by_rules", praise),
            )
        ]
        print(f"| {lang} | {'**all**' if name == 'all' else name} | " + " | ".join(cells) + " |")
    print()
    for lang in sorted({review.lang for review in reviews}):
        items = groups[(lang, "all")]
        complaints_p = [o.prob_negative for r, o in items if r.complaint]
        praise_p = [o.prob_negative for r, o in items if not r.complaint]
        if complaints_p and praise_p:
            at_5, at_90 = ranking(complaints_p, praise_p)
            print(
                f"{lang}, P(negative) alone: {100 * at_5:.1f} % of complaints page where 5 % "
                f"of praise would; paging 90 % of complaints pages {100 * at_90:.1f} % of praise"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="benchmarks.product_reviews output")
    parser.add_argument("--split", default="test", choices=["dev", "test"])
    parser.add_argument("--amazon-csv", type=Path, default=None)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument(
        "--limit", type=int, default=None, help="reviews per file, for a quick look"
    )
    args = parser.parse_args(argv)
    settings = load_settings(args.config) if args.config else Settings()
    reviews: list[Review] = []
    if args.data:
        reviews += product_reviews(args.data, args.split)[: args.limit]
    if args.amazon_csv:
        reviews += amazon_reviews(args.amazon_csv)[: args.limit]
    if not reviews:
        raise SystemExit("give --data DIR and/or --amazon-csv FILE")
    print(
        f"model {settings.model!r}, by language {settings.sentiment.models_by_lang}, "
        f"threshold {settings.rules.negative_threshold}, split {args.split}"
    )
    print_table(reviews, outcomes(settings, reviews))


if __name__ == "__main__":
    main()
