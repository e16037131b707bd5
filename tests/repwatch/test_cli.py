"""The command line contract: help everywhere, exit codes 0 / 1 / 2, the demo twice."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from sqlalchemy import func, select
from typer.testing import CliRunner

from repwatch.cli import app
from storage.db import session_scope
from storage.models import Alert, Mention, OutboxMessage

runner = CliRunner()


@pytest.mark.parametrize(
    "command",
    [[], ["demo"], ["run"], ["crawl"], ["score"], ["report", "weekly"], ["db", "upgrade"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "repwatch.yaml"
    config.write_text("brand: {name: Acme}\nsources: [{name: x, kind: rss, url: ftp://x}]\n")
    result = runner.invoke(app, ["db", "upgrade", "--config", str(config)])
    assert result.exit_code == 2
    assert "sources.0.url" in result.output


def test_unknown_option_is_a_usage_error() -> None:
    assert runner.invoke(app, ["run", "--twice"]).exit_code == 2


def test_run_without_once_is_a_usage_error(tmp_path: Path) -> None:
    assert runner.invoke(app, ["run"]).exit_code == 2


def test_unreachable_database_exits_1(tmp_path: Path) -> None:
    config = tmp_path / "repwatch.yaml"
    config.write_text("database_url: postgresql://nobody@127.0.0.1:1/none\nbrand: {name: Acme}\n")
    result = runner.invoke(app, ["db", "upgrade", "--config", str(config)])
    assert result.exit_code == 1
    assert "database upgrade failed" in result.output


def test_worker_refuses_a_device_it_does_not_have(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    config = tmp_path / "repwatch.yaml"
    config.write_text(
        f"database_url: sqlite:///{tmp_path}/r.db\nbrand: {{name: Acme}}\n"
        "worker: {metrics_port: null}\nsentiment: {device: cuda}\n"
    )
    result = runner.invoke(app, ["worker", "--config", str(config)])
    assert result.exit_code == 1
    assert "sees no CUDA device" in result.output


def test_unknown_source_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "repwatch.yaml"
    config.write_text(f"database_url: sqlite:///{tmp_path}/r.db\nbrand: {{name: Acme}}\n")
    result = runner.invoke(app, ["crawl", "nope", "--config", str(config)])
    assert result.exit_code == 2
    assert "unknown source 'nope'" in result.output


def _counts(database: Path) -> tuple[int, int, int]:
    with session_scope(f"sqlite:///{database.resolve()}") as session:
        return (
            session.scalar(select(func.count()).select_from(Mention)) or 0,
            session.scalar(select(func.count()).select_from(Alert)) or 0,
            session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
        )


def test_demo_runs_offline_and_a_rerun_duplicates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    workdir = tmp_path / "demo"
    first = runner.invoke(app, ["demo", "--workdir", str(workdir)])
    assert first.exit_code == 0, first.output
    mentions, alerts, queued = _counts(workdir / "repwatch.db")
    assert mentions >= 40
    assert 0 < alerts == queued
    assert "Acknowledge fast" in first.output
    assert "% negative" in first.output or "negative" in first.output

    second = runner.invoke(app, ["demo", "--workdir", str(workdir)])
    assert second.exit_code == 0, second.output
    assert _counts(workdir / "repwatch.db") == (mentions, alerts, queued)
    assert "0 new alert(s)" in second.output
