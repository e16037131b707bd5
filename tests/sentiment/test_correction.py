"""The residual head and threshold a refit fits (sentiment.correction)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sentiment.correction import (
    HeadPlan,
    LabelledText,
    alert_accuracy,
    choose_threshold,
    fit_residual_head,
)
from sentiment.exceptions import ModelLoadError
from sentiment.ngram_head import NgramHead

COMPLAINTS = [f"the kettle leaks water again order {n}" for n in range(12)]
PRAISE = [f"lovely kettle boils fast order {n}" for n in range(12)]


def _examples(offset: float = 0.0) -> list[LabelledText]:
    return [LabelledText(t, True, 1.0, offset) for t in COMPLAINTS] + [
        LabelledText(t, False, 1.0, offset) for t in PRAISE
    ]


def test_the_residual_head_learns_what_the_model_missed() -> None:
    head = fit_residual_head(_examples())
    votes = head.log_odds(["kettle leaks water", "lovely kettle boils fast"])
    assert votes[0] < -1 < 1 < votes[1]  # log P(positive) - log P(negative)
    assert head.encoder_weight == 1.0  # added on top of the model, which stays as it is


def test_texts_the_model_already_gets_right_teach_the_head_little() -> None:
    unsure = fit_residual_head(_examples())
    # The model's own log-odds already say it: complaints -6, praise +6.
    sure = [LabelledText(e.text, e.negative, 1.0, -6.0 if e.negative else 6.0) for e in _examples()]
    confident = fit_residual_head(sure)
    text = ["kettle leaks water"]
    assert abs(confident.log_odds(text)[0]) < abs(unsure.log_odds(text)[0]) / 3


def test_weights_make_corrections_count_more() -> None:
    # The same text: once called praise, and once corrected to a complaint by a person.
    examples = [
        LabelledText("it stopped heating", False, 1.0, 0.0),
        LabelledText("it stopped heating", True, 5.0, 0.0),
        *_examples(),
    ]
    head = fit_residual_head(examples, HeadPlan(min_df=1))
    assert head.log_odds(["it stopped heating"])[0] < 0


def test_the_head_survives_a_round_trip_through_bytes() -> None:
    head = fit_residual_head(_examples())
    again = NgramHead.from_bytes(head.to_bytes(), "test")
    assert np.array_equal(again.ids, head.ids) and np.array_equal(again.weights, head.weights)
    assert (again.scale, again.bias, again.encoder_weight) == (
        head.scale,
        head.bias,
        head.encoder_weight,
    )
    with pytest.raises(ModelLoadError, match="refit 3"):
        NgramHead.from_bytes(b"\x05\x00\x00\x00\x00\x00\x00\x00{}", "refit 3")
    with pytest.raises(ModelLoadError, match="refit 4: unreadable"):
        NgramHead.from_bytes(b"not safetensors", "refit 4")


def test_choose_threshold_pages_most_complaints_within_the_false_alarm_budget() -> None:
    complaints = [0.95, 0.8, 0.7, 0.55, 0.45]
    calm = [0.05] * 18 + [0.5, 0.75]  # 20: a 5 % budget lets one of them page
    p = complaints + calm
    wanted = [True] * 5 + [False] * 20
    threshold = choose_threshold(p, wanted, max_false_alarms=0.05)
    assert 0.5 < threshold <= 0.55  # pages 0.55 and above and the calm 0.75, not the 0.5
    paged_calm = sum(x >= threshold for x in calm)
    assert paged_calm == 1 and sum(x >= threshold for x in complaints) == 4
    assert choose_threshold(p, wanted, max_false_alarms=0.0) > 0.75
    assert choose_threshold([0.2, 0.1], [True, False], bounds=(0.3, 0.9)) == 0.3


def test_alert_accuracy() -> None:
    assert alert_accuracy([0.9, 0.2, 0.7], [True, False, False], 0.6) == pytest.approx(2 / 3)
    assert math.isnan(alert_accuracy([], [], 0.6))
