"""The risk taxonomy (alerts/risks.yaml): words that make a complaint dangerous whatever
its tone, in English and Korean, and how they are found in a mention.

English patterns match whole words. Korean ones match at the start of a Korean word and
let any particle or ending follow, because Korean attaches them to the stem (다쳤어요,
화상을, 연기가 나요). For categories that say ``denial``, a match the text denies is
dropped: "no injuries", "never caught fire", "안 다쳤어요", "다치지 않았어요",
"이물질은 없었어요".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from alerts.exceptions import RiskTaxonomyError
from alerts.severity import Severity

DEFAULT_TAXONOMY = Path(__file__).with_name("risks.yaml")
_HANGUL = "\uac00-\ud7a3"
_ENGLISH_DENIAL = re.compile(
    r"\b(no|not|never|without|zero|nothing|none|isn't|wasn't|didn't|doesn't|don't|won't)"
    r"(\s+\S+){0,2}\s*$",
    re.IGNORECASE,
)
_KOREAN_DENIED_AFTER = re.compile(rf"^[{_HANGUL}]*?(지|진)?\s*(않|없|안\s)|^[{_HANGUL}]*없")
_KOREAN_DENIED_BEFORE = re.compile(r"(^|\s)(안|못)\s*$")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Data):
    floor: Severity | None = Field(default=None, description="Pages at least at this severity.")
    points: int = Field(default=1, ge=0, le=6, description="Severity points it adds.")
    denial: bool = Field(default=False, description="A denied match does not count.")


class RiskEntry(_Data):
    name: dict[str, str] = Field(min_length=1)
    category: str
    points: int | None = Field(default=None, ge=0, le=6)
    en: list[str] = Field(default_factory=list)
    ko: list[str] = Field(default_factory=list)


class TaxonomyFile(_Data):
    categories: dict[str, Category] = Field(default_factory=dict)
    risks: list[RiskEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Risk:
    """One risk as alerts use it: its names by language, category and patterns."""

    names: dict[str, str]
    category: str
    floor: Severity | None
    points: int
    denial: bool
    patterns: tuple[tuple[str, re.Pattern[str]], ...]  # (language, pattern)

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("en") or next(iter(self.names.values()))


@dataclass(frozen=True)
class RiskFound:
    """A risk found in a text: where, and in which language's words."""

    risk: Risk
    lang: str
    start: int

    @property
    def label(self) -> str:
        """The risk's name in the language it was found in: "fire", "화재"."""
        return self.risk.name(self.lang)


class RiskTaxonomy:
    """Every risk of the built-in file and of a user's extra file."""

    def __init__(self, risks: list[Risk]) -> None:
        self.risks = risks

    def find(self, text: str) -> list[RiskFound]:
        """The risks `text` holds (each once, the first match), in the order they appear."""
        found = []
        for risk in self.risks:
            match = _first_match(risk, text)
            if match is not None:
                found.append(match)
        return sorted(found, key=lambda item: item.start)


def _first_match(risk: Risk, text: str) -> RiskFound | None:
    for lang, pattern in risk.patterns:
        for match in pattern.finditer(text):
            if not (risk.denial and _denied(lang, text, match)):
                return RiskFound(risk, lang, match.start())
    return None


def _denied(lang: str, text: str, match: re.Match[str]) -> bool:
    before, after = text[max(0, match.start() - 40) : match.start()], text[match.end() :]
    if lang == "ko":
        return bool(_KOREAN_DENIED_BEFORE.search(before) or _KOREAN_DENIED_AFTER.match(after))
    return bool(_ENGLISH_DENIAL.search(before))


_SPACE = r"\s+"
_OPTIONAL_SPACE = r"\s*"
_PARTICLE_THEN_SPACE = rf"[{_HANGUL}]*\s+"


def _english(pattern: str) -> re.Pattern[str]:
    words = pattern.replace(" ", _SPACE)
    return re.compile(rf"\b(?:{words})\b", re.IGNORECASE)


def _korean(pattern: str) -> re.Pattern[str]:
    # A space ends a word, which may carry any particle or ending first; " ?" is an
    # optional space inside one (타는 ?냄새 finds 타는냄새 and 타는 냄새).
    parts = [part.replace(" ", _PARTICLE_THEN_SPACE) for part in pattern.split(" ?")]
    words = _OPTIONAL_SPACE.join(parts)
    return re.compile(rf"(?<![{_HANGUL}])(?:{words})")


def _compile(entry: RiskEntry, categories: dict[str, Category], origin: str) -> Risk:
    category = categories.get(entry.category)
    if category is None:
        known = ", ".join(sorted(categories))
        raise RiskTaxonomyError(
            f"{origin}: risk {entry.name}: unknown category {entry.category!r} (known: {known})"
        )
    try:
        patterns = tuple(("en", _english(p)) for p in entry.en) + tuple(
            ("ko", _korean(p)) for p in entry.ko
        )
    except re.error as exc:
        raise RiskTaxonomyError(f"{origin}: risk {entry.name}: bad pattern: {exc}") from exc
    points = category.points if entry.points is None else entry.points
    return Risk(entry.name, entry.category, category.floor, points, category.denial, patterns)


def _read(path: Path) -> TaxonomyFile:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        return TaxonomyFile.model_validate(data or {})
    except OSError as exc:
        raise RiskTaxonomyError(f"cannot read risk file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise RiskTaxonomyError(f"{path} is not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise RiskTaxonomyError(f"{path}: {problems}") from exc


@lru_cache(maxsize=8)
def load_taxonomy(extra: Path | None = None) -> RiskTaxonomy:
    """The built-in taxonomy, with the risks (and categories) of `extra` added."""
    files = [(DEFAULT_TAXONOMY, _read(DEFAULT_TAXONOMY))]
    if extra is not None:
        files.append((extra, _read(extra)))
    categories: dict[str, Category] = {}
    for _, file in files:
        categories |= file.categories
    return RiskTaxonomy(
        [_compile(entry, categories, str(path)) for path, file in files for entry in file.risks]
    )
