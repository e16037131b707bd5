"""Words that say what a complaint is about, and how alike two complaints are.

Similar complaints share content words: product names and what went wrong ("charger",
"overheats"). Function words, short words and digits say nothing about the theme, so
they are dropped; Korean particles are cut from the end of a word (화재가 → 화재).
Similarity is the Jaccard overlap of the two word sets.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

MIN_SHARED_WORDS = 2
_LATIN_WORD = re.compile(r"[a-z][a-z0-9'-]{2,}")
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]{2,}")
_KOREAN_PARTICLES = (
    "에서", "으로", "에게", "까지", "부터", "이랑", "하고", "은", "는", "이", "가", "을", "를",
    "에", "의", "도", "로", "와", "과", "만",
)  # fmt: skip
STOP_WORDS = frozenset(
    """
    the and for are but not you your yours our ours they them their this that these those
    with from have has had was were been being will would could should can cant can't
    did does doing done don't didn't doesn't isn't wasn't won't its it's i'm i've
    just very really still even also than then there here what when where which who why
    how all any some more most much many such only own same too out off over under again
    about after before into onto upon because while until once get got getting make made
    one two three day days week weeks time times today yesterday ago now never ever
    bought buy order ordered product item thing things company brand store shop customer
    again please thanks thank review reviews star stars bad worst terrible awful
    horrible poor disappointed disappointing hate love like good great
    """.split()  # noqa: SIM905 - a word list reads better without quotes
)


def _korean_stem(word: str) -> str:
    for particle in _KOREAN_PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


def theme_words(text: str, ignore: Iterable[str] = ()) -> frozenset[str]:
    """The content words of `text`, lower-cased, without stop words or `ignore` words."""
    lowered = text.lower()
    skip = STOP_WORDS | {word.lower() for word in ignore}
    latin = {word.strip("'-") for word in _LATIN_WORD.findall(lowered)}
    korean = {_korean_stem(word) for word in _HANGUL_WORD.findall(lowered)}
    return frozenset(word for word in latin | korean if len(word) >= 2 and word not in skip)


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Jaccard overlap of two word sets; 0 when they share fewer than two words."""
    shared = len(first & second)
    if shared < MIN_SHARED_WORDS:
        return 0.0
    return shared / len(first | second)


def _has_digit(word: str) -> bool:
    return any(char.isdigit() for char in word)


def common_words(word_sets: Iterable[frozenset[str]], limit: int = 5) -> list[str]:
    """The words most of the sets share (in at least half of them), most frequent first."""
    sets = list(word_sets)
    counts = Counter(word for words in sets for word in words)
    floor = max(2, (len(sets) + 1) // 2)
    # Among equally common words, model numbers (x200) name the product: they go first.
    ranked = sorted(counts.items(), key=lambda item: (-item[1], not _has_digit(item[0]), item[0]))
    return [word for word, count in ranked if count >= floor][:limit]
