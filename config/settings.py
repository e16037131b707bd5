"""One place for configuration: defaults, the YAML file and the environment.

`load_settings` is the only function in repwatch that reads the environment.
Every default lives in the models below, each field documented. Environment
variables override the YAML file:

=============================== ==============================
environment variable            setting
=============================== ==============================
``REPWATCH_DATABASE_URL``       ``database_url``
``REPWATCH_ALLOW_PRIVATE_NETWORKS`` ``allow_private_networks``
``REPWATCH_MODEL``              ``model``
``REPWATCH_REDIS_URL``          ``redis_url`` (shared crawl queue; docs/scaling.md)
``REPWATCH_SLACK_BASE_URL``     ``slack_base_url``
``SLACK_BOT_TOKEN``             ``slack_bot_token`` (secret, never in YAML)
``SLACK_APP_TOKEN``             ``slack_app_token`` (secret, never in YAML)
``SLACK_SIGNING_SECRET``        ``slack_signing_secret`` (secret, never in YAML)
``SLACK_CHANNEL``               ``slack.channel``
``REPWATCH_METRICS_HOST``       ``worker.metrics_host``
``REPWATCH_WEBHOOK_SECRET_<NAME>`` the signing secret of webhook NAME (secret)
``NAVER_CLIENT_ID``             ``naver_client_id`` (kind naver; secret)
``NAVER_CLIENT_SECRET``         ``naver_client_secret`` (kind naver; secret)
``YOUTUBE_API_KEY``             ``youtube_api_key`` (kind youtube; secret)
``GOOGLE_APPLICATION_CREDENTIALS`` ``google_application_credentials`` (kind googleplay; key file)
``BLUESKY_HANDLE``              ``bluesky_handle`` (kind bluesky, optional: sign in)
``BLUESKY_APP_PASSWORD``        ``bluesky_app_password`` (kind bluesky, optional; secret)
=============================== ==============================
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from config.exceptions import ConfigError, InvalidScheduleError
from config.schedule import time_zone, weekday_number

DEFAULT_CONFIG_FILE = Path("repwatch.yaml")
# The spider kinds a source can name (each has a spider in crawler/spiders/ of that name).
SourceKind = Literal[
    "rss",
    "schemaorg",
    "appstore",
    "hn",
    "reddit",
    "mastodon",
    "trustpilot",
    "naver",
    "bluesky",
    "youtube",
    "googleplay",
    "custom",
]
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)
# Kinds whose results are general chatter: by default only brand-keyword matches are kept.
KEYWORD_FILTERED_KINDS = ("hn", "reddit", "mastodon", "naver", "bluesky")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
SeverityName = Literal["P1", "P2", "P3", "P4"]


def _slug(value: str) -> str:
    if not _SOURCE_NAME.match(value):
        raise ValueError("use lower case letters, digits, '-', '_' or '.', e.g. 'acme-news'")
    return value


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError("must be an http:// or https:// URL")
    return value


# A short name (a source, a webhook) and a URL a crawl or a delivery may fetch.
Slug = Annotated[str, AfterValidator(_slug)]
HttpUrlText = Annotated[str, AfterValidator(_http_url)]


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """Read "90s", "15m", "6h", "1d", "2w" or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration; write e.g. 90s, 15m, 6h, 1d or 2w")
    amount, unit = match.groups()
    return timedelta(**{_DURATION_UNITS[unit]: int(amount)})


def _read_duration(value: Any) -> Any:
    # An ISO 8601 duration ("P1D") is how a crawl job serialises settings; pydantic reads those.
    return value if isinstance(value, str) and value.startswith("P") else parse_duration(value)


