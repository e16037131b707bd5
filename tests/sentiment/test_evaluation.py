from pathlib import Path

import pytest

from sentiment.data import Example
from sentiment.evaluation import compare, compute_metrics, figures_for, headline, three_way, two_way
from sentiment.report import to_markdown, write_report

NEG, NEU, POS = "negative", "neutral", "positive"


def test_metrics_of_a_hand_computed_example() -> None:
    gold = [NEG, NEG, NEG, NEU, POS, POS]
    predicted = [NEG, NEG, NEG, NEG, POS, NEU]
    metrics = compute_metrics(gold, predicted)
    assert metrics.confusion == [[3, 0, 0], [1, 0, 0], [0, 1, 1]]
    assert metrics.n == 6
    assert metrics.accuracy == pytest.approx(4 / 6)
    # recall: negative 3/3, neutral 0/1, positive 1/2
    assert metrics.macro_recall == pytest.approx(0.5)
    # F1: negative 2*(3/4*1)/(3/4+1) = 6/7, neutral 0, positive 2*(1*1/2)/(3/2) = 2/3
    assert metrics.macro_f1 == pytest.approx((6 / 7 + 0 + 2 / 3) / 3)


def test_macro_recall_counts_gold_labels_and_macro_f1_also_predicted_ones() -> None:
    metrics = compute_metrics([NEG, POS], [NEU, POS])
    assert metrics.macro_recall == pytest.approx(0.5)
    assert metrics.macro_f1 == pytest.approx(1 / 3)


def test_no_examples_give_zero_figures() -> None:
    assert compute_metrics([], []).accuracy == 0.0


def test_two_way_ignores_neutral_and_three_way_does_not() -> None:
    probs = {NEG: 0.3, NEU: 0.5, POS: 0.2}
    assert two_way(probs) == NEG
    assert three_way(probs) == NEU


def _examples() -> tuple[list[Example], list[dict[str, float]]]:
    examples = [
        Example("a", NEG, "en", "en_reviews"),
        Example("b", POS, "en", "en_reviews"),
        Example("c", NEG, "ko", "ko_movies"),
        Example("d", NEU, "en", "en_tweets"),
        Example("e", POS, "en", "en_tweets"),
    ]
    probs = [
        {NEG: 0.3, NEU: 0.5, POS: 0.2},  # binary: negative (right), 3-way: neutral
        {NEG: 0.1, NEU: 0.2, POS: 0.7},
        {NEG: 0.2, NEU: 0.1, POS: 0.7},
        {NEG: 0.1, NEU: 0.8, POS: 0.1},
        {NEG: 0.6, NEU: 0.1, POS: 0.3},
    ]
    return examples, probs


def test_figures_per_language_and_kind_with_headlines() -> None:
    figures = figures_for(*_examples())
    assert set(figures["by_language"]) == {"en", "ko"}
    assert set(figures["by_kind"]) == {"en_reviews", "en_tweets", "ko_movies"}
    reviews = figures["by_kind"]["en_reviews"]
    assert reviews["binary"]["accuracy"] == 1.0
    assert reviews["three_class"]["accuracy"] == 0.5
    assert headline(reviews) == ("binary accuracy", 1.0)
    assert "binary" not in figures["by_kind"]["en_tweets"]
    assert headline(figures["by_kind"]["en_tweets"]) == ("macro recall", 0.5)
    assert figures["overall"]["three_class"]["n"] == 5


def test_compare_puts_model_beside_baseline(tmp_path: Path) -> None:
    examples, probs = _examples()
    model = figures_for(examples, probs)
    baseline = figures_for(examples, [{NEG: 0.1, NEU: 0.1, POS: 0.8}] * 5)
    rows = compare(model, baseline)
    assert rows[0] == {
        "kind": "en_reviews",
        "n": 2,
        "metric": "binary accuracy",
        "model": 1.0,
        "baseline": 0.5,
    }
    assert compare(model)[0]["baseline"] is None
    report = {"model": "m", "summary": rows, "model_figures": model, "baseline_figures": baseline}
    json_path, markdown_path = write_report(report, tmp_path)
    assert json_path.exists()
    markdown = markdown_path.read_text(encoding="utf-8")
    assert "| en_reviews | 2 | binary accuracy | 100.0% | 50.0% |" in markdown
    assert "Confusion matrix" in to_markdown(report)
