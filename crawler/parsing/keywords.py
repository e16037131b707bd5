"""Does a mention talk about the brand? Keyword matching for general sources.

A keyword matches case-insensitively after Unicode NFKC normalisation (full-width
letters match their ASCII forms, decomposed Hangul its composed form).

Where a keyword starts or ends with a letter of a script that separates words
with spaces (Latin, Cyrillic, Greek… and digits), that end must fall on a word
boundary: "Acme" matches "ACME's new app" but not "Acmeville", and "café" does not
match inside "cafés". Korean, Japanese and Chinese characters next to it do not
count as part of the word: those scripts do not separate words with spaces, and
Korean attaches particles and endings to the noun, so "Acme가", "Acme의",
"Acmeの" and "신형Acme" all mention Acme.

Where a keyword starts or ends with a Korean, Japanese or Chinese character, that
end matches inside a longer run ("삼성전자" in "삼성전자가", "삼성전자는").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Hangul jamo and syllables, kana, CJK ideographs (and their compatibility forms).
_CJK_RANGES = (
    r"\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
    r"\U00020000-\U0002fa1f"
)
_CJK = re.compile(f"[{_CJK_RANGES}]")
# A word character of a script that spaces its words: the one that may not touch a keyword.
_SPACED_WORD_CHAR = f"[^\\W{_CJK_RANGES}]"


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _pattern(keyword: str) -> re.Pattern[str]:
    normalised = _normalised(keyword.strip())
    before = f"(?<!{_SPACED_WORD_CHAR})" if _needs_boundary(normalised[0]) else ""
    after = f"(?!{_SPACED_WORD_CHAR})" if _needs_boundary(normalised[-1]) else ""
    return re.compile(before + re.escape(normalised) + after)


def _needs_boundary(char: str) -> bool:
    """True when a keyword ending in `char` must end on a word boundary there: any
    character but a Korean, Japanese or Chinese one."""
    return not _CJK.match(char)


class KeywordMatcher:
    """Matches text against a set of keywords; an empty set matches everything."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords = tuple(k for k in keywords if k.strip())
        self._patterns = [_pattern(keyword) for keyword in self.keywords]

    def __bool__(self) -> bool:
        return bool(self.keywords)

    def matches(self, *texts: str | None) -> bool:
        """True when any keyword occurs in any of `texts` (always true without keywords)."""
        if not self._patterns:
            return True
        haystack = _normalised("\n".join(text for text in texts if text))
        return any(pattern.search(haystack) for pattern in self._patterns)
