import pytest

from sentiment.exceptions import LabelMappingError
from sentiment.labels import build_label_map, canonical_label


def test_two_class_labels_map_and_leave_neutral_empty() -> None:
    labels = build_label_map({0: "NEGATIVE", 1: "POSITIVE"})
    assert labels.targets == ("negative", "positive")
    assert not labels.has_neutral
    assert labels.collapse([0.3, 0.7]) == {"negative": 0.3, "neutral": 0.0, "positive": 0.7}


def test_three_class_labels_keep_their_order_from_id2label() -> None:
    labels = build_label_map({"2": "Positive", "0": "neg", "1": "Neutral"})
    assert labels.targets == ("negative", "neutral", "positive")
    assert labels.collapse([0.2, 0.5, 0.3]) == {"negative": 0.2, "neutral": 0.5, "positive": 0.3}


def test_star_labels_sum_into_three_classes() -> None:
    labels = build_label_map({0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"})
    probs = labels.collapse([0.1, 0.2, 0.3, 0.15, 0.25])
    assert probs == pytest.approx({"negative": 0.3, "neutral": 0.3, "positive": 0.4})


def test_anonymous_labels_need_an_explicit_mapping() -> None:
    with pytest.raises(LabelMappingError, match=r"LABEL_0.*label mapping"):
        build_label_map({0: "LABEL_0", 1: "LABEL_1"})
    mapping = {"LABEL_0": "positive", "LABEL_1": "negative"}
    assert build_label_map({0: "LABEL_0", 1: "LABEL_1"}, mapping).targets == (
        "positive",
        "negative",
    )


def test_explicit_mapping_wins_over_the_label_name() -> None:
    assert canonical_label("positive", {"positive": "negative"}) == "negative"


@pytest.mark.parametrize(
    ("id2label", "mapping", "message"),
    [
        ({0: "joy", 1: "anger"}, None, "cannot map model label 'joy'"),
        ({0: "LABEL_0", 1: "LABEL_1"}, {"LABEL_0": "bad", "LABEL_1": "positive"}, "'bad'"),
        ({0: "neutral", 1: "positive"}, None, "no negative"),
        ({0: "negative"}, None, "2 or more labels"),
        ({0: "negative", 2: "positive"}, None, "from 0"),
    ],
)
def test_unmappable_labels_raise_a_label_mapping_error(
    id2label: dict[int, str], mapping: dict[str, str] | None, message: str
) -> None:
    with pytest.raises(LabelMappingError, match=message):
        build_label_map(id2label, mapping)


def test_collapse_refuses_a_wrong_number_of_probabilities() -> None:
    with pytest.raises(LabelMappingError, match="3 probabilities"):
        build_label_map({0: "negative", 1: "positive"}).collapse([0.1, 0.2, 0.7])
