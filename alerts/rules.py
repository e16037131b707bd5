"""Which scored mentions become alerts, how severe they are, and why.

A mention alerts when it passes the filters (``rules.brands``, ``rules.sources``,
``rules.languages``) and P(negative) reaches ``rules.negative_threshold``, or its rating
is at or below ``rules.alert_max_rating``, or it contains one of ``rules.keywords`` and
P(negative) reaches ``rules.keyword_threshold``. Severity adds up points:

=====================  ===========================================================
sentiment strength     P(negative) >= 0.95: 3, >= 0.85: 2, >= threshold: 1
rating                 1★: 2, 2★ or less: 1
risk words             the heaviest word found (harm 3, legal / fraud 2, refund 1),
                       plus 1 when two or more different words are found
reach                  engagement or followers above ``reach_high`` /
                       ``followers_high``: 1, above the ``*_viral`` levels: 2
recurrence             ``recurrence_min`` or more similar negative mentions of the
                       same source within ``recurrence_window``: 1
=====================  ===========================================================

6 points or more is P1, 4-5 is P2, 2-3 is P3 and less is P4. So a furious review that
mentions a fire is P1; a 1★ review that calmly asks for a refund is P3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from alerts.reach import describe_reach, reach_points, read_reach
from alerts.severity import Severity
from config.settings import RulesConfig
from storage.models import Mention, Score

STRONG_NEGATIVE = 0.95
CLEAR_NEGATIVE = 0.85
_SEVERITY_FLOORS = ((6, Severity.P1), (4, Severity.P2), (2, Severity.P3))


@dataclass(frozen=True)
class RiskWord:
    """A risk word as shown in alerts, the pattern that finds it and its weight."""

    name: str
    weight: int
    pattern: re.Pattern[str]


def _english(name: str, weight: int, pattern: str) -> RiskWord:
    return RiskWord(name, weight, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE))


def _korean(name: str, weight: int, pattern: str) -> RiskWord:
    # Korean attaches particles to nouns (화재가, 환불을), so no word boundaries.
    return RiskWord(name, weight, re.compile(pattern))


RISK_WORDS: tuple[RiskWord, ...] = (
    _english("safety", 3, r"safety|unsafe"),
    _english("injury", 3, r"injury|injuries|injured|injure"),
    _english("fire", 3, r"fires?|caught fire"),
    _english("data breach", 3, r"data breach(?:es)?|data leak(?:s|ed)?"),
    _english("recall", 2, r"recall(?:s|ed)?"),
    _english("lawsuit", 2, r"lawsuits?|sue|suing|lawyers?|attorneys?"),
    _english("fraud", 2, r"fraud(?:ulent)?"),
    _english("scam", 2, r"scam(?:s|med|mers?)?"),
    _english("refund", 1, r"refund(?:s|ed)?"),
    _korean("안전", 3, r"안전"),
    _korean("부상", 3, r"부상"),
    _korean("화재", 3, r"화재"),
    _korean("개인정보 유출", 3, r"개인\s*정보\s*유출|정보\s*유출"),
    _korean("리콜", 2, r"리콜"),
    _korean("소송", 2, r"소송"),
    _korean("사기", 2, r"사기"),
    _korean("환불", 1, r"환불"),
)


@dataclass(frozen=True)
class Decision:
    """An alert to raise: its severity and the reasons, in words, that it fired."""

    severity: Severity
    reasons: list[str] = field(default_factory=list)
    risk_words: list[str] = field(default_factory=list)


def find_risk_words(text: str, words: tuple[RiskWord, ...] = RISK_WORDS) -> list[RiskWord]:
    """Risk words present in `text`, in the order they first appear."""
    found = [(match.start(), word) for word in words if (match := word.pattern.search(text))]
    return [word for _, word in sorted(found, key=lambda item: item[0])]


@dataclass(frozen=True)
class Recurrence:
    """Similar negative mentions of the same source seen in the recurrence window."""

    count: int = 0
    source_name: str = ""


def passes_filters(mention: Mention, rules: RulesConfig) -> bool:
    """Whether the mention's brand, source and language are ones the rules watch."""
    source = mention.source
    if rules.sources and source.name not in rules.sources:
        return False
    if rules.brands and source.brand.casefold() not in {b.casefold() for b in rules.brands}:
        return False
    lang = (mention.lang or "").split("-")[0].lower()
    return not (rules.languages and lang and lang not in rules.languages)


