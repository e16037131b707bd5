"""Which scored mentions become alerts, how severe they are, and why.

A mention alerts when it passes the filters (``rules.brands``, ``rules.sources``,
``rules.languages``) and P(negative) reaches ``rules.negative_threshold``, or its rating
is at or below ``rules.alert_max_rating``, or it contains one of ``rules.keywords`` and
P(negative) reaches ``rules.keyword_threshold``. Severity adds up points:

=====================  ===========================================================
sentiment strength     P(negative) >= 0.95: 3, >= 0.85: 2, >= threshold: 1
rating                 1★: 2, 2★ or less: 1
risk words             the heaviest risk found (alerts/risks.yaml: safety 3, hazard /
                       money / data / legal / fraud 2, refund 1), plus 1 when two or
                       more different risks are found
reach                  engagement or followers above ``reach_high`` /
                       ``followers_high``: 1, above the ``*_viral`` levels: 2
recurrence             ``recurrence_min`` or more similar negative mentions of the
                       same source within ``recurrence_window``: 1
=====================  ===========================================================

6 points or more is P1, 4-5 is P2, 2-3 is P3 and less is P4. So a furious review that
mentions a fire is P1; a 1★ review that calmly asks for a refund is P3.

A risk whose category has a floor (safety P1; hazard, money, data, legal P2) raises an
alert at that severity or higher whatever the sentiment score, so a polite "the kettle
gave me an electric shock, could you advise?" pages at P1; a review rated 4 or 5 is
left to the other rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from alerts.reach import describe_reach, reach_points, read_reach
from alerts.risks import RiskFound, load_taxonomy
from alerts.severity import Severity
from config.settings import RulesConfig
from storage.models import Mention, Score

SAFETY = "safety"
PRAISE_RATING = 4.0
STRONG_NEGATIVE = 0.95
CLEAR_NEGATIVE = 0.85
_SEVERITY_FLOORS = ((6, Severity.P1), (4, Severity.P2), (2, Severity.P3))


@dataclass(frozen=True)
class Decision:
    """An alert to raise: its severity and the reasons, in words, that it fired."""

    severity: Severity
    reasons: list[str] = field(default_factory=list)
    risk_words: list[str] = field(default_factory=list)


def risk_floor_reason(found: RiskFound) -> str:
    """The reason naming a risk that sets a severity floor: "safety risk: fire (P1 or
    higher, whatever the tone)"."""
    floor = found.risk.floor.value if found.risk.floor else "-"
    return f"{found.risk.category} risk: {found.label} ({floor} or higher, whatever the tone)"


def safety_incident_reason(count: int) -> str:
    """The reason an incident gives when some of its complaints name a safety risk."""
    return f"{SAFETY} risk: in {count} of its complaints"


def is_safety_alert(reasons: list[str]) -> bool:
    """Whether an alert's reasons name a safety risk (its reply tells people to stop)."""
    return any(reason.startswith(f"{SAFETY} risk: ") for reason in reasons)


def find_risk_words(text: str, rules: RulesConfig | None = None) -> list[RiskFound]:
    """Risks of the taxonomy (built in, plus ``rules.risks_file``) in `text`, in order."""
    return load_taxonomy(rules.risks_file if rules is not None else None).find(text)


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
    risks = find_risk_words(text, rules)
    floored = _floor_risk(risks, mention.rating)
    if floored is not None:
        reasons.append(risk_floor_reason(floored))
    if not reasons:
        return None
    if risks:
        reasons.append("risk words: " + ", ".join(found.label for found in risks))
    points = (
        _sentiment_points(score.prob_negative, rules.negative_threshold)
        + _rating_points(mention.rating)
        + _risk_points(risks)
        + _reach_points(mention, rules, reasons)
        + _recurrence_points(recurrence, rules, reasons)
    )
    severity = _severity(points)
    if floored is not None and floored.risk.floor is not None:
        severity = min(severity, floored.risk.floor, key=lambda level: level.priority)
    return Decision(severity, reasons, [found.label for found in risks])


def _floor_risk(risks: list[RiskFound], rating: float | None) -> RiskFound | None:
    """The risk whose floor is highest, unless the author rated it 4 or 5 (praise that
    names a risk, "no leaks at all, 5 stars", is not a complaint)."""
    if rating is not None and rating >= PRAISE_RATING:
        return None
    floors = [(found.risk.floor.priority, found) for found in risks if found.risk.floor]
    return min(floors, key=lambda pair: pair[0], default=(0, None))[1]


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


def _risk_points(risks: list[RiskFound]) -> int:
    if not risks:
        return 0
    return max(found.risk.points for found in risks) + (1 if len(risks) > 1 else 0)


def _severity(points: int) -> Severity:
    for floor, severity in _SEVERITY_FLOORS:
        if points >= floor:
            return severity
    return Severity.P4
