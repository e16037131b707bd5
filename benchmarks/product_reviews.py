"""Build the labelled product, app and service review set (English and Korean).

    .venv/bin/python -m benchmarks.product_reviews --out DIR [--mirror /work/.mirror]

Every review comes from a public repository, read at a fixed commit from its mirror
(bring each in with the search tool's ``fetch``, e.g. ``fetch github:OWNER/NAME``; the
table in docs/model-card.md gives licences). A review's label is its author's own
verdict: 1-2 stars ``negative``, 3 ``neutral``, 4-5 ``positive``; on Steam,
"not recommended" / "recommended". Titles are left out (Amazon's "Five Stars" titles
are the rating itself). Texts are whitespace-collapsed and deduplicated per language,
then split by a seeded hash of the text (duplicates land on one side): 60 % train,
20 % dev (choices such as thresholds and training mixes), 20 % test (only measured).

Written to DIR: ``products_{en,ko}_{train,dev,test}.jsonl`` (train gzip-compressed),
rows ``{text, label, lang, source, stars}``, and ``products_counts.tsv``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

SPLIT_SEED = "repwatch-products-1"
SPLITS = (("train", 0.6), ("dev", 0.8), ("test", 1.0))  # cumulative shares
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Corpus:
    """One file of one repository at one commit, and how to read its rows."""

    name: str
    lang: str
    repo: str
    commit: str
    path: str
    read: Callable[[str], Iterator[tuple[str, str, int | None]]]  # text, label, stars


def _label(stars: int) -> str:
    return "negative" if stars <= 2 else "neutral" if stars == 3 else "positive"


def _starred(text_column: str, stars_column: str, per_star: float = 1.0, delimiter: str = ","):
    """A reader for a CSV with a text column and a 1-5 star column (scaled by per_star)."""

    def read(data: str) -> Iterator[tuple[str, str, int | None]]:
        for row in csv.DictReader(io.StringIO(data), delimiter=delimiter):
            try:
                stars = round(float(row[stars_column]) / per_star)
            except (TypeError, ValueError):
                continue
            if 1 <= stars <= 5:
                yield row[text_column] or "", _label(stars), stars

    return read


def _kimchi(data: str) -> Iterator[tuple[str, str, int | None]]:
    # label_old is the star rating minus one (label_new is a model's guess: not used).
    for row in csv.DictReader(io.StringIO(data)):
        stars = int(row["label_old"]) + 1
        yield row["text"], _label(stars), stars


def _google_play_apps(data: str) -> Iterator[tuple[str, str, int | None]]:
    # sentiment 0 = 1-2 stars, 1 = 3 stars, 2 = 4-5 stars (the raw stars are not kept).
    for row in csv.DictReader(io.StringIO(data)):
        label = {"0": "negative", "1": "neutral", "2": "positive"}.get(row["sentiment"])
        if label:
            yield row["review"], label, None


def _steam_korean(data: str) -> Iterator[tuple[str, str, int | None]]:
    for row in csv.DictReader(io.StringIO(data)):
        if HANGUL.search(row["review"] or ""):
            label = "positive" if row["recommend"] == "True" else "negative"
            yield row["review"], label, None


_GOOGLE_PLAY = (
    "himanshusharma-30/NLP_SentimentAnalysis",
    "6c41272e68d5e5014d30a39ecf8f192f4122a7d2",
)
_DATAFINITI = ("laurahallaman1/final_project", "0ba6bfb89a3187b2790f4be3a35a1c328749b5f8")
_ALEXA = ("diedrebrown/predictionwithalexareviews", "58e11068e2aea474f38474513c16caf464719206")
_DANAWA = ("KIMHYUNSOO1999/shopping_review_analysis", "e5db1ae1a214d28966f0ba5c1c2f75c432399762")

CORPORA: tuple[Corpus, ...] = (
    Corpus(
        "amazon-alexa-2018",
        "en",
        *_ALEXA,
        "original_datasets/amazon_alexa_reviews_2018.tsv",
        _starred("verified_reviews", "rating", delimiter="\t"),
    ),
    Corpus(
        "amazon-echo-dot-2017",
        "en",
        *_ALEXA,
        "original_datasets/Amazon_Echo_2_Reviews.csv",
        _starred("Review Text", "Rating"),
    ),
    Corpus(
        "datafiniti-amazon",
        "en",
        *_DATAFINITI,
        "CSVs/Datafiniti_Amazon_Consumer_Reviews_of_Amazon_Products.csv",
        _starred("reviews.text", "reviews.rating"),
    ),
    Corpus("datafiniti-amazon-2", "en", *_DATAFINITI, "CSVs/Book2.csv", _starred("text", "rating")),
    *(
        Corpus(
            "google-play-meeting-apps",
            "en",
            *_GOOGLE_PLAY,
            f"Data_NLP/{name}.csv",
            _google_play_apps,
        )
        for name in ("train", "validation", "test")
    ),
    Corpus(
        "naver-shopping",
        "ko",
        "tangba484/shopping_review_ml",
        "f93c823b0e54635ef253256229d635bb52447e7c",
        "output/tsne_results.csv",
        _starred("content", "score"),
    ),
    Corpus(
        "yanolja-hotels",
        "ko",
        "Dabinnny/Review_SentimentAnalysis",
        "4539c1a2e1e9571999b8f89140a9882fd370097a",
        "Data/data_1.csv",
        _starred("review", "star"),
    ),
    Corpus("danawa-kimchi", "ko", *_DANAWA, "Analysis/Csv/danawa_kimchi_result.csv", _kimchi),
    Corpus(
        "danawa-products",
        "ko",
        *_DANAWA,
        "Analysis/Csv/danawa2.csv",
        _starred("review", "star_score", per_star=20),
    ),
    Corpus(
        "steam-korean",
        "ko",
        "2021143021/steam-review-sentiment-2021143021-",
        "1277fc105814a918b2400951a0ee1418dc955e30",
        "steam_reviews_raw.csv",
        _steam_korean,
    ),
)


def read_from_mirror(mirror: Path, corpus: Corpus) -> str:
    """The file's text at its commit, from the bare mirror the fetch tool made."""
    git_dir = mirror / corpus.repo.replace("/", "+") / "repo"
    if (git_dir / ".git").is_dir():  # some snapshots arrive as a work-tree-less checkout
        git_dir = git_dir / ".git"
    if not (git_dir / "HEAD").is_file():
        raise SystemExit(f"{corpus.repo} is not mirrored at {git_dir}: fetch github:{corpus.repo}")
    done = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{corpus.commit}:{corpus.path}"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{corpus.repo}@{corpus.commit}:{corpus.path}: {done.stderr.decode()}")
    return done.stdout.decode("utf-8-sig")


