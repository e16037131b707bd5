"""The typed values alert messages are rendered from, built from stored rows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from alerts.playbook import Playbook, deadline
from alerts.rules import Decision, is_safety_alert
from alerts.severity import Severity
from storage.models import Mention, Score


@dataclass(frozen=True)
class StepView:
    """One playbook step as shown in an alert, with its deadline."""

    number: int
    title: str
    guidance: str
    due_at: datetime


@dataclass(frozen=True)
class RelatedView:
    """Another mention shown with an alert: a similar complaint or an incident's evidence."""

    source_name: str
    author: str | None
    rating: float | None
    quote: str
    url: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class AlertState:
    """Where the response stands: who holds the alert and what has been done."""

    alert_id: int
    status: str = "open"
    assignee: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    incident_id: int | None = None

    @property
    def closed(self) -> bool:
        """Resolved or dismissed: no buttons any more."""
        return self.status in ("resolved", "dismissed")


@dataclass(frozen=True)
class AlertView:
    """Everything an alert message shows; texts are raw here and escaped when rendered."""

    severity: Severity
    source_name: str
    author: str | None
    rating: float | None
    title: str | None
    quote: str
    url: str | None
    sentiment_label: str
    sentiment_score: float
    prob_negative: float
    confidence: float
    reasons: list[str]
    steps: list[StepView]
    current_step: int
    drafted_reply: str
    lang: str
    model: str
    published_at: datetime | None = None
    state: AlertState | None = None
    related: list[RelatedView] = field(default_factory=list)
    app_details: str | None = None  # app version, device, OS of an app-store review

    @property
    def current(self) -> StepView | None:
        """The step the responder is on, if the playbook has it."""
        return next((step for step in self.steps if step.number == self.current_step), None)


@dataclass(frozen=True)
class IncidentView:
    """An incident alert: many related negative mentions shown as one."""

    severity: Severity
    kind: str
    source_name: str
    theme: list[str]
    reasons: list[str]
    mention_count: int
    evidence: list[RelatedView]
    steps: list[StepView]
    current_step: int
    lang: str
    opened_at: datetime
    drafted_reply: str = ""
    state: AlertState | None = None


def step_views(
    playbook: Playbook, severity: Severity, lang: str, start: datetime
) -> list[StepView]:
    """The playbook's steps in `lang` with their deadlines for an alert raised at `start`."""
    return [
        StepView(
            number=index,
            title=step.title[lang],
            guidance=step.guidance[lang],
            due_at=deadline(step, severity, start),
        )
        for index, step in enumerate(playbook.steps, start=1)
    ]


def related_view(mention: Mention) -> RelatedView:
    """A mention as a line of evidence."""
    return RelatedView(
        source_name=mention.source.name,
        author=mention.author,
        rating=mention.rating,
        quote=mention.text,
        url=mention.url,
        published_at=mention.published_at,
    )


# The app details a Google Play review carries (crawler/parsing/googleplay.py keeps them
# in the raw excerpt under Google's own names), in the order shown.
_APP_DETAILS = (("appVersionName", "v{}"), ("device", "{}"), ("androidOsVersion", "Android API {}"))


def app_details(raw_excerpt: str | None) -> str | None:
    """ "v1.0 · CPH1729 · Android API 25" from a review's raw excerpt, or None."""
    try:
        data = json.loads(raw_excerpt) if raw_excerpt else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    parts = [
        form.format(data[key]) for key, form in _APP_DETAILS if data.get(key) not in (None, "")
    ]
    return " · ".join(parts) or None


def build_alert_view(
    mention: Mention,
    score: Score,
    decision: Decision,
    playbook: Playbook,
    *,
    brand: str,
    start: datetime,
    current_step: int = 1,
    state: AlertState | None = None,
    related: list[RelatedView] | None = None,
) -> AlertView:
    """The view of an alert on `mention`, raised at `start`."""
    lang = playbook.language(mention.lang)
    return AlertView(
        severity=decision.severity,
        source_name=mention.source.name,
        author=mention.author,
        rating=mention.rating,
        title=mention.title,
        quote=mention.text,
        url=mention.url,
        sentiment_label=score.label,
        sentiment_score=score.score,
        prob_negative=score.prob_negative,
        confidence=score.confidence,
        reasons=list(decision.reasons),
        steps=step_views(playbook, decision.severity, lang, start),
        current_step=current_step,
        drafted_reply=playbook.draft_reply(
            mention.lang, mention.author, brand, safety=is_safety_alert(decision.reasons)
        ),
        lang=lang,
        model=score.model,
        published_at=mention.published_at,
        state=state,
        related=related or [],
        app_details=app_details(mention.raw_excerpt),
    )
