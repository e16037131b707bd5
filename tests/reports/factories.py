"""Tiny factories for report test rows: sources, mentions, scores, alerts, incidents, runs."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import Alert, CrawlRun, Incident, Mention, Score, Source

_ids = itertools.count(1)
_SCORE_PROBS = {
    "negative": (0.8, 0.1, 0.1),
    "neutral": (0.1, 0.8, 0.1),
    "positive": (0.1, 0.1, 0.8),
}


def make_source(
    session: Session, name: str, *, brand: str = "Acme", enabled: bool = True
) -> Source:
    """Add a source of kind rss."""
    source = Source(
        name=name,
        kind="rss",
        url=f"https://{name}.example/feed",
        brand=brand,
        every_seconds=3600,
        enabled=enabled,
    )
    session.add(source)
    session.flush()
    return source


def make_mention(
    session: Session,
    source: Source,
    published_at: datetime | None,
    *,
    fetched_at: datetime | None = None,
    rating: float | None = None,
    label: str | None = None,
    score: float | None = None,
    text: str | None = None,
    title: str | None = None,
    url: str | None = None,
    author: str | None = None,
) -> Mention:
    """Add a mention, scored when `label` is given (`score` defaults by label).

    `fetched_at` defaults to `published_at`; one of them must be given.
    """
    fetched = fetched_at or published_at
    if fetched is None:
        raise ValueError("give published_at or fetched_at")
    number = next(_ids)
    mention = Mention(
        source=source,
        external_id=f"m-{number}",
        text=text or f"mention {number}",
        title=title,
        url=url,
        author=author,
        rating=rating,
        published_at=published_at,
        fetched_at=fetched,
        content_hash=f"hash-{number}",
    )
    session.add(mention)
    if label is not None:
        session.add(_score(mention, label, score))
        mention.needs_score = False
    session.flush()
    return mention


def _score(mention: Mention, label: str, score: float | None) -> Score:
    negative, neutral, positive = _SCORE_PROBS[label]
    return Score(
        mention=mention,
        model="test-model",
        label=label,
        prob_negative=negative,
        prob_neutral=neutral,
        prob_positive=positive,
        score=positive - negative if score is None else score,
        confidence=max(negative, neutral, positive),
        content_hash=mention.content_hash,
    )


def make_alert(
    session: Session,
    source: Source | None,
    severity: str,
    created_at: datetime,
    *,
    acknowledged_at: datetime | None = None,
    resolved_at: datetime | None = None,
    status: str | None = None,
    due_at: datetime | None = None,
    kind: str = "mention",
    incident: Incident | None = None,
) -> Alert:
    """Add an alert; its status follows its timestamps unless given."""
    if status is None:
        status = "resolved" if resolved_at else "acknowledged" if acknowledged_at else "open"
    alert = Alert(
        alert_key=f"test-alert-{next(_ids)}",
        kind=kind,
        source_id=source.id if source else None,
        severity=severity,
        reasons=["test"],
        status=status,
        due_at=due_at,
        created_at=created_at,
        acknowledged_at=acknowledged_at,
        resolved_at=resolved_at,
        incident_id=incident.id if incident else None,
    )
    session.add(alert)
    session.flush()
    return alert


def make_incident(
    session: Session,
    source: Source | None,
    opened_at: datetime,
    *,
    kind: str = "similar",
    severity: str = "P2",
    theme: list[str] | None = None,
    mentions: int = 3,
    resolved_at: datetime | None = None,
) -> Incident:
    """Add an incident, resolved when `resolved_at` is given."""
    incident = Incident(
        incident_key=f"test-incident-{next(_ids)}",
        kind=kind,
        source_id=source.id if source else None,
        severity=severity,
        status="resolved" if resolved_at else "open",
        theme=theme or [],
        mention_count=mentions,
        opened_at=opened_at,
        last_seen_at=opened_at,
        resolved_at=resolved_at,
    )
    session.add(incident)
    session.flush()
    return incident


def make_run(
    session: Session,
    source: Source,
    started_at: datetime,
    *,
    failed: bool = False,
    errors: int = 0,
    new_items: int = 0,
    error: str | None = None,
) -> CrawlRun:
    """Add a finished crawl run."""
    run = CrawlRun(
        source_id=source.id,
        started_at=started_at,
        finished_at=started_at,
        items=new_items,
        new_items=new_items,
        errors=errors,
        outcome="failed" if failed else "ok",
        error_summary=error,
    )
    session.add(run)
    session.flush()
    return run
