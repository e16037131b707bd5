"""Preprocessing: clean text, detect its language, encode it keeping head + tail tokens.

Long reviews often state the verdict at the end, so when a text has more tokens than
``max_length`` the encoder sees its first quarter of the budget and the rest from the
end (the "head + tail" cut of Sun et al., 2019), with the model's special tokens kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sentiment.language import detect_language

_WHITESPACE = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# A lone surrogate (a JSON "\ud800" escape) is not text: tokenizers refuse the whole batch.
_SURROGATES = re.compile("[\ud800-\udfff]")
# A token is rarely shorter than this many characters: caps what the tokenizer reads.
_CHARS_PER_TOKEN_CAP = 16


@dataclass(frozen=True)
class PreparedText:
    """One text ready for the model: cleaned text, language code and token ids."""

    text: str
    lang: str | None
    input_ids: list[int]


def clean_text(text: str) -> str:
    """NFC, zero-width characters dropped, lone surrogates as U+FFFD, whitespace collapsed."""
    text = unicodedata.normalize("NFC", _SURROGATES.sub("\ufffd", text))
    return _WHITESPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def keep_head_and_tail(ids: Sequence[int], max_length: int) -> list[int]:
    """Cut a token id list to max_length, keeping its head and its tail."""
    if len(ids) <= max_length:
        return list(ids)
    head = max(1, max_length // 4)
    tail = max_length - head
    return [*ids[:head], *ids[len(ids) - tail :]]


def clip_characters(text: str, limit: int) -> str:
    """Cut a text longer than `limit` characters to its head (a quarter) and tail."""
    if len(text) <= limit:
        return text
    return f"{text[: limit // 4]} {text[len(text) - (limit - limit // 4) :]}"


def encode(tokenizer: Any, texts: Sequence[str], max_length: int) -> list[list[int]]:
    """Token ids with special tokens for each text, head + tail cut to max_length."""
    if not texts:
        return []  # the tokenizer cannot take an empty batch
    clipped = [clip_characters(text, max_length * _CHARS_PER_TOKEN_CAP) for text in texts]
    encoded = tokenizer(clipped, add_special_tokens=True, truncation=False)["input_ids"]
    return [keep_head_and_tail(ids, max_length) for ids in encoded]


def preprocess(
    tokenizer: Any,
    texts: Sequence[str],
    langs: Sequence[str | None],
    max_length: int,
) -> list[PreparedText]:
    """Clean each text, detect its language unless given, and encode it."""
    cleaned = [clean_text(text) for text in texts]
    codes = [lang or detect_language(text) for text, lang in zip(cleaned, langs, strict=True)]
    ids = encode(tokenizer, cleaned, max_length)
    return [PreparedText(*fields) for fields in zip(cleaned, codes, ids, strict=True)]
