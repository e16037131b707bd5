"""The commands: `repwatch rules test` (and the replay behind it), `repwatch slack listen`,
and the Slack app manifest they rely on."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner

from alerts.replay import replay_rules
from config.settings import BrandConfig, Settings
from repwatch.cli import app
from storage.db import session_scope
from storage.models import Alert, OutboxMessage, utcnow
from tests.alerts.factories import NOW, make_mention, make_score, make_source

SETTINGS = Settings(brand=BrandConfig(name="Acme"))
CHARGER = "My X200 charger overheats and stopped charging after {} days."
runner = CliRunner()
MANIFEST = Path(__file__).parents[2] / "slack-app-manifest.yaml"


def store_month(url: str, end: datetime = NOW) -> None:
    """A month of mentions: a flood of similar complaints, a fire, noise and praise."""
    with session_scope(url) as session:
        source = make_source(session, name="shop")
        for n in range(12):  # two days of charger complaints, one every four hours
            at = end - timedelta(hours=4 * n + 1)
            mention = make_mention(session, source, text=CHARGER.format(n), published_at=at)
            make_score(session, mention, prob_negative=0.9)
        fire = make_mention(
            session,
            source,
            text="It caught fire.",
            rating=1,
            published_at=end - timedelta(days=10),
        )
        make_score(session, fire, prob_negative=0.97)
        meh = make_mention(session, source, text="Slow.", published_at=end - timedelta(days=20))
        make_score(session, meh, prob_negative=0.65)
        for n in range(5):
            happy = make_mention(
                session, source, text=f"Love it {n}", published_at=end - timedelta(days=n)
            )
            make_score(session, happy, prob_negative=0.02)


def test_replay_counts_alerts_and_incidents_and_writes_nothing(alerts_db: str) -> None:
    store_month(alerts_db)
    with session_scope(alerts_db) as session:
        result = replay_rules(session, SETTINGS, NOW - timedelta(days=30), NOW)
        alerts = session.scalar(select(func.count()).select_from(Alert))
        queued = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert (alerts, queued) == (0, 0)
    assert result.mentions == 14  # praise never looks negative
    # The first two charger complaints page alone; the third opens the incident.
    assert result.incidents == Counter({"P2": 1})
    assert result.alerts == Counter({"P1": 1, "P3": 2, "P4": 1})
    assert result.grouped == 10 and result.total == 5


def test_replay_of_a_shorter_period_sees_less(alerts_db: str) -> None:
    store_month(alerts_db)
    with session_scope(alerts_db) as session:
        result = replay_rules(session, SETTINGS, NOW - timedelta(days=15), NOW)
    assert result.alerts["P4"] == 0 and result.alerts["P1"] == 1


def test_rules_test_command_prints_counts_per_severity(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_month(sqlite_url, end=utcnow())
    config = tmp_path / "repwatch.yaml"
    config.write_text(f"database_url: {sqlite_url}\nbrand:\n  name: Acme\n", encoding="utf-8")
    monkeypatch.delenv("REPWATCH_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["rules", "test", "--since", "30d", "--config", str(config)])
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.replace("│", " ").split()) for line in result.output.splitlines()]
    assert "P1 1 0" in lines and "P2 0 1" in lines and "P3 2 0" in lines and "total 4 1" in lines
    assert "10 folded into incidents without paging; 5 message(s) would have paged." in " ".join(
        lines
    )
    assert "Nothing was sent." in result.output


def test_rules_test_refuses_a_bad_duration(tmp_path: Path) -> None:
    config = tmp_path / "repwatch.yaml"
    config.write_text(f"database_url: sqlite:///{tmp_path / 'x.db'}\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "test", "--since", "a month", "--config", str(config)])
    assert result.exit_code == 2
    assert "is not a duration" in result.output


def test_rules_test_on_a_database_never_migrated_says_what_to_run(tmp_path: Path) -> None:
    config = tmp_path / "repwatch.yaml"
    config.write_text(f"database_url: sqlite:///{tmp_path / 'new.db'}\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "test", "--config", str(config)])
    assert result.exit_code == 1
    assert "no such table: mentions" in result.output
    assert "run `repwatch db upgrade`" in result.output
    assert "SELECT" not in result.output


def test_slack_listen_without_an_app_token_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    config = tmp_path / "repwatch.yaml"
    config.write_text("brand:\n  name: Acme\n", encoding="utf-8")
    result = runner.invoke(app, ["slack", "listen", "--config", str(config)])
    assert result.exit_code == 2
    assert "SLACK_APP_TOKEN is not set" in result.output


def test_slack_app_manifest_declares_what_repwatch_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "files:write", "users:read", "usergroups:read"} <= scopes
    assert {"channels:history", "groups:history"} <= scopes  # the check after a crash
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert settings["socket_mode_enabled"] is True
