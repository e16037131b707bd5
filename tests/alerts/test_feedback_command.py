"""`repwatch feedback`: reporting a complaint that never paged, and listing corrections."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from repwatch.cli import app
from repwatch.commands.model import feedback_examples
from storage.db import session_scope
from storage.models import Feedback, Mention
from tests.alerts.factories import make_mention, make_score, make_source

runner = CliRunner()
QUIET = "아이가 모서리에 손을 다쳤어요. 확인 부탁드립니다."


@pytest.fixture
def config(alerts_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("REPWATCH_DATABASE_URL", raising=False)
    path = tmp_path / "repwatch.yaml"
    path.write_text(f"database_url: {alerts_db}\nbrand: {{name: Acme}}\n", encoding="utf-8")
    return path


def store_quiet_complaint(url: str) -> int:
    with session_scope(url) as session:
        mention = make_mention(session, make_source(session, name="shop-ko"), text=QUIET, lang="ko")
        make_score(session, mention, prob_negative=0.2)
        return mention.id


def test_a_missed_complaint_is_stored_as_a_negative_correction(
    alerts_db: str, config: Path
) -> None:
    mention_id = store_quiet_complaint(alerts_db)
    with session_scope(alerts_db) as session:
        mention = session.get(Mention, mention_id)
        assert mention is not None and mention.url is not None
        url = mention.url

    result = runner.invoke(
        app, ["feedback", "missed", "--url", str(url), "--by", "dana", "--config", str(config)]
    )

    assert result.exit_code == 0, result.output
    assert f"saved mention {mention_id} on shop-ko as a missed complaint" in result.output
    with session_scope(alerts_db) as session:
        row = session.scalars(select(Feedback)).one()
        assert (row.mention_id, row.alert_id, row.user_id) == (mention_id, None, "cli:dana")
        assert (row.original_label, row.corrected_label, row.lang) == ("neutral", "negative", "ko")
    assert [(e.text, e.label) for e in feedback_examples(alerts_db)] == [(QUIET, "negative")]


def test_reporting_twice_stores_one_correction(alerts_db: str, config: Path) -> None:
    mention_id = store_quiet_complaint(alerts_db)
    arguments = ["feedback", "missed", "--mention", str(mention_id), "--by", "dana"]

    first = runner.invoke(app, [*arguments, "--config", str(config)])
    again = runner.invoke(app, [*arguments, "--config", str(config)])

    assert first.exit_code == again.exit_code == 0
    assert "reported as a missed complaint by dana already" in again.output
    listed = runner.invoke(app, ["feedback", "list", "--config", str(config)])
    assert listed.exit_code == 0 and "negative" in listed.output and "dana" in listed.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--mention", "999999"], "no stored mention with id 999999"),
        ([], "give the mention as --mention ID or --url URL"),
        (["--mention", "1", "--url", "https://x.example/"], "one of them"),
    ],
)
def test_a_missed_report_names_what_is_wrong(
    config: Path, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["feedback", "missed", *arguments, "--config", str(config)])
    assert result.exit_code == 2
    assert message in result.output