def find_keywords(text: str, keywords: list[str]) -> list[str]:
    """The configured keywords present in `text` (case-insensitive, whole words)."""
    lowered = text.casefold()
    return [
        keyword
        for keyword in keywords
        if re.search(rf"(?<!\w){re.escape(keyword.casefold())}", lowered)
    ]


def decide(
    mention: Mention, score: Score, rules: RulesConfig, recurrence: Recurrence | None = None
) -> Decision | None:
    """Decide whether a scored mention alerts; None when it does not."""
    if not passes_filters(mention, rules):
        return None
    text = f"{mention.title or ''}\n{mention.text}"
    reasons = _trigger_reasons(mention.rating, score.prob_negative, rules)
    if score.prob_negative >= rules.keyword_threshold:
        reasons += [f"keyword: {word}" for word in find_keywords(text, rules.keywords)]
    if not reasons:
        return None
    risks = find_risk_words(text)
    if risks:
        reasons.append("risk words: " + ", ".join(word.name for word in risks))
    points = (
        _sentiment_points(score.prob_negative, rules.negative_threshold)
        + _rating_points(mention.rating)
        + _risk_points(risks)
        + _reach_points(mention, rules, reasons)
        + _recurrence_points(recurrence, rules, reasons)
    )
    return Decision(_severity(points), reasons, [word.name for word in risks])


def _reach_points(mention: Mention, rules: RulesConfig, reasons: list[str]) -> int:
    reach = read_reach(mention.reach)
    points = reach_points(reach, rules)
    if points:
        reasons.append(f"reach: {describe_reach(reach)}")
    return points


def _recurrence_points(
    recurrence: Recurrence | None, rules: RulesConfig, reasons: list[str]
) -> int:
    if recurrence is None or recurrence.count < rules.recurrence_min:
        return 0
    reasons.append(
        f"recurring: {recurrence.count} similar complaints on {recurrence.source_name} "
        f"in the last {describe_duration(rules.recurrence_window)}"
    )
    return 1


def describe_duration(span: timedelta) -> str:
    """A duration in words: "7 days", "24 hours", "15 minutes"."""
    seconds = int(span.total_seconds())
    # "24 hours" reads better than "1 day" in "in the last …".
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds > size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def _trigger_reasons(rating: float | None, prob_negative: float, rules: RulesConfig) -> list[str]:
    reasons = []
    if prob_negative >= rules.negative_threshold:
        reasons.append(
            f"negative sentiment {prob_negative:.2f} ≥ threshold {rules.negative_threshold:.2f}"
        )
    limit = rules.alert_max_rating
    if rating is not None and limit is not None and rating <= limit:
        reasons.append(f"rating {rating:g}/5")
    return reasons


def _sentiment_points(prob_negative: float, threshold: float) -> int:
    if prob_negative >= STRONG_NEGATIVE:
        return 3
    if prob_negative >= CLEAR_NEGATIVE:
        return 2
    return 1 if prob_negative >= threshold else 0


def _rating_points(rating: float | None) -> int:
    if rating is None:
        return 0
    if rating <= 1:
        return 2
    return 1 if rating <= 2 else 0


def _risk_points(risks: list[RiskWord]) -> int:
    if not risks:
        return 0
    return max(word.weight for word in risks) + (1 if len(risks) > 1 else 0)


def _severity(points: int) -> Severity:
    for floor, severity in _SEVERITY_FLOORS:
        if points >= floor:
            return severity
    return Severity.P4
