"""Does a mention talk about the brand? Keyword matching for general sources.

A keyword matches as a whole word, case-insensitively, after Unicode NFKC
normalisation (full-width letters match their ASCII forms): "Acme" matches
"ACME's new app" but not "Acmeville". Word characters are Unicode-aware, so
"café" does not match inside "cafés".

Korean, Japanese and Chinese keywords match as substrings instead: those scripts
do not separate words with spaces, and Korean attaches particles to the noun
("삼성전자가", "삼성전자는"), so a word-boundary rule would miss most mentions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]")


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _pattern(keyword: str) -> re.Pattern[str]:
    escaped = re.escape(_normalised(keyword.strip()))
    if _CJK.search(keyword):
        return re.compile(escaped)
    return re.compile(rf"(?<!\w){escaped}(?!\w)")


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
