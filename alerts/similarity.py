"""How alike two complaints are, and what a group of them shares.

Similar complaints share terms (sentiment/terms.py: product names and what went wrong,
"charger", "overheat"). Similarity is the Jaccard overlap of the two term sets.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from sentiment.terms import most_common_word

# A mention's terms, each mapped to the word as the mention wrote it.
Terms = Mapping[str, str]

MIN_SHARED_WORDS = 2


def similarity(first: Terms, second: Terms) -> float:
    """Jaccard overlap of two mentions' terms; 0 when they share fewer than two."""
    shared = len(first.keys() & second.keys())
    if shared < MIN_SHARED_WORDS:
        return 0.0
    return shared / len(first.keys() | second.keys())


def required_overlap(size: int, threshold: float) -> int:
    """Fewest shared terms a set of `size` terms needs with any set to reach `threshold`.

    Jaccard ≥ t means shared ≥ t · |union| ≥ t · size; below MIN_SHARED_WORDS it is 0.
    """
    # The small margin keeps 0.35 · 20 = 7.000000000000001 from asking for 8.
    return max(MIN_SHARED_WORDS, math.ceil(threshold * size - 1e-9))


def _has_digit(word: str) -> bool:
    return any(char.isdigit() for char in word)


def common_words(term_sets: Iterable[Terms], limit: int = 5) -> list[str]:
    """The terms most of the mentions share (in at least half of them), most frequent
    first, each as the word most often written for it."""
    sets = list(term_sets)
    counts = Counter(term for terms in sets for term in terms)
    floor = max(2, (len(sets) + 1) // 2)
    # Among equally common terms, model numbers (x200) name the product: they go first.
    ranked = sorted(counts.items(), key=lambda item: (-item[1], not _has_digit(item[0]), item[0]))
    shared = [term for term, count in ranked if count >= floor][:limit]
    return [most_common_word(terms[term] for terms in sets if term in terms) for term in shared]
