"""Top negative themes of a week: shared words of the week's negative mentions.

Method (documented in docs/reports.md): every negative mention of the week is cut into
terms (`sentiment.terms`, English and Korean). A term weighs its count among the negative
mentions times its inverse document frequency in a background sample of all mentions of
the report window, so words every mention uses (the product, the brand) weigh little and
words of complaints weigh much. Greedily, the heaviest term shared by at least
`min_count` not yet grouped mentions makes a theme of those mentions; its label is that
term, joined by a second term when most of the group shares it too. Each theme keeps two
example quotes: its most negative mentions, cut to the sentence that holds the term.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.weekly import NEGATIVE_LABEL, brand_filter, published_between, week_bounds
from sentiment.terms import most_common_word, terms
from storage.models import Mention, Score, Source

MAX_THEMES = 5
MIN_MENTIONS_PER_THEME = 2
QUOTES_PER_THEME = 2
MAX_QUOTE_CHARS = 220
MAX_NEGATIVES = 2000
BACKGROUND_SAMPLE = 5000
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n\s*\n")


@dataclass(frozen=True)
class NegativeMention:
    """A negative mention of the report week, as themes need it."""

    mention_id: int
    text: str
    url: str | None
    source: str
    author: str | None
    score: float
    published_at: datetime | None


@dataclass(frozen=True)
class Quote:
    """An example of a theme: the words (untrusted, unescaped) and where they came from."""

    text: str
    url: str | None
    source: str
    author: str | None


@dataclass(frozen=True)
class Theme:
    """Negative mentions that share a term; `label` is what people read."""

    label: str
    term: str
    count: int
    quotes: list[Quote]


@dataclass(frozen=True)
class _Doc:
    mention: NegativeMention
    words: dict[str, str]


def find_themes(
    negatives: Sequence[NegativeMention],
    background: Iterable[str],
    *,
    ignore: frozenset[str] = frozenset(),
    limit: int = MAX_THEMES,
    min_count: int = MIN_MENTIONS_PER_THEME,
) -> list[Theme]:
    """The main themes of `negatives`, largest first, against the `background` texts."""
    docs = [_Doc(mention, terms(mention.text, ignore)) for mention in negatives]
    idf = _inverse_frequencies(background, ignore)
    counts = Counter(term for doc in docs for term in doc.words)
    ranked = sorted(counts, key=lambda term: (-counts[term] * idf(term), term))
    themes: list[Theme] = []
    left = list(docs)
    for term in ranked:
        if counts[term] < min_count or len(themes) == limit:
            break
        group = [doc for doc in left if term in doc.words]
        if len(group) >= min_count:
            themes.append(_theme(term, group, idf))
            left = [doc for doc in left if term not in doc.words]
    return sorted(themes, key=lambda theme: -theme.count)


def _inverse_frequencies(background: Iterable[str], ignore: frozenset[str]) -> _Idf:
    frequencies: Counter[str] = Counter()
    size = 0
    for text in background:
        frequencies.update(terms(text, ignore).keys())
        size += 1
    return _Idf(frequencies, size)


class _Idf:
    """Smoothed inverse document frequency: ln((1 + n) / (1 + df)) + 1."""

    def __init__(self, frequencies: Counter[str], size: int) -> None:
        self.frequencies, self.size = frequencies, size

    def __call__(self, term: str) -> float:
        return math.log((1 + self.size) / (1 + self.frequencies[term])) + 1


def _theme(term: str, group: list[_Doc], idf: _Idf) -> Theme:
    label = _word_for(term, group)
    second = _second_term(term, group, idf)
    if second is not None:
        label = f"{label} · {_word_for(second, group)}"
    examples = sorted(group, key=lambda doc: doc.mention.score)[:QUOTES_PER_THEME]
    return Theme(label, term, len(group), [_quote(doc, term) for doc in examples])


def _word_for(term: str, group: list[_Doc]) -> str:
    return most_common_word(doc.words[term] for doc in group if term in doc.words)


def _second_term(term: str, group: list[_Doc], idf: _Idf) -> str | None:
    """A term that more than half of the group shares besides `term`, the heaviest one."""
    counts = Counter(other for doc in group for other in doc.words if other != term)
    shared = [other for other, count in counts.items() if count * 2 > len(group) and count > 1]
    return min(shared, key=lambda other: (-counts[other] * idf(other), other), default=None)


def _quote(doc: _Doc, term: str) -> Quote:
    mention = doc.mention
    return Quote(
        text=excerpt(mention.text, doc.words[term]),
        url=mention.url,
        source=mention.source,
        author=mention.author,
    )


def excerpt(text: str, word: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """The first sentence of `text` holding `word` (else the first), cut to `limit`."""
    sentences = [" ".join(part.split()) for part in _SENTENCE_END.split(text)]
    sentences = [sentence for sentence in sentences if sentence] or [""]
    chosen = next((s for s in sentences if word in s.lower()), sentences[0])
    return chosen if len(chosen) <= limit else chosen[: limit - 1].rstrip() + "…"


def mention_text(title: str | None, text: str) -> str:
    """Title and body as one text: a forum title often carries the complaint."""
    title, text = (title or "").strip(), text.strip()
    if not title or text.startswith(title):
        return text
    return f"{title}. {text}" if text else title


def load_negatives(
    session: Session, monday: date, brand: str | None, limit: int = MAX_NEGATIVES
) -> list[NegativeMention]:
    """The week's negative mentions, the most negative first, at most `limit`."""
    stmt = (
        select(Mention, Source.name, Score.score)
        .join(Source, Mention.source_id == Source.id)
        .join(Score, Score.mention_id == Mention.id)
        .where(published_between(*week_bounds(monday)), Score.label == NEGATIVE_LABEL)
        .order_by(Score.score, Mention.id)
        .limit(limit)
    )
    rows = session.execute(stmt.where(*brand_filter(brand)))
    return [_negative(mention, name, score) for mention, name, score in rows]


def _negative(mention: Mention, source: str, score: float) -> NegativeMention:
    return NegativeMention(
        mention_id=mention.id,
        text=mention_text(mention.title, mention.text),
        url=mention.url,
        source=source,
        author=mention.author,
        score=score,
        published_at=mention.published_at or mention.fetched_at,
    )


def load_background(
    session: Session, first: date, weeks: int, brand: str | None, limit: int = BACKGROUND_SAMPLE
) -> list[str]:
    """Texts of up to `limit` mentions of the report window, whatever their sentiment."""
    stmt = (
        select(Mention.title, Mention.text)
        .join(Source, Mention.source_id == Source.id)
        .where(published_between(*week_bounds(first, weeks)))
        .limit(limit)
    )
    rows = session.execute(stmt.where(*brand_filter(brand)))
    return [mention_text(title, text) for title, text in rows]
