"""The response playbook: steps, target times per severity and drafted replies, as data.

The default lives in ``alerts/playbook.yaml``; a brand can point to its own file. Target
times count from the moment the alert is raised.
"""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from alerts.exceptions import PlaybookError
from alerts.severity import Severity
from config.settings import parse_duration

DEFAULT_LANG = "en"
REPLY_PLACEHOLDERS = frozenset({"author", "brand"})
_MAX_AUTHOR_CHARS = 80

Localized = dict[str, str]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Data):
    """One step of the playbook; `due` is the target time after the alert, per severity."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: Localized
    guidance: Localized
    due: dict[Severity, timedelta]

    @field_validator("due", mode="before")
    @classmethod
    def _durations(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {key: parse_duration(item) for key, item in value.items()}

    @field_validator("due")
    @classmethod
    def _every_severity(cls, value: dict[Severity, timedelta]) -> dict[Severity, timedelta]:
        missing = [severity.value for severity in Severity if severity not in value]
        if missing:
            raise ValueError(f"a target time is needed for every severity, missing: {missing}")
        return value


class Reply(_Data):
    """Drafted first replies per language; `${author}` and `${brand}` are filled in.
    `safety_templates` answer a safety complaint (alerts/risks.yaml): stop using the
    product, how to reach us now; without them the general template is used."""

    templates: Localized
    safety_templates: Localized | None = None
    fallback_author: Localized

    @field_validator("templates", "safety_templates")
    @classmethod
    def _known_placeholders(cls, value: Localized | None) -> Localized | None:
        if value is None:
            return None
        for lang, template in value.items():
            unknown = set(string.Template(template).get_identifiers()) - REPLY_PLACEHOLDERS
            if unknown or not string.Template(template).is_valid():
                raise ValueError(f"{lang}: use only ${{author}} and ${{brand}}, got {unknown}")
        return value


class Playbook(_Data):
    """An ordered list of response steps with translations and reply drafts."""

    name: str
    languages: list[str] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    reply: Reply

    @model_validator(mode="after")
    def _translated(self) -> Playbook:
        if DEFAULT_LANG not in self.languages:
            raise ValueError(f"languages must include {DEFAULT_LANG!r}")
        for index, step in enumerate(self.steps):
            for part in ("title", "guidance"):
                _require_langs(f"steps.{index}.{part}", getattr(step, part), self.languages)
        _require_langs("reply.templates", self.reply.templates, self.languages)
        if self.reply.safety_templates is not None:
            _require_langs("reply.safety_templates", self.reply.safety_templates, self.languages)
        _require_langs("reply.fallback_author", self.reply.fallback_author, self.languages)
        return self

    @model_validator(mode="after")
    def _targets_never_go_down(self) -> Playbook:
        for index in range(1, len(self.steps)):
            before, step = self.steps[index - 1], self.steps[index]
            for severity in Severity:
                if step.due[severity] < before.due[severity]:
                    raise ValueError(
                        f"steps.{index}.due.{severity}: target is earlier than the step before it"
                    )
        return self

    def language(self, lang: str | None) -> str:
        """The playbook language for a mention language such as 'ko', 'ko-KR' or None."""
        primary = (lang or "").split("-")[0].split("_")[0].lower()
        return primary if primary in self.languages else DEFAULT_LANG

    def draft_reply(
        self, lang: str | None, author: str | None, brand: str, *, safety: bool = False
    ) -> str:
        """The first reply to suggest, in the mention's language (never posted for you);
        for a safety complaint, the safety reply when the playbook has one."""
        code = self.language(lang)
        name = " ".join((author or "").split())[:_MAX_AUTHOR_CHARS]
        templates = (safety and self.reply.safety_templates) or self.reply.templates
        template = string.Template(templates[code])
        return template.safe_substitute(
            author=name or self.reply.fallback_author[code], brand=brand
        )


def _require_langs(key: str, texts: Localized, languages: list[str]) -> None:
    missing = [lang for lang in languages if not texts.get(lang, "").strip()]
    if missing:
        raise ValueError(f"{key}: a text is needed for every language, missing: {missing}")


def deadline(step: Step, severity: Severity | str, start: datetime) -> datetime:
    """When `step` is due for an alert of `severity` raised at `start`."""
    return start + step.due[Severity(severity)]


def load_playbook(path: Path | None = None) -> Playbook:
    """Read and validate a playbook file; None means the packaged default playbook."""
    if path is None:
        text = resources.files("alerts").joinpath("playbook.yaml").read_text(encoding="utf-8")
        origin = "the default playbook"
    else:
        text = _read(path)
        origin = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{origin} is not valid YAML: {exc}") from exc
    try:
        return Playbook.model_validate(data)
    except ValidationError as exc:
        raise PlaybookError(_describe(exc, origin)) from exc


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlaybookError(f"cannot read playbook {path}: {exc.strerror}") from exc


def _describe(exc: ValidationError, origin: str) -> str:
    lines = [f"invalid playbook in {origin}:"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        # Whole-playbook checks name their key inside the message.
        lines.append(f"  {key}: {message}" if key else f"  {message}")
    return "\n".join(lines)
