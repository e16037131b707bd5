"""The named steps of one pass: crawl → score → decide → send.

Each step reads its input from the database and marks its output there, so any
step can crash and rerun without losing or repeating work.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.playbook import load_playbook
from alerts.service import create_alerts
from alerts.sla import queue_reminders
from alerts.source_health import queue_source_health_alert
from config.settings import Settings
from crawler.runner import CrawlSummary, crawl_sources
from delivery.destination import Destination
from delivery.drain import DrainResult, drain_outbox, outbox_sender
from delivery.webhook import WebhookSender
from sentiment.results import ScoreInput, SentimentResult, TextScorer
from storage.db import session_scope
from storage.models import Mention, Source, utcnow
from storage.repository import NewScore, claim_mentions_to_score, store_scores, sync_sources

# Mentions claimed and scored per transaction. Larger chunks sort more texts by length
# before batching (less padding) and pay the chunk's queries less often: 1,024 scored the
# two-worker backlog about 10 % faster than 256, and a fresh complaint still waits at
# most one chunk (about 1.5 s on 2 cores) before the worker decides.
SCORE_CHUNK = 1024
# The PostgreSQL advisory lock deciding holds: any number that no other lock of the
# database's users takes ("rw-decid" as eight ASCII bytes).
DECIDE_LOCK_KEY = 0x72772D6465636964


def due_sources(settings: Settings, now: datetime | None = None) -> list[str]:
    """Names of enabled sources never crawled or whose interval has passed."""
    now = now or datetime.now(UTC)
    with session_scope(settings.database_url) as session:
        sources = sync_sources(session, settings.brand.name, settings.sources)
        return [
            name
            for name, source in sources.items()
            if source.enabled
            and (source.last_run_at is None or source.last_run_at + _interval(source) <= now)
        ]


def _interval(source: Source) -> timedelta:
    return timedelta(seconds=source.every_seconds)


def crawl(settings: Settings, names: Sequence[str] | None = None) -> list[CrawlSummary]:
    """Crawl the named sources (all due ones when None); a source that broke is alerted."""
    selected = list(names) if names is not None else due_sources(settings)
    if not selected:
        return []
    summaries = crawl_sources(settings, selected, progress=None)
    queue_health_alerts(settings, summaries)
    return summaries


def queue_health_alerts(settings: Settings, summaries: Sequence[CrawlSummary]) -> int:
    """Queue one source-health alert per source that broke in these runs."""
    broken = [summary for summary in summaries if summary.became_broken]
    if not broken:
        return 0
    urls = {source.name: source.url for source in settings.sources}
    with session_scope(settings.database_url) as session:
        queued = [
            queue_source_health_alert(
                session,
                summary,
                url=urls.get(summary.source, ""),
                channel=settings.slack.channel,
                now=utcnow(),
            )
            for summary in broken
        ]
    return sum(message_id is not None for message_id in queued)


def text_for_scoring(mention: Mention) -> str:
    """Title and body together: a forum title often carries the complaint."""
    title, body = (mention.title or "").strip(), mention.text.strip()
    if title and not body.startswith(title):
        return f"{title}. {body}" if body else title
    return body


@dataclass(frozen=True)
class ScoredChunk:
    """A committed chunk of scores: how many, and whether any of them could alert (one
    not backfilled: backfilled history is never alerted)."""

    scored: int
    could_alert: bool


def score_pending(settings: Settings, scorer: TextScorer) -> int:
    """Score every mention not yet scored or edited since; returns how many were scored."""
    return sum(chunk.scored for chunk in score_chunks(settings, scorer))


def score_chunks(settings: Settings, scorer: TextScorer) -> Iterator[ScoredChunk]:
    """Score waiting mentions a chunk at a time, newest first, committing each chunk and
    yielding what it held: the caller can decide and send between chunks, so that a fresh
    complaint pages before a backlog is through.

    Each chunk is claimed in its own transaction (``claim_mentions_to_score``), so
    several workers scoring at once on PostgreSQL never score the same mention twice.
    """
    chunk = max(SCORE_CHUNK, settings.sentiment.batch_size)
    while True:
        with session_scope(settings.database_url) as session:
            mentions = claim_mentions_to_score(session, chunk)
            if mentions is None:
                return
            inputs = [
                ScoreInput(text_for_scoring(m), rating=m.rating, lang=m.lang) for m in mentions
            ]
            results = scorer.score(inputs)
            store_scores(
                session, [_new_score(m, r) for m, r in zip(mentions, results, strict=True)]
            )
            could_alert = any(not mention.backfill for mention in mentions)
        yield ScoredChunk(len(mentions), could_alert)


def _new_score(mention: Mention, result: SentimentResult) -> NewScore:
    values = {
        "model": result.model,
        "label": result.label,
        "prob_negative": result.probs["negative"],
        "prob_neutral": result.probs["neutral"],
        "prob_positive": result.probs["positive"],
        "score": result.score,
        "confidence": result.confidence,
        "lang_fallback": result.fallback,
        "scored_at": utcnow(),
    }
    return NewScore(mention, values, result.lang)


def decide(settings: Settings) -> int:
    """Turn scored mentions into alerts queued in the outbox; returns alerts created.

    One worker decides at a time (``hold_decide_lock``): deciding reads which mentions
    have no alert yet and groups them into incidents, and two deciders that could not see
    each other's uncommitted alerts would group the same complaints differently.
    """
    with session_scope(settings.database_url) as session:
        hold_decide_lock(session)
        return create_alerts(session, settings)


def hold_decide_lock(session: Session) -> None:
    """Wait for, then hold until commit, PostgreSQL's lock on deciding (SQLite: no-op;
    it has one writer at a time anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(DECIDE_LOCK_KEY)))


def remind(settings: Settings, now: datetime | None = None) -> tuple[int, int]:
    """Queue reminders for overdue playbook steps; (reminded, escalated)."""
    if not settings.sla.reminders:
        return 0, 0
    with session_scope(settings.database_url) as session:
        return queue_reminders(
            session, now or utcnow(), settings.sla, load_playbook(settings.playbook)
        )


def send(settings: Settings, console: Console) -> DrainResult:
    """Deliver queued messages: to Slack with a token, else to the console; and to the
    configured webhooks."""
    return drain_outbox(settings.database_url, configured_sender(settings, console))


def configured_sender(settings: Settings, console: Console) -> Destination:
    """The outbox's destination for these settings: Slack with a token, else the
    console, and each configured webhook for its webhook:NAME address."""
    token = settings.slack_bot_token
    secret = None if token is None else token.get_secret_value()
    webhooks = {
        webhook.name: WebhookSender(
            webhook.url,
            webhook.secret.get_secret_value() if webhook.secret else "",
            timeout=webhook.timeout,
        )
        for webhook in settings.webhooks
    }
    return outbox_sender(settings.slack_base_url, secret, console, webhooks)


@dataclass(frozen=True)
class PassSummary:
    """What one pass did, for the command line and the logs."""

    crawls: list[CrawlSummary]
    scored: int
    alerts: int
    delivery: DrainResult
