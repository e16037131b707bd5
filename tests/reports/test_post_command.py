"""`repwatch report weekly --post`: the digest and chart reach the fake Slack once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from reports.weekly import iso_label, last_complete_week
from repwatch.commands import report
from storage.db import session_scope
from tests.fakes.slack_server import FakeSlack
from tests.reports.conftest import W48, build_week

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# The command reports on the real clock: the hand-computed week moves to the last week
# that has ended, whatever today is.
SHIFT = last_complete_week(datetime.now(UTC)) - W48
WEEK = iso_label(W48 + SHIFT)


@pytest.fixture
def cli() -> typer.Typer:
    root = typer.Typer()
    root.add_typer(report.app, name="report")
    return root


@pytest.fixture
def config(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A configuration of the hand-computed week; Slack settings come from the test."""
    for name in ("REPWATCH_DATABASE_URL", "REPWATCH_SLACK_BASE_URL", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SLACK_CHANNEL", raising=False)
    with session_scope(sqlite_url) as session:
        build_week(session, shift=SHIFT)
    path = tmp_path / "repwatch.yaml"
    path.write_text(
        f"database_url: '{sqlite_url}'\nbrand:\n  name: Acme\nslack:\n  channel: C0REPORTS\n",
        encoding="utf-8",
    )
    return path


def post(cli: typer.Typer, config: Path, out: Path) -> tuple[int, str, str]:
    args = ["report", "weekly", "--week", WEEK, "--weeks", "3", "--brand", "Acme"]
    result = CliRunner().invoke(cli, [*args, "--post", "--out", str(out), "--config", str(config)])
    return result.exit_code, result.stdout, result.stderr


def test_digest_and_chart_reach_slack_once(
    cli: typer.Typer,
    config: Path,
    tmp_path: Path,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-report-test")
    monkeypatch.setenv("REPWATCH_SLACK_BASE_URL", fake_slack.base_url)
    code, stdout, stderr = post(cli, config, tmp_path / "out")
    assert (code, stderr) == (0, "")
    assert "outbox: 1 sent, 0 failed, 0 pending" in stdout
    (message,) = fake_slack.posted_messages()
    assert message["channel"] == "C0REPORTS"
    assert message["text"] == f"Acme weekly report {WEEK}: 10 mentions, 60.0% negative"
    blocks = message["blocks"]
    assert blocks[0]["text"]["text"] == f"📊 Acme weekly report · {WEEK}"
    assert blocks[3]["text"]["text"].startswith("*Top negative themes*\n• *leaking · lid* (3)")
    assert "&lt;script&gt;" in blocks[3]["text"]["text"]
    assert [r.api_method for r in fake_slack.requests if r.path.startswith("/api/")] == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    (complete,) = fake_slack.calls("files.completeUploadExternal")
    assert complete.body["channel_id"] == "C0REPORTS"
    assert complete.body["files"][0]["title"] == f"Acme weekly report · {WEEK}"
    (uploaded,) = fake_slack.uploads.values()
    assert uploaded == (tmp_path / "out" / "weekly.png").read_bytes()
    assert uploaded[:8] == PNG_MAGIC

    code, stdout, _ = post(cli, config, tmp_path / "again")
    assert code == 0
    assert f"digest for {WEEK} was queued before; not posted again" in stdout
    assert len(fake_slack.posted_messages()) == 1


def test_without_a_token_the_digest_prints_in_the_terminal(
    cli: typer.Typer, config: Path, tmp_path: Path
) -> None:
    code, stdout, _ = post(cli, config, tmp_path / "out")
    assert code == 0
    assert f"Acme weekly report · {WEEK}" in stdout
    assert "Top negative themes" in stdout
    assert "outbox: 1 sent, 0 failed, 0 pending" in stdout
