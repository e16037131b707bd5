"""Which mentions alert, how severe they are, and the reasons given."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from alerts.rules import Decision, Recurrence, decide, describe_duration, find_risk_words
from alerts.severity import Severity
from config.settings import RulesConfig
from tests.alerts.factories import make_mention, make_score, make_source

RULES = RulesConfig(negative_threshold=0.6, alert_max_rating=2.0)


def decision_for(
    text: str, prob_negative: float, rating: float | None = None, **mention: Any
) -> Decision | None:
    row = make_mention(text=text, rating=rating, **mention)
    return decide(row, make_score(mention=row, prob_negative=prob_negative), RULES)


def test_negative_sentiment_at_threshold_alerts_and_says_why() -> None:
    decision = decision_for("Slow delivery, again.", 0.6)
    assert decision is not None
    assert decision.reasons == ["negative sentiment 0.60 ≥ threshold 0.60"]
    assert decision.severity is Severity.P4


def test_positive_mention_with_good_rating_does_not_alert() -> None:
    assert decision_for("Lovely shop, fast delivery.", 0.05, rating=5) is None
    assert decision_for("Fine.", 0.59, rating=3) is None


def test_low_rating_alerts_even_when_the_text_reads_neutral() -> None:
    decision = decision_for("It arrived.", 0.2, rating=1)
    assert decision is not None
    assert decision.reasons == ["rating 1/5"]
    assert decision.severity is Severity.P3


def test_rating_rule_can_be_switched_off() -> None:
    row = make_mention(text="It arrived.", rating=1)
    rules = RulesConfig(negative_threshold=0.6, alert_max_rating=None)
    assert decide(row, make_score(mention=row, prob_negative=0.2), rules) is None


@pytest.mark.parametrize(
    ("text", "prob_negative", "rating", "severity"),
    [
        ("My charger caught fire in the kitchen.", 0.97, 1, Severity.P1),  # 3 + 2 + 3
        ("The heater caught fire.", 0.96, None, Severity.P1),  # 3 + 3
        ("Worst service ever.", 0.97, 1, Severity.P2),  # 3 + 2
        ("Total scam, never again.", 0.9, None, Severity.P2),  # 2 + 2
        ("Broken on arrival.", 0.9, 2, Severity.P3),  # 2 + 1
        ("Please refund me.", 0.2, 1, Severity.P3),  # 0 + 2 + 1
        ("Meh, slow.", 0.65, None, Severity.P4),  # 1
        ("It arrived.", 0.1, 2, Severity.P4),  # 0 + 1
    ],
)
def test_severity_adds_sentiment_rating_and_risk_points(
    text: str, prob_negative: float, rating: float | None, severity: Severity
) -> None:
    decision = decision_for(text, prob_negative, rating)
    assert decision is not None
    assert decision.severity is severity


def test_two_different_risk_words_add_a_point() -> None:
    single = decision_for("They won't refund me.", 0.9)
    double = decision_for("They won't refund me, it is a scam.", 0.9)
    assert single is not None and double is not None
    assert (single.severity, double.severity) == (Severity.P3, Severity.P2)


def test_risk_words_are_listed_in_the_order_they_appear() -> None:
    decision = decision_for("I want a refund: the battery caught fire.", 0.9, rating=1)
    assert decision is not None
    assert decision.reasons == [
        "negative sentiment 0.90 ≥ threshold 0.60",
        "rating 1/5",
        "safety risk: fire (P1 or higher, whatever the tone)",
        "risk words: refund, fire",
    ]
    assert decision.risk_words == ["refund", "fire"]


def test_korean_risk_words_are_found_inside_words_with_particles() -> None:
    decision = decision_for("배터리에서 화재가 났는데 환불도 안 해줍니다", 0.95, lang="ko")
    assert decision is not None
    assert decision.reasons[-1] == "risk words: 화재, 환불"
    assert decision.severity is Severity.P1


def test_title_is_searched_for_risk_words_too() -> None:
    decision = decision_for("See title.", 0.9, title="Data breach at Acme")
    assert decision is not None
    assert decision.risk_words == ["data breach"]


@pytest.mark.parametrize(
    "text",
    ["Watching fireflies", "We will pursue the issue", "a tissue", "recalling nothing odd"],
)
def test_english_risk_words_match_whole_words_only(text: str) -> None:
    assert find_risk_words(text) == []


def test_half_star_ratings_read_as_written() -> None:
    decision = decision_for("Meh.", 0.1, rating=1.5)
    assert decision is not None
    assert decision.reasons == ["rating 1.5/5"]


def decide_with(rules: RulesConfig, recurrence: Recurrence | None = None, **mention: Any) -> Any:
    values: dict[str, Any] = {"text": "Slow delivery and a broken box."} | mention
    prob_negative = values.pop("prob_negative", 0.9)
    row = make_mention(**values)
    return decide(row, make_score(mention=row, prob_negative=prob_negative), rules, recurrence)


def test_source_brand_and_language_filters() -> None:
    source = make_source(name="shop-reviews", brand="Acme")
    assert decide_with(RulesConfig(sources=["other"]), source=source) is None
    assert decide_with(RulesConfig(sources=["shop-reviews"]), source=source) is not None
    assert decide_with(RulesConfig(brands=["Globex"]), source=source) is None
    assert decide_with(RulesConfig(brands=["ACME"]), source=source) is not None
    assert decide_with(RulesConfig(languages=["ko"]), lang="en-GB") is None
    assert decide_with(RulesConfig(languages=["ko"]), lang="ko") is not None
    assert decide_with(RulesConfig(languages=["ko"]), lang=None) is not None


def test_keyword_alerts_below_the_threshold_and_says_which() -> None:
    rules = RulesConfig(keywords=["X200", "충전기"], keyword_threshold=0.3)
    decision = decide_with(rules, text="Is the x200 worth it?", prob_negative=0.35)
    assert decision is not None and decision.reasons == ["keyword: X200"]
    korean = decide_with(rules, text="충전기가 좀 느려요", prob_negative=0.4, lang="ko")
    assert korean is not None and korean.reasons == ["keyword: 충전기"]
    assert decide_with(rules, text="Love my x200", prob_negative=0.1) is None
    assert decide_with(rules, text="The x2000 is fine", prob_negative=0.4) is not None


def test_reach_raises_severity_and_is_explained() -> None:
    quiet = decide_with(RulesConfig(), prob_negative=0.9)
    viral = decide_with(RulesConfig(), prob_negative=0.9, reach={"score": 950, "comments": 80})
    assert (quiet.severity, viral.severity) == (Severity.P3, Severity.P2)
    assert viral.reasons[-1] == "reach: 950 votes, 80 comments"


def test_recurrence_raises_severity_and_is_explained() -> None:
    source = make_source(name="shop-reviews")
    once = decide_with(RulesConfig(), Recurrence(1, "shop-reviews"), source=source)
    again = decide_with(RulesConfig(), Recurrence(3, "shop-reviews"), source=source)
    assert (once.severity, again.severity) == (Severity.P3, Severity.P3)
    assert once.reasons == ["negative sentiment 0.90 ≥ threshold 0.60"]
    assert again.reasons[-1] == "recurring: 3 similar complaints on shop-reviews in the last 7 days"
    meh = decide_with(RulesConfig(), Recurrence(2, "x"), prob_negative=0.86, rating=2)
    assert meh.severity is Severity.P2  # 2 + 1 + 1


def test_durations_in_words() -> None:
    spans = [timedelta(days=7), timedelta(hours=24), timedelta(minutes=90), timedelta(minutes=1)]
    assert [describe_duration(span) for span in spans] == [
        "7 days",
        "24 hours",
        "90 minutes",
        "60 seconds",
    ]