# A duration field: "90s", "15m", "6h", "1d", "2w", a number of seconds, or ISO 8601.
Duration = Annotated[timedelta, BeforeValidator(_read_duration)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BrandConfig(_Section):
    """The brand being watched."""

    name: str = Field(min_length=1, description="Brand name shown in alerts and reports.")
    keywords: list[str] = Field(
        default_factory=list, description="Words that identify a mention of the brand."
    )


class SourceConfig(_Section):
    """One configured source; its `kind` selects the spider."""

    name: Slug = Field(description="Unique short name: lower case letters, digits, '-', '_', '.'.")
    kind: SourceKind = Field(description="Spider kind.")
    url: HttpUrlText = Field(description="Start URL (http or https).")
    every: Duration = Field(default=timedelta(hours=1), description="Crawl interval, e.g. 15m.")
    enabled: bool = True
    match_keywords: bool | None = Field(
        default=None,
        description="Keep only items matching the keywords; default: on for hn, reddit, "
        "mastodon, naver and bluesky (searches that also return other chatter).",
    )
    keywords: list[str] | None = Field(
        default=None, description="Keywords for this source; default: the brand's keywords."
    )
    max_pages: int | None = Field(
        default=None, ge=1, le=100, description="Pages followed per crawl; default per kind."
    )
    spider: str | None = Field(
        default=None,
        description="kind custom: 'package.module:SpiderClass' or a 'repwatch.spiders' "
        "entry point name.",
    )
    backfill_window: Duration | None = Field(
        default=None, description="Overrides crawl.backfill_window for this source."
    )

    @model_validator(mode="after")
    def _custom_names_its_spider(self) -> SourceConfig:
        if (self.kind == "custom") != (self.spider is not None):
            raise ValueError(
                "'spider' names a custom spider: set it for kind custom "
                "(e.g. 'mypkg.spiders:MySpider') and only there"
            )
        return self

    def filters_keywords(self) -> bool:
        """Whether only keyword matches are kept (explicit setting, else the kind's default)."""
        if self.match_keywords is not None:
            return self.match_keywords
        return self.kind in KEYWORD_FILTERED_KINDS


class SlackConfig(_Section):
    """Where alerts go. The token comes from SLACK_BOT_TOKEN, never from this file."""

    channel: str = Field(default="#reputation", description="Channel name or id for alerts.")


# An alert address naming a webhook rather than a Slack channel: webhook:NAME.
WEBHOOK_ADDRESS = "webhook:"


def webhook_secret_variable(name: str) -> str:
    """The environment variable holding a webhook's signing secret:
    ``REPWATCH_WEBHOOK_SECRET_OPS`` for webhook ``ops`` (``-`` and ``.`` become ``_``)."""
    return "REPWATCH_WEBHOOK_SECRET_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


class WebhookConfig(_Section):
    """A generic JSON webhook alerts can be routed to (``to: webhook:NAME``). Each POST is
    signed with HMAC-SHA256; the secret comes from REPWATCH_WEBHOOK_SECRET_<NAME>, never
    from this file."""

    name: Slug = Field(description="Short name, used as webhook:NAME in routes.")
    url: HttpUrlText = Field(description="Where to POST (http or https).")
    timeout: float = Field(default=10.0, gt=0, le=120, description="Seconds to wait for an answer.")
    secret: SecretStr | None = Field(default=None, exclude=True)


class RouteConfig(_Section):
    """Where alerts of some severities or sources go instead of slack.channel. Routes
    are tried in order; the first that matches wins."""

    severity: list[SeverityName] | None = Field(
        default=None, description="Severities this route takes, e.g. [P1]; empty: all."
    )
    sources: list[str] | None = Field(
        default=None, description="Source names this route takes; empty: all."
    )
    to: str = Field(description="A Slack channel ('#incidents', an id) or webhook:NAME.")

    def matches(self, severity: str, source: str | None) -> bool:
        """Whether an alert of `severity` from `source` (None: several sources) goes here."""
        if self.severity and severity not in self.severity:
            return False
        return not self.sources or source in self.sources


class RulesConfig(_Section):
    """When a scored mention becomes an alert, and what raises its severity."""

    negative_threshold: float = Field(
        default=0.6, ge=0.0, le=1.0, description="Alert when P(negative) reaches this."
    )
    alert_max_rating: float | None = Field(
        default=2.0, ge=1.0, le=5.0, description="Alert on ratings at or below this (1-5)."
    )
    keywords: list[str] = Field(
        default_factory=list,
        description="Words or phrases (case-insensitive) that alert even below the threshold, "
        "when P(negative) reaches keyword_threshold.",
    )
    keyword_threshold: float = Field(
        default=0.3, ge=0.0, le=1.0, description="P(negative) a keyword match needs to alert."
    )
    risks_file: Path | None = Field(
        default=None,
        description="Your own risks (the format of alerts/risks.yaml), added to the built-in "
        "taxonomy: words that page at a severity floor whatever the tone.",
    )
    brands: list[str] = Field(
        default_factory=list, description="Alert only on sources of these brands; empty: all."
    )
    sources: list[str] = Field(
        default_factory=list, description="Alert only on these source names; empty: all."
    )
    languages: list[str] = Field(
        default_factory=list,
        description="Alert only on mentions in these languages (en, ko, ...); empty: all. "
        "Mentions whose language is unknown always pass.",
    )
    reach_high: int = Field(
        default=100, ge=1, description="Votes + comments + shares that add 1 severity point."
    )
    reach_viral: int = Field(
        default=1000, ge=1, description="Votes + comments + shares that add 2 severity points."
    )
    followers_high: int = Field(
        default=10_000, ge=1, description="Author followers that add 1 severity point."
    )
    followers_viral: int = Field(
        default=100_000, ge=1, description="Author followers that add 2 severity points."
    )
    recurrence_window: Duration = Field(
        default=timedelta(days=7),
        description="How far back similar negative mentions of the same source count as "
        "recurrence, e.g. 7d.",
    )
    recurrence_min: int = Field(
        default=2, ge=1, description="Similar earlier complaints that add 1 severity point."
    )


class IncidentsConfig(_Section):
    """When many negative mentions become one incident alert instead of a flood."""

    enabled: bool = Field(default=True, description="Group spikes and similar complaints.")
    spike_window: Duration = Field(
        default=timedelta(hours=24), description="Recent window compared to the baseline."
    )
    baseline_days: int = Field(
        default=7, ge=1, le=90, description="Days before the window that form the baseline."
    )
    spike_k: float = Field(
        default=3.0, ge=0.0, description="A spike is above baseline mean + k standard deviations."
    )
    spike_min_count: int = Field(
        default=5, ge=2, description="A spike needs at least this many negative mentions."
    )
    similar_window: Duration = Field(
        default=timedelta(days=3), description="How far back similar complaints are linked."
    )
    similar_min_mentions: int = Field(
        default=3, ge=2, description="Similar complaints that open an incident."
    )
    similarity: float = Field(
        default=0.35, gt=0.0, le=1.0, description="Word overlap (Jaccard) that makes two similar."
    )
    cooldown: Duration = Field(
        default=timedelta(hours=6),
        description="After a source's spike incident opens, no new spike incident for it "
        "until this has passed.",
    )


class SlaConfig(_Section):
    """Reminders when a playbook step is overdue, and escalation to a manager group."""

    reminders: bool = Field(default=True, description="Remind in the alert's thread.")
    manager_group: str | None = Field(
        default=None,
        pattern=r"^S[A-Z0-9]{2,}$",
        description="Slack user group id (S...) mentioned when an escalating alert is overdue.",
    )
    escalate: list[SeverityName] = Field(
        default=["P1", "P2"], description="Severities that escalate when overdue."
    )


class RefitConfig(_Section):
    """The scheduled refit from responders' corrections (docs/model-card.md, "Refits")."""

    enabled: bool = Field(default=True, description="Refit on a schedule in the worker.")
    every: Duration = Field(default=timedelta(days=7), description="How often, e.g. 7d.")
    window: Duration = Field(
        default=timedelta(days=28),
        description="Corrections and star-rated mentions of this long back are learned from.",
    )
    min_corrections: int = Field(
        default=10, ge=1, description="Corrections in the window needed before a refit runs."
    )
    max_rated_mentions: int = Field(
        default=4000, ge=0, description="Newest star-rated mentions (1-2 / 4-5) used beside them."
    )
    max_false_alarms: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="The threshold is the one that pages the most complaints while at most "
        "this share of praise pages.",
    )


