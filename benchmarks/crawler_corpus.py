"""Real-world recall of the crawler's parsing over public test corpora nobody here wrote.

    .venv/bin/python -m benchmarks.crawler_corpus [--feedparser DIR] [--extruct DIR] \
        [--fixtures DIR]

Every file goes through the spider's own path, ``SourceSpider.read_page`` on a Scrapy
response built from the file (its ``Content-Type`` header too: feedparser's test
files carry theirs in a ``Header: Content-type: …`` comment), so what is counted is
what a crawl stores. Corpora:

* ``--feedparser``: the ``tests/`` folder of kurtmckee/feedparser (about 2,100 real and
  edge-case feeds, encodings, ill-formed XML), read as kind ``rss``;
* ``--extruct``: ``tests/samples`` of scrapinghub/extruct (schema.org pages: JSON-LD,
  microdata, RDFa; real sites such as songkick), read as kind ``schemaorg``;
* ``--fixtures``: this repository's ``tests/fixtures/crawler`` (``.xml``/``.atom``/
  ``.rss`` as rss, ``.html`` as schemaorg), and apart from them its saved JSON API
  answers, each read as the kind its name starts with (``naver_…``, ``youtube_…``).

Bring the corpora in with the library's ``fetch`` tool and ``git clone`` the mirror.
Columns: files; items (mentions returned); crashes (an exception out of the parser);
errors (files with a problem, which counts against the source's health); refused
readable (files with items *and* a problem: readable, yet the run would report an
error and mark the source broken); warnings; mojibake (items whose title or text
holds U+FFFD, UTF-8 mis-decoded as ftfy's ``fix_encoding`` undoes it, or Korean,
Japanese, Chinese or Thai bytes read as windows-1252); duplicate reviews (reviews of one schema.org
page with the same author, date and text under different ids). To compare with an earlier
commit, run it with that commit's tree first on ``PYTHONPATH`` (a ``git worktree``).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import ftfy
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from crawler.parsing.registry import READERS

REPOSITORY = Path(__file__).resolve().parents[1]
FEED_SUFFIXES = (".xml", ".atom", ".rss", ".rdf")
LEGACY_CODECS = ("cp949", "cp932", "euc_jp", "gb18030", "big5", "cp874")
_LATIN_HIGH = re.compile("[\u0080-\u00ff]")
_LATIN_HIGH_RUN = re.compile("[\u0080-\u00ff]{3,}")
_EAST_ASIAN_OR_THAI = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
_HEADER_LINE = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)


@dataclass
class Tally:
    files: int = 0
    items: int = 0
    crashes: int = 0
    errors: int = 0
    refused_readable: int = 0
    warnings: int = 0
    mojibake: int = 0
    duplicates: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, column: str, example: str) -> None:
        self.examples.setdefault(column, [])
        if len(self.examples[column]) < 3:
            self.examples[column].append(example)


def corpus_files(root: Path, kinds: dict[str, str]) -> Iterator[tuple[Path, str]]:
    """(file, kind) for every file under `root` whose suffix `kinds` maps to a kind."""
    for path in sorted(root.rglob("*")):
        kind = kinds.get(path.suffix.lower())
        if path.is_file() and kind:
            yield path, kind


def api_answers(root: Path) -> Iterator[tuple[Path, str]]:
    """(file, kind) for every ``{kind}_….json`` under `root` whose kind has a parser."""
    for path in sorted(root.glob("*.json")):
        kind = path.name.partition("_")[0]
        if kind in READERS:
            yield path, kind


def response_for(path: Path, url: str) -> Any:
    """A Scrapy response of the file, with the headers its comments declare."""
    body = path.read_bytes()
    headers = Headers({k.decode(): v.decode() for k, v in _HEADER_LINE.findall(body[:2000])})
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, body=body, headers=headers)


def is_mojibake(text: str | None) -> bool:
    """True when `text` holds U+FFFD, UTF-8 read as a single-byte charset (ftfy can undo
    it), or Korean, Japanese, Chinese or Thai bytes read as windows-1252/Latin-1."""
    if not text:
        return False
    return "\ufffd" in text or ftfy.fix_encoding(text) != text or _legacy_read_as_latin(text)


def _legacy_read_as_latin(text: str) -> bool:
    """True when the text's Latin-1-range letters come in runs (accented Latin text has
    them one at a time) and those bytes decode as Korean, Japanese, Chinese or Thai."""
    high = len(_LATIN_HIGH.findall(text))
    in_runs = sum(len(run) for run in _LATIN_HIGH_RUN.findall(text))
    if high < 4 or in_runs < 0.6 * high:
        return False
    for single_byte in ("cp1252", "latin-1"):
        try:
            raw = text.encode(single_byte)
        except UnicodeEncodeError:
            continue
        for codec in LEGACY_CODECS:
            try:
                decoded = raw.decode(codec)
            except UnicodeDecodeError:
                continue
            if len(_EAST_ASIAN_OR_THAI.findall(decoded)) * 2 >= 0.8 * high:
                return True
    return False


def measure(files: Iterator[tuple[Path, str]], spiders: SpiderLoader) -> Tally:
    tally = Tally()
    for path, kind in files:
        tally.files += 1
        url = f"https://corpus.example/{path.name}"
        spider: Any = spiders.load(kind)(source="corpus", url=url)  # a SourceSpider
        try:
            page = spider.read_page(response_for(path, url))
        except Exception as exc:  # a crash is what this counts
            tally.crashes += 1
            tally.note("crashes", f"{path.name}: {exc.__class__.__name__}: {exc}"[:160])
            continue
        tally.items += len(page.mentions)
        warnings = getattr(page, "warnings", [])  # earlier commits had no warnings
        tally.warnings += bool(warnings)
        if page.problems:
            tally.errors += 1
            if page.mentions:
                tally.refused_readable += 1
                tally.note("refused readable", f"{path.name}: {page.problems[0]}"[:160])
        for mention in page.mentions:
            if is_mojibake(mention.title) or is_mojibake(mention.text):
                tally.mojibake += 1
                tally.note("mojibake", f"{path.name}: {(mention.title or mention.text)[:60]!r}")
        seen: dict[tuple[Any, ...], str] = {}
        for mention in page.mentions if kind == "schemaorg" else []:
            key = (mention.author, mention.published_at, mention.text[:100].casefold())
            if key in seen and seen[key] != mention.external_id:
                tally.duplicates += 1
                tally.note("duplicates", f"{path.name}: {mention.text[:60]!r}")
            seen.setdefault(key, mention.external_id)
    return tally


COLUMNS = tuple(f.name for f in fields(Tally) if f.name != "examples")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feedparser", type=Path, help="kurtmckee/feedparser's tests/ folder")
    parser.add_argument("--extruct", type=Path, help="scrapinghub/extruct's tests/samples")
    parser.add_argument(
        "--fixtures", type=Path, default=REPOSITORY / "tests" / "fixtures" / "crawler"
    )
    args = parser.parse_args(argv)
    spiders = SpiderLoader(Settings({"SPIDER_MODULES": ["crawler.spiders"]}))
    feeds = dict.fromkeys(FEED_SUFFIXES, "rss")
    corpora = {
        "feedparser tests": args.feedparser and corpus_files(args.feedparser, feeds),
        "extruct samples": args.extruct and corpus_files(args.extruct, {".html": "schemaorg"}),
        "repwatch fixtures": corpus_files(args.fixtures, {**feeds, ".html": "schemaorg"}),
        "repwatch API answers": api_answers(args.fixtures),
    }
    import crawler

    print(f"crawler code from {Path(crawler.__file__).parent}", file=sys.stderr)
    print("| corpus | " + " | ".join(c.replace("_", " ") for c in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    details = []
    for name, files in corpora.items():
        if not files:
            continue
        tally = measure(files, spiders)
        print(f"| {name} | " + " | ".join(str(getattr(tally, c)) for c in COLUMNS) + " |")
        details.append((name, tally))
    for name, tally in details:
        for column, examples in tally.examples.items():
            for example in examples:
                print(f"  {name} / {column}: {example}", file=sys.stderr)


if __name__ == "__main__":
    main()