def split_of(text: str) -> str:
    digest = hashlib.sha256(f"{SPLIT_SEED}\x00{text}".encode()).digest()
    share = int.from_bytes(digest[:8], "big") / 2**64
    return next(name for name, upto in SPLITS if share < upto)


def build(mirror: Path, out: Path) -> Counter[tuple[str, str, str, str]]:
    """Write the split files; return counts by (lang, split, source, label)."""
    rows: dict[tuple[str, str], list[dict[str, object]]] = {}
    seen: set[tuple[str, str]] = set()
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for corpus in CORPORA:
        for raw, label, stars in corpus.read(read_from_mirror(mirror, corpus)):
            text = " ".join(raw.split())
            if len(text) < 2 or (corpus.lang, text) in seen:
                continue
            seen.add((corpus.lang, text))
            split = split_of(text)
            row = {"text": text, "label": label, "lang": corpus.lang, "source": corpus.name}
            rows.setdefault((corpus.lang, split), []).append(row | {"stars": stars})
            counts[(corpus.lang, split, corpus.name, label)] += 1
    out.mkdir(parents=True, exist_ok=True)
    for (lang, split), items in sorted(rows.items()):
        name = f"products_{lang}_{split}.jsonl" + (".gz" if split == "train" else "")
        lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
        data = lines.encode()
        (out / name).write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    table = ["lang\tsplit\tsource\tlabel\trows"]
    table += ["\t".join([*key, str(n)]) for key, n in sorted(counts.items())]
    (out / "products_counts.tsv").write_text("\n".join(table) + "\n", encoding="utf-8")
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    args = parser.parse_args(argv)
    counts = build(args.mirror, args.out)
    totals: Counter[tuple[str, str, str]] = Counter()
    for (lang, split, _, label), n in counts.items():
        totals[(lang, split, label)] += n
    for key, n in sorted(totals.items()):
        print(*key, n, sep="\t")


if __name__ == "__main__":
    main()
