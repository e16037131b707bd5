"""`repwatch report weekly` through typer's CliRunner on a migrated SQLite file."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from reports.summary import print_weekly_summary
from reports.weekly import iso_label, last_complete_week
from repwatch.commands import report
from storage.db import session_scope
from tests.reports.factories import make_mention, make_source

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _no_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REPWATCH_DATABASE_URL", "REPWATCH_SLACK_BASE_URL", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SLACK_CHANNEL", raising=False)


@pytest.fixture
def cli() -> typer.Typer:
    """The sub-app mounted the way the main CLI mounts it."""
    root = typer.Typer()
    root.add_typer(report.app, name="report")
    return root


def write_config(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "repwatch.yaml"
    path.write_text(f"database_url: '{database_url}'\nbrand:\n  name: Acme\n", encoding="utf-8")
    return path


def add_this_weeks_mentions(database_url: str) -> None:
    # One minute ago lies in one of the last two ISO weeks whatever the clock says.
    recent = datetime.now(UTC) - timedelta(minutes=1)
    with session_scope(database_url) as session:
        news = make_source(session, "news")
        make_mention(session, news, recent, rating=1, label="negative", score=-0.9)
        make_mention(session, news, recent, rating=5, label="positive", score=0.7)


def run_weekly(cli: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["report", "weekly", *args])
    return result.exit_code, result.stdout, result.stderr


def test_weekly_writes_csv_chart_and_table(
    cli: typer.Typer, sqlite_url: str, tmp_path: Path
) -> None:
    add_this_weeks_mentions(sqlite_url)
    config, out = write_config(tmp_path, sqlite_url), tmp_path / "out"
    code, stdout, stderr = run_weekly(
        cli, "--weeks", "2", "--week", "current", "--out", str(out), "--config", str(config)
    )
    assert (code, stderr) == (0, "")
    with (out / "weekly.csv").open(newline="", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert [line["source"] for line in lines] == ["news", "news"]
    assert sum(int(line["mentions"]) for line in lines) == 2
    assert (out / "weekly.png").read_bytes()[:8] == PNG_MAGIC
    this_week = datetime.now(UTC).date().isocalendar()
    assert f"{this_week.year}-W{this_week.week:02d}" in stdout
    assert "Acme weekly report" in stdout
    assert "weekly.csv" in stdout and "weekly.png" in stdout and "weekly.html" in stdout
    assert "<html" in (out / "weekly.html").read_text(encoding="utf-8")


def test_weekly_reports_the_last_ended_week_by_default(
    cli: typer.Typer, sqlite_url: str, tmp_path: Path
) -> None:
    config, out = write_config(tmp_path, sqlite_url), tmp_path / "out"
    code, stdout, _ = run_weekly(cli, "--out", str(out), "--config", str(config))
    assert code == 0
    last = last_complete_week(datetime.now(UTC))
    assert f"Acme weekly report · {iso_label(last)}" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-48"], "not an ISO week"),
        (["--week", "2999-W01"], "has not started yet"),
        (["--week", "current", "--post"], "--post needs a week that has ended"),
    ],
)
def test_bad_weeks_are_usage_errors(
    cli: typer.Typer, tmp_path: Path, args: list[str], message: str
) -> None:
    code, _, stderr = run_weekly(cli, *args, "--out", str(tmp_path))
    assert code == 2
    assert message in " ".join(stderr.split())


def test_weekly_on_an_empty_database_says_no_data(
    cli: typer.Typer, sqlite_url: str, tmp_path: Path
) -> None:
    config, out = write_config(tmp_path, sqlite_url), tmp_path / "out"
    code, stdout, _ = run_weekly(cli, "--out", str(out), "--config", str(config))
    assert code == 0
    assert "no data" in stdout
    assert (out / "weekly.csv").read_text(encoding="utf-8").startswith("iso_week,")
    assert (out / "weekly.png").read_bytes()[:8] == PNG_MAGIC
    assert "No sources configured yet." in (out / "weekly.html").read_text(encoding="utf-8")


def test_bad_configuration_exits_2(cli: typer.Typer, tmp_path: Path) -> None:
    config = tmp_path / "repwatch.yaml"
    config.write_text("databse_url: sqlite:///x.db\n", encoding="utf-8")
    code, stdout, stderr = run_weekly(cli, "--config", str(config), "--out", str(tmp_path))
    assert code == 2
    assert "databse_url" in stderr
    assert stdout == ""


def test_unmigrated_database_exits_1(cli: typer.Typer, tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'blank.db'}")
    code, _, stderr = run_weekly(cli, "--config", str(config), "--out", str(tmp_path / "out"))
    assert code == 1
    assert "weekly report failed" in stderr
    assert "no such table" in stderr
    assert "repwatch db upgrade" in stderr


def test_weeks_below_one_is_a_usage_error(cli: typer.Typer, tmp_path: Path) -> None:
    code, _, _ = run_weekly(cli, "--weeks", "0", "--out", str(tmp_path))
    assert code == 2


def test_weekly_summary_prints_the_table(sqlite_url: str) -> None:
    add_this_weeks_mentions(sqlite_url)
    console = Console(file=io.StringIO(), record=True, width=120)
    with session_scope(sqlite_url) as session:
        totals = print_weekly_summary(session, console, brand="Acme", weeks=3)
        assert print_weekly_summary(session, console, brand="Globex", weeks=3) == []
    assert len(totals) == 3
    assert sum(total.mentions for total in totals) == 2
    text = console.export_text()
    assert "Acme: weekly mentions" in text
    assert "Globex: weekly mentions" in text
    assert "no data" in text
