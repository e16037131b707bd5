import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from repwatch.commands import model, score
from repwatch.commands.score import score_command
from sentiment.ngram_head import NGRAM_HEAD_FILE
from storage.db import session_scope
from storage.migrate import upgrade
from storage.models import Feedback
from tests.alerts.factories import make_mention

app = typer.Typer()
app.command("score")(score_command)
app.add_typer(model.app, name="model")
runner = CliRunner()


@pytest.fixture
def config_file(
    tmp_path: Path, tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.delenv("REPWATCH_MODEL", raising=False)
    path = tmp_path / "repwatch.yaml"
    path.write_text(
        f"model: {tiny_models['three']}\nsentiment:\n  batch_size: 2\n", encoding="utf-8"
    )
    return path


GOOD = {"text": "great phone", "id": 1}
RATED = {"text": "great, broke in a day", "rating": 1, "lang": "en", "id": 4}
LINES = [
    json.dumps(GOOD),
    "this is not json",
    json.dumps({"text": 5}),
    json.dumps(RATED),
    "",
    json.dumps({"text": "fine", "rating": 9}),
]


def test_score_skips_bad_lines_scores_the_rest_and_exits_1(config_file: Path) -> None:
    result = runner.invoke(
        app, ["score", "--config", str(config_file)], input="\n".join(LINES) + "\n"
    )
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["id"] for record in records] == [1, 4]
    assert records[1]["sentiment"]["label"] == "negative"
    assert set(records[0]["sentiment"]) >= {"label", "score", "probs", "model"}
    assert records[0]["text"] == "great phone"
    assert "line 2: not JSON" in result.stderr
    assert 'line 3: needs a string "text"' in result.stderr
    assert "line 6: rating must be from 1 to 5" in result.stderr
    assert "line 5" not in result.stderr


def test_score_echoes_a_lone_surrogate_escaped_and_still_scores_the_line(
    config_file: Path,
) -> None:
    # json.loads turns the escape into a lone surrogate, which tokenizers and UTF-8 refuse.
    lines = ['{"text": "great \\ud800 phone"}', '{"text": "bad \\u2028 phone"}']
    result = runner.invoke(app, ["score", "--config", str(config_file)], input="\n".join(lines))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith('{"text": "great \\ud800 phone"')
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["text"] for record in records] == ["great \ud800 phone", "bad \u2028 phone"]
    assert all(record["sentiment"]["label"] for record in records)


def test_score_streams_a_file_in_chunks_in_order(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(score, "CHUNK_LINES", 2)
    source = tmp_path / "in.jsonl"
    texts = ["great", "bad phone", "", "ok", "😀"]
    source.write_text(
        "".join(json.dumps({"text": text}) + "\n" for text in texts), encoding="utf-8"
    )
    result = runner.invoke(
        app, ["score", "--config", str(config_file), "--batch-size", "1", str(source)]
    )
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == texts


def test_score_with_a_bad_config_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("sentiment:\n  batch_size: 0\n", encoding="utf-8")
    result = runner.invoke(app, ["score", "--config", str(path)], input="")
    assert result.exit_code == 2
    assert "sentiment.batch_size" in result.stderr


def test_score_with_a_missing_model_exits_1(config_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["score", "--config", str(config_file), "--model", str(tmp_path / "none")], input=""
    )
    assert result.exit_code == 1
    assert "cannot load sentiment model" in result.stderr


def test_model_eval_prints_figures_and_writes_the_report(
    config_file: Path, data_dir: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "model",
            "eval",
            "--config",
            str(config_file),
            "--data",
            str(data_dir / "tweeteval_val.jsonl"),
            "--data",
            str(data_dir / "uci_yelp_train.jsonl"),
            "--report",
            str(tmp_path / "report"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "macro recall" in result.stdout
    assert "en_tweets" in result.stdout
    report = json.loads((tmp_path / "report" / "eval_report.json").read_text())
    assert report["model_figures"]["overall"]["three_class"]["n"] == 3 + 20


@pytest.mark.parametrize("ngram_head", [False, True])
def test_model_train_writes_a_model(
    config_file: Path, data_dir: Path, tiny_encoder: Path, tmp_path: Path, ngram_head: bool
) -> None:
    out = tmp_path / "trained"
    args = ["model", "train", "--config", str(config_file), "--data", str(data_dir)]
    args += ["--out", str(out), "--base-model", str(tiny_encoder), "--max-length", "16"]
    args += ["--train-size", "en_tweets=6", "--threads", "1"]
    result = runner.invoke(app, args + (["--ngram-head"] if ngram_head else []))
    assert result.exit_code == 0, result.stderr
    assert (out / "model.safetensors").exists()
    assert (out / NGRAM_HEAD_FILE).exists() is ngram_head
    assert ("fitting the n-gram head on" in result.stdout) is ngram_head
    assert "headline figure per data kind" in result.stdout


def test_model_train_adds_slack_corrections(
    data_dir: Path, tiny_encoder: Path, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'feedback.db'}"
    upgrade(database_url)
    with session_scope(database_url) as session:
        mention = make_mention(session, text="Arrived a day late, works fine.")
        session.add(
            Feedback(
                mention_id=mention.id,
                text=mention.text,
                lang="en",
                original_label="negative",
                corrected_label="neutral",
                user_id="U1",
            )
        )
    config = tmp_path / "feedback.yaml"
    config.write_text(f"database_url: {database_url}\nmodel: {tiny_models['three']}\n")
    out = tmp_path / "trained"
    args = ["model", "train", "--config", str(config), "--data", str(data_dir), "--out", str(out)]
    args += ["--base-model", str(tiny_encoder), "--max-length", "16", "--threads", "1"]
    args += ["--train-size", "en_tweets=6", "--include-feedback"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "added 1 corrections from Slack feedback" in result.stdout
    report = json.loads((out / "eval_report.json").read_text())
    assert report["training"]["feedback_examples"] == 1


def test_model_train_refuses_a_bad_size(config_file: Path) -> None:
    result = runner.invoke(
        app, ["model", "train", "--config", str(config_file), "--train-size", "tweets"]
    )
    assert result.exit_code == 2
    assert "KIND=N" in result.stderr