class SentimentConfig(_Section):
    """How the scorer runs."""

    batch_size: int = Field(default=32, ge=1, le=1024)
    max_length: int = Field(default=256, ge=8, le=4096, description="Tokens kept per text.")
    num_threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU scoring threads, each scoring one batch at a time (default: one "
        "per core, as torch counts them).",
    )
    quantize: bool | None = Field(
        default=None,
        description="int8 dynamic quantisation of the models' Linear layers (CPU only); "
        "unset: on when the models run on the CPU in float32, off otherwise.",
    )
    device: str = Field(
        default="cpu",
        pattern=r"^(cpu|auto|mps|cuda(:\d+)?)$",
        description="Where the models run: cpu, cuda, cuda:N, mps, or auto (CUDA when present).",
    )
    dtype: Literal["float32", "float16", "bfloat16"] = Field(
        default="float32", description="Model precision; float16/bfloat16 suit a GPU."
    )
    models_by_lang: dict[str, str] = Field(
        default_factory=lambda: {"ko": "starter-ko"},
        description="A model per language code; other languages go to `model`. Default: "
        "Korean to the bundled Korean model; {} scores everything with `model`.",
    )
    default_languages: list[str] = Field(
        default=["en"],
        description="Languages `model` is meant for; others without a model of their own "
        "are scored by it and recorded as a fallback.",
    )
    refit: RefitConfig = Field(default_factory=RefitConfig)


