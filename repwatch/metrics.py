"""Prometheus metrics of the worker, on a registry of its own (one per worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.runner import CrawlSummary
from storage.models import Alert, Mention, OutboxMessage, Score, Source

HEALTH_STATES = ("new", "ok", "quiet", "broken")


class WorkerMetrics:
    """Counters the worker bumps as it goes, gauges it reads from the database."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.items = Counter("repwatch_items_crawled", "Items parsed", ["source"], registry=r)
        self.new_mentions = Counter(
            "repwatch_new_mentions", "Mentions stored for the first time", ["source"], registry=r
        )
        self.crawl_errors = Counter(
            "repwatch_crawl_errors", "Errors counted by crawls", ["source"], registry=r
        )
        self.scored = Counter("repwatch_mentions_scored", "Mentions scored", registry=r)
        self.scoring_seconds = Histogram(
            "repwatch_scoring_seconds", "Time spent scoring one batch of new mentions", registry=r
        )
        self.alerts_created = Counter("repwatch_alerts_created", "Alerts decided", registry=r)
        self.messages_sent = Counter("repwatch_messages_sent", "Outbox messages sent", registry=r)
        self.refits = Counter(
            "repwatch_refits", "Scheduled refits, by outcome", ["outcome"], registry=r
        )
        self.step_failures = Counter(
            "repwatch_step_failures", "Worker steps that raised", ["step"], registry=r
        )
        self.alerts_by_severity = Gauge(
            "repwatch_alerts",
            "Alerts stored, by severity and status",
            ["severity", "status"],
            registry=r,
        )
        self.outbox_depth = Gauge("repwatch_outbox_depth", "Messages waiting", registry=r)
        self.unscored = Gauge(
            "repwatch_unscored_mentions", "Mentions waiting to be scored", registry=r
        )
        self.outbox_age = Gauge(
            "repwatch_outbox_oldest_age_seconds", "Age of the oldest waiting message", registry=r
        )
        self.source_health = Gauge(
            "repwatch_source_health",
            "1 for the source's current status",
            ["source", "status"],
            registry=r,
        )

    def serve(self, port: int, host: str) -> None:
        """Expose /metrics over HTTP in a daemon thread."""
        start_http_server(port, addr=host, registry=self.registry)

    def record_crawl(self, summary: CrawlSummary) -> None:
        self.items.labels(summary.source).inc(summary.items)
        self.new_mentions.labels(summary.source).inc(summary.new_items)
        self.crawl_errors.labels(summary.source).inc(summary.errors)

    def refresh_from_database(self, session: Session, now: datetime) -> None:
        """Re-read the gauges: outbox depth and age, alerts by severity, source health."""
        snapshot = read_snapshot(session, now)
        self.outbox_depth.set(snapshot.outbox_depth)
        self.outbox_age.set(snapshot.outbox_oldest_age_s)
        self.unscored.set(snapshot.unscored)
        for (severity, status), count in snapshot.alerts.items():
            self.alerts_by_severity.labels(severity, status).set(count)
        for name, status in snapshot.source_status.items():
            for state in HEALTH_STATES:
                self.source_health.labels(name, state).set(1 if status == state else 0)


@dataclass(frozen=True)
class Snapshot:
    """The pipeline's state as stored: what /metrics exports and `repwatch status` prints."""

    mentions: int
    unscored: int
    scored_last_hour: int
    alerts: dict[tuple[str, str], int]  # (severity, status) -> count
    outbox_depth: int
    outbox_oldest_age_s: float
    source_status: dict[str, str]


def read_snapshot(session: Session, now: datetime) -> Snapshot:
    """A handful of indexed aggregate queries; cheap enough for every worker pass."""
    pending = select(func.count(), func.min(OutboxMessage.created_at)).where(
        OutboxMessage.sent_at.is_(None)
    )
    depth, oldest = session.execute(pending).one()
    by_severity = select(Alert.severity, Alert.status, func.count()).group_by(
        Alert.severity, Alert.status
    )
    mentions = session.scalar(select(func.count()).select_from(Mention)) or 0
    unscored = session.scalar(select(func.count()).where(Mention.needs_score))
    recent = select(func.count()).where(Score.scored_at >= now - timedelta(hours=1))
    return Snapshot(
        mentions=mentions,
        unscored=unscored or 0,
        scored_last_hour=session.scalar(recent) or 0,
        alerts={(sev, status): n for sev, status, n in session.execute(by_severity)},
        outbox_depth=depth,
        outbox_oldest_age_s=(now - oldest).total_seconds() if oldest else 0.0,
        source_status={
            name: status for name, status in session.execute(select(Source.name, Source.status))
        },
    )
