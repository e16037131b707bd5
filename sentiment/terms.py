"""What a mention is about, as terms: the one tokeniser of incident grouping
(alerts/incidents.py) and weekly themes (reports/themes.py), English and Korean,
without a language model.

English words (a letter, then letters or digits: model numbers such as x200 stay) are
lower-cased and lightly stemmed (leaks, leaking, leaked → leak; overheats,
overheating → overheat); Korean words (runs of Hangul syllables, split at spaces) lose
their particle or verb ending (고객센터는 → 고객센터, 고장났어요 → 고장). Both scripts may
share one text. Stop words (sentiment/stopwords.py) are dropped after stemming too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from sentiment.stopwords import ENGLISH, KOREAN, KOREAN_SUFFIXES

_WORD = re.compile(r"[a-z][a-z0-9]*|[가-힣]+")
_HANGUL = re.compile(r"[가-힣]")
_VOWELS = frozenset("aeiouy")
_KEEP_DOUBLE = frozenset("lsz")
MIN_ENGLISH_CHARS = 3
MIN_KOREAN_SYLLABLES = 2


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased: a Latin letter and the letters and digits after
    it, or a run of Hangul syllables."""
    return _WORD.findall(text.lower())


def english_stem(word: str) -> str:
    """A light suffix-stripping stem; enough to group inflections of one complaint word."""
    for suffix, replacement in (("ies", "y"), ("sses", "ss")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + replacement
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and _VOWELS & set(stem):
            return _undouble(stem)
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _undouble(stem: str) -> str:
    """stopp → stop, but smell stays smell."""
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS | _KEEP_DOUBLE:
        return stem[:-1]
    return stem


def korean_stem(word: str) -> str:
    """The word without its longest particle or ending that leaves two syllables or more."""
    for suffix in KOREAN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_KOREAN_SYLLABLES:
            return word[: -len(suffix)]
    return word


def term_of(word: str) -> str | None:
    """The theme term for one lower-cased word, or None for stop words and short words."""
    if _HANGUL.match(word):
        if word in KOREAN:
            return None
        stem = korean_stem(word)
        return stem if len(stem) >= MIN_KOREAN_SYLLABLES and stem not in KOREAN else None
    if word in ENGLISH or len(word) < MIN_ENGLISH_CHARS:
        return None
    stem = english_stem(word)
    return stem if stem not in ENGLISH else None


def terms(text: str, ignore: frozenset[str] = frozenset()) -> dict[str, str]:
    """Each distinct term of `text` mapped to the first word that gave it; `ignore` are
    terms never to return (the brand's own name, say)."""
    found: dict[str, str] = {}
    for word in words(text):
        term = term_of(word)
        if term is not None and term not in ignore:
            found.setdefault(term, word)
    return found


def ignored_terms(phrases: Iterable[str]) -> frozenset[str]:
    """The terms of brand names and keywords: every mention has them, none is a theme."""
    return frozenset(term for phrase in phrases for term in terms(phrase))


def most_common_word(surfaces: Iterable[str]) -> str:
    """The word most often written for a term (ties: the shortest, then alphabetical)."""
    counts = Counter(surfaces)
    return min(counts, key=lambda word: (-counts[word], len(word), word))


def theme_words(text: str, ignore: Iterable[str] = ()) -> dict[str, str]:
    """:func:`terms` of `text`, less the terms of the `ignore` phrases (the brand)."""
    return terms(text, ignored_terms(ignore))