class CrawlConfig(_Section):
    """Crawler politeness limits shared by every spider."""

    user_agent: str = Field(
        default="repwatch/0.1 (+https://github.com/repwatch/repwatch; reputation monitor)"
    )
    concurrent_requests_per_domain: int = Field(default=2, ge=1, le=32)
    download_timeout: int = Field(default=30, ge=1, le=600, description="Seconds.")
    max_response_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    autothrottle: bool = True
    autothrottle_start_delay: float = Field(
        default=1.0, ge=0.0, le=60.0, description="Seconds; AutoThrottle's first delay."
    )
    obey_robots_txt: bool = True
    backfill_window: Duration = Field(
        default=timedelta(days=1),
        description="On a source's first crawl, items published before this long ago are "
        "backfill: stored as history and baseline, never alerted.",
    )


class WorkerConfig(_Section):
    """The long-running worker (`repwatch worker`)."""

    process_every: Duration = Field(
        default=timedelta(seconds=30),
        description="How often to score, decide and send even when no crawl finished.",
    )
    jitter: float = Field(
        default=0.1, ge=0.0, le=0.5, description="Random share of a source's interval added."
    )
    shutdown_timeout: Duration = Field(
        default=timedelta(seconds=25), description="Longest wait for in-flight work on stop."
    )
    crawl: bool = Field(
        default=True,
        description="Run the sources' crawl jobs; false: only score, decide and send "
        "(a scoring worker, e.g. on a GPU host, beside crawling workers).",
    )
    metrics_port: int | None = Field(
        default=9108, ge=1, le=65535, description="Prometheus /metrics port; null disables."
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        description="Address the metrics server binds; 0.0.0.0 to be reached from other "
        "hosts (the compose file sets it through REPWATCH_METRICS_HOST).",
    )


class ReportConfig(_Section):
    """The weekly report the worker writes and posts (`repwatch report weekly`)."""

    enabled: bool = Field(default=True, description="Run the weekly report in the worker.")
    weekday: str = Field(default="monday", description="Day it runs, e.g. monday.")
    hour: int = Field(default=9, ge=0, le=23, description="Hour it runs, on the time zone's clock.")
    timezone: str = Field(default="UTC", description="IANA time zone, e.g. Europe/Berlin.")
    weeks: int = Field(default=8, ge=1, le=520, description="ISO weeks the report covers.")
    out: Path = Field(default=Path("reports-out"), description="Folder for HTML, CSV and PNG.")
    post: bool = Field(default=True, description="Post the digest and chart to Slack.")

    @field_validator("weekday")
    @classmethod
    def _weekday_known(cls, value: str) -> str:
        try:
            weekday_number(value)
        except InvalidScheduleError as exc:
            raise ValueError(str(exc)) from exc
        return value.strip().lower()

    @field_validator("timezone")
    @classmethod
    def _zone_known(cls, value: str) -> str:
        try:
            time_zone(value)
        except InvalidScheduleError as exc:
            raise ValueError(str(exc)) from exc
        return value


def _from_env(variable: str, *, exclude: bool = False) -> Any:
    """A setting read only from the environment variable `variable` (unset: None)."""
    return Field(default=None, validation_alias=AliasChoices(variable), exclude=exclude)


