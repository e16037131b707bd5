"""Configuration: YAML plus environment, validated with messages that name the key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from config.exceptions import ConfigError
from config.settings import load_settings, parse_duration

GOOD = """
brand: {name: Acme, keywords: [acme]}
sources:
  - {name: news, kind: rss, url: "https://example.com/feed.xml", every: 15m}
slack: {channel: "#rep"}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "repwatch.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads_with_defaults(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, GOOD))
    assert settings.brand.name == "Acme"
    assert settings.sources[0].every == timedelta(minutes=15)
    assert settings.database_url == "sqlite:///repwatch.db"
    assert settings.allow_private_networks is False
    assert settings.slack_base_url == "https://slack.com/api/"


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPWATCH_DATABASE_URL", "postgresql://db/repwatch")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret")
    monkeypatch.setenv("SLACK_CHANNEL", "C123")
    monkeypatch.setenv("REPWATCH_SLACK_BASE_URL", "http://127.0.0.1:9/api/")
    settings = load_settings(_write(tmp_path, GOOD))
    assert settings.database_url == "postgresql://db/repwatch"
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-secret"
    assert "xoxb-secret" not in repr(settings)
    assert settings.slack.channel == "C123"
    assert settings.slack_base_url == "http://127.0.0.1:9/api/"


def test_metrics_listen_on_loopback_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings(_write(tmp_path, GOOD)).worker.metrics_host == "127.0.0.1"
    monkeypatch.setenv("REPWATCH_METRICS_HOST", "0.0.0.0")
    assert load_settings(_write(tmp_path, GOOD)).worker.metrics_host == "0.0.0.0"


def test_empty_environment_values_mean_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docker compose passes `SLACK_BOT_TOKEN=` when .env leaves it blank.
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    monkeypatch.setenv("SLACK_CHANNEL", "")
    settings = load_settings(_write(tmp_path, GOOD))
    assert settings.slack_bot_token is None
    assert settings.slack.channel == "#rep"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("brand: {name: Acme}\nslak: {channel: x}\n", "slak: unknown key"),
        (GOOD.replace("kind: rss", "kind: gopher"), "sources.0.kind"),
        (GOOD.replace("every: 15m", "every: often"), "sources.0.every"),
        (GOOD.replace("https://example.com", "file:///etc"), "sources.0.url"),
        ("rules: {negative_threshold: 3}\n", "rules.negative_threshold"),
        ("report: {weekday: funday}\n", "report.weekday"),
        ("report: {timezone: Mars/Olympus}\n", "report.timezone"),
        ("sentiment: {device: gpu}\n", "sentiment.device"),
        ("sentiment: {dtype: float8}\n", "sentiment.dtype"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("brand: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_settings(_write(tmp_path, text))


def test_duplicate_source_names_are_refused(tmp_path: Path) -> None:
    extra = '  - {name: news, kind: schemaorg, url: "https://example.com/p"}\nslack:'
    text = GOOD.replace("slack:", extra)
    with pytest.raises(ConfigError, match="repeated: news"):
        load_settings(_write(tmp_path, text))


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90s", timedelta(seconds=90)), ("6h", timedelta(hours=6)), (60, timedelta(minutes=1))],
)
def test_durations(text: str | int, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_redis_url_comes_from_the_environment_and_must_be_redis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings(_write(tmp_path, GOOD)).redis_url is None
    monkeypatch.setenv("REPWATCH_REDIS_URL", "redis://redis:6379/0")
    assert load_settings(_write(tmp_path, GOOD)).redis_url == "redis://redis:6379/0"
    monkeypatch.setenv("REPWATCH_REDIS_URL", "")  # compose's blank value: crawl alone
    assert load_settings(_write(tmp_path, GOOD)).redis_url is None
    monkeypatch.setenv("REPWATCH_REDIS_URL", "http://redis:6379")
    with pytest.raises(ConfigError, match=r"redis_url: .*must be a redis://, rediss://"):
        load_settings(_write(tmp_path, GOOD))


WEBHOOKS = (
    GOOD
    + """
webhooks:
  - {name: ops-pager, url: "https://hooks.example.com/repwatch"}
routes:
  - {severity: [P1, P2], to: "webhook:ops-pager"}
  - {sources: [news], to: "#news-alerts"}
"""
)


def test_a_webhook_secret_comes_from_its_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPWATCH_WEBHOOK_SECRET_OPS_PAGER", "whsec-1")

    settings = load_settings(_write(tmp_path, WEBHOOKS))

    (webhook,) = settings.webhooks
    assert webhook.secret is not None and webhook.secret.get_secret_value() == "whsec-1"
    assert [route.to for route in settings.routes] == ["webhook:ops-pager", "#news-alerts"]
    assert "whsec-1" not in repr(settings) and "secret" not in settings.model_dump()["webhooks"][0]


def test_a_webhook_without_its_secret_names_the_variable_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REPWATCH_WEBHOOK_SECRET_OPS_PAGER", raising=False)
    with pytest.raises(ConfigError, match="set REPWATCH_WEBHOOK_SECRET_OPS_PAGER"):
        load_settings(_write(tmp_path, WEBHOOKS))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('url: "https://hooks', 'secret: x, url: "https://hooks'), r"\.0\.secret: secrets never"),
        (('to: "webhook:ops-pager"', 'to: "webhook:pager"'), "no webhook named 'pager'"),
        (("sources: [news]", "sources: [blog]"), r"routes\.1\.sources: no source named blog"),
        (("severity: [P1, P2]", "severity: [P0]"), r"routes\.0\.severity\.0"),
        (('url: "https://hooks', 'url: "ftp://hooks'), r"webhooks\.0\.url"),
    ],
)
def test_bad_routes_and_webhooks_name_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str], message: str
) -> None:
    monkeypatch.setenv("REPWATCH_WEBHOOK_SECRET_OPS_PAGER", "whsec-1")
    with pytest.raises(ConfigError, match=message):
        load_settings(_write(tmp_path, WEBHOOKS.replace(*change)))
