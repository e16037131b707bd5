import gzip
from pathlib import Path

import pytest

from sentiment.data import kind_of_file, load_split, read_examples, read_jsonl
from sentiment.exceptions import DatasetError


def test_read_jsonl_reads_gzip_and_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write('{"text": "a", "label": "negative"}\n\n{"text": "b", "label": "positive"}\n')
    assert [row["text"] for row in read_jsonl(path)] == ["a", "b"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "a", "label": "negative"}\n{oops\n', r"rows.jsonl:2: not JSON"),
        ("[1, 2]\n", "expected a JSON object"),
        ('{"text": "a", "label": "angry"}\n', "row 1 needs a string text and a known label"),
    ],
)
def test_malformed_rows_are_dataset_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        read_examples(path, "custom")


def test_a_missing_file_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read"):
        list(read_jsonl(tmp_path / "absent.jsonl"))


def test_split_is_deterministic_disjoint_and_per_kind(data_dir: Path) -> None:
    first = load_split(data_dir, seed=7, validation_fraction=0.3)
    again = load_split(data_dir, seed=7, validation_fraction=0.3)
    other = load_split(data_dir, seed=8, validation_fraction=0.3)
    assert first == again
    assert first.validation != other.validation
    kinds = {example.kind for example in first.validation}
    assert kinds == {"en_reviews", "ko_movies", "en_tweets"}
    held_texts = {example.text for example in first.validation if example.kind != "en_tweets"}
    assert held_texts.isdisjoint(example.text for example in first.train)
    tweets = [example.text for example in first.validation if example.kind == "en_tweets"]
    assert tweets == ["hate it", "the screen", "love it !"]


def test_subsample_sizes_apply_per_kind(data_dir: Path) -> None:
    split = load_split(
        data_dir, seed=1, train_sizes={"en_tweets": 5}, validation_sizes={"ko_movies": 2}
    )
    assert sum(example.kind == "en_tweets" for example in split.train) == 5
    assert sum(example.kind == "ko_movies" for example in split.validation) == 2


def test_a_folder_without_known_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no known sentiment data"):
        load_split(tmp_path, seed=1)


def test_kind_of_file() -> None:
    assert kind_of_file(Path("x/tweeteval_val.jsonl")) == "en_tweets"
    assert kind_of_file(Path("nsmc_train.jsonl.gz")) == "ko_movies"
    assert kind_of_file(Path("feedback.jsonl.gz")) == "feedback"


def test_examples_keep_the_source_their_row_names(tmp_path: Path) -> None:
    path = tmp_path / "products_ko_train.jsonl"
    rows = [
        '{"text": "좋아요", "label": "positive", "lang": "ko", "source": "naver-shopping"}',
        '{"text": "별로", "label": "negative", "lang": "ko"}',
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert [ex.source for ex in read_examples(path, "ko_products")] == ["naver-shopping", None]
