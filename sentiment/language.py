"""Language identification for routing: the script decides where it can, py3langid elsewhere.

Hangul is written only for Korean and kana only for Japanese, so a text whose letters
are mostly Hangul, or mostly CJK with kana among them, needs no model; Han characters
without kana are Chinese. Other texts go to py3langid (a maintained fork of
langid.py that ships its model; about 0.1 ms a text, see docs/benchmarks.md),
restricted to the languages with a two-letter ISO 639-1 code, the codes that
``sentiment.models_by_lang`` routes by: its three-letter varieties (``fuv``, ``ext``,
``yue``…) mostly caught short English or Spanish reviews.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

# Letters that decide by script must be at least this share of a text's letters, so a
# Korean brand name inside an English review does not make it Korean.
_SCRIPT_SHARE = 0.3
_KANA_SHARE = 0.1


def _script(char: str) -> str | None:
    code = ord(char)
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9D:
        return "kana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return "han"
    return None


def language_by_script(text: str) -> str | None:
    """'ko', 'ja' or 'zh' when the writing system alone says so, else None."""
    counts = {"hangul": 0, "kana": 0, "han": 0}
    letters = 0
    for char in text:
        if not char.isalpha():
            continue
        letters += 1
        script = _script(char)
        if script is not None:
            counts[script] += 1
    if not letters:
        return None
    if counts["hangul"] >= _SCRIPT_SHARE * letters:
        return "ko"
    cjk = counts["kana"] + counts["han"]
    if cjk >= _SCRIPT_SHARE * letters:
        # A kaomoji can bring a kana or two into Chinese; Japanese writes far more.
        return "ja" if counts["kana"] >= _KANA_SHARE * cjk else "zh"
    return None


@cache
def _identifier() -> Any:
    # Loaded on first use (about half a second): texts whose script decides never pay it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages([code for code in identifier.labels if len(code) == 2])
    return identifier


def detect_language(text: str) -> str | None:
    """A language code ('en', 'ko', ...) or None when the text has no letters."""
    if not any(char.isalpha() for char in text):
        return None
    by_script = language_by_script(unicodedata.normalize("NFKC", text))
    if by_script is not None:
        return by_script
    return str(_identifier().classify(text)[0])