class Settings(BaseSettings):
    """Everything repwatch can be told. Unknown keys are refused."""

    # An empty variable (SLACK_BOT_TOKEN= in .env) means unset, not an empty secret.
    model_config = SettingsConfigDict(env_prefix="REPWATCH_", extra="forbid", env_ignore_empty=True)

    database_url: str = Field(
        default="sqlite:///repwatch.db", description="SQLAlchemy URL; SQLite file by default."
    )
    allow_private_networks: bool = Field(
        default=False, description="Let sources reach private, loopback and metadata addresses."
    )
    model: str = Field(
        default="starter", description="'starter', a local model directory or a hub id."
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for crawling with several workers (scrapy-redis): a shared request "
        "queue and dupe filter per source and run, e.g. redis://redis:6379/0; empty: each "
        "worker crawls on its own (docs/scaling.md).",
    )
    slack_base_url: str = Field(default="https://slack.com/api/")
    slack_bot_token: SecretStr | None = _from_env("SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = _from_env("SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = _from_env("SLACK_SIGNING_SECRET")
    slack_channel_override: str | None = _from_env("SLACK_CHANNEL", exclude=True)
    # Source credentials: only the crawler process of a source that needs one gets it.
    naver_client_id: SecretStr | None = _from_env("NAVER_CLIENT_ID")
    naver_client_secret: SecretStr | None = _from_env("NAVER_CLIENT_SECRET")
    youtube_api_key: SecretStr | None = _from_env("YOUTUBE_API_KEY")
    google_application_credentials: Path | None = _from_env("GOOGLE_APPLICATION_CREDENTIALS")
    bluesky_handle: str | None = _from_env("BLUESKY_HANDLE")
    bluesky_app_password: SecretStr | None = _from_env("BLUESKY_APP_PASSWORD")
    metrics_host_override: str | None = _from_env("REPWATCH_METRICS_HOST", exclude=True)
    brand: BrandConfig = Field(default_factory=lambda: BrandConfig(name="my brand"))
    sources: list[SourceConfig] = Field(default_factory=list)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    webhooks: list[WebhookConfig] = Field(default_factory=list)
    routes: list[RouteConfig] = Field(default_factory=list)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    worker: WorkerConfig = Field(default_factory=WorkerConfig)
    incidents: IncidentsConfig = Field(default_factory=IncidentsConfig)
    sla: SlaConfig = Field(default_factory=SlaConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    playbook: Path | None = Field(
        default=None, description="Response playbook YAML; empty: the packaged default."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The YAML file arrives as init arguments; the environment overrides it.
        return (env_settings, init_settings)

    @field_validator("redis_url")
    @classmethod
    def _redis_url_scheme(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.match(r"^(redis|rediss|unix)://", value):
            raise ValueError(
                "must be a redis://, rediss:// or unix:// URL, e.g. redis://redis:6379"
            )
        return value

    @model_validator(mode="after")
    def _apply_environment_overrides(self) -> Settings:
        if self.slack_channel_override:
            self.slack.channel = self.slack_channel_override
        if self.metrics_host_override:
            self.worker.metrics_host = self.metrics_host_override
        return self

    @model_validator(mode="after")
    def _routes_name_what_exists(self) -> Settings:
        webhooks = [webhook.name for webhook in self.webhooks]
        repeated = sorted({name for name in webhooks if webhooks.count(name) > 1})
        if repeated:
            raise ValueError(f"webhooks: names must be unique, repeated: {', '.join(repeated)}")
        sources = {source.name for source in self.sources}
        for number, route in enumerate(self.routes):
            target = route.to.removeprefix(WEBHOOK_ADDRESS)
            if route.to.startswith(WEBHOOK_ADDRESS) and target not in webhooks:
                known = ", ".join(webhooks) or "none"
                raise ValueError(
                    f"routes.{number}.to: no webhook named {target!r} (webhooks: {known})"
                )
            unknown = sorted(set(route.sources or ()) - sources)
            if unknown:
                raise ValueError(f"routes.{number}.sources: no source named {', '.join(unknown)}")
        return self

    @model_validator(mode="after")
    def _source_names_unique(self) -> Settings:
        names = [source.name for source in self.sources]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"sources: names must be unique, repeated: {', '.join(duplicates)}")
        return self


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys, not a list or text")
    return data


def describe_validation_error(exc: ValidationError, origin: str) -> str:
    """Turn a pydantic error into lines that name each key, its value and the fix."""
    lines = [f"invalid configuration in {origin}:"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key; check its spelling against the README's configuration section"
        value = error.get("input")
        shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
        if any(word in key for word in ("token", "secret", "api_key", "client_id", "password")):
            shown = ""
        lines.append(f"  {key}: {message}{shown}")
    return "\n".join(lines)


def load_settings(config_file: Path | None = None) -> Settings:
    """Read the YAML file (if any) and the environment; raise ConfigError if invalid.

    With no file given, ``repwatch.yaml`` in the working directory is used when present.
    """
    path = config_file
    if path is None and DEFAULT_CONFIG_FILE.exists():
        path = DEFAULT_CONFIG_FILE
    data = _read_yaml(path) if path is not None else {}
    origin = str(path) if path is not None else "the environment"
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, origin)) from exc
    return _with_webhook_secrets(settings, data, origin)


def _with_webhook_secrets(settings: Settings, data: dict[str, Any], origin: str) -> Settings:
    """Each webhook's signing secret, from its environment variable only."""
    for number, webhook in enumerate(data.get("webhooks") or []):
        if isinstance(webhook, dict) and "secret" in webhook:
            variable = webhook_secret_variable(str(webhook.get("name", "")))
            raise ConfigError(
                f"invalid configuration in {origin}:\n  webhooks.{number}.secret: secrets "
                f"never go in the file; set {variable} in the environment"
            )
    for webhook in settings.webhooks:
        variable = webhook_secret_variable(webhook.name)
        value = os.environ.get(variable)
        if not value:
            raise ConfigError(
                f"webhook {webhook.name!r} has no signing secret: set {variable} in the "
                "environment (a long random string the receiver also knows)"
            )
        webhook.secret = SecretStr(value)
    return settings
