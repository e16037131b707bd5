"""Typed SQLAlchemy 2.0 models: the data model of DESIGN.md.

Timestamps are stored in UTC and always come back timezone-aware, on SQLite too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Source(Base):
    """A configured source and its health."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    brand: Mapped[str] = mapped_column(String(200))
    every_seconds: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(16), default="new")  # new / ok / quiet / broken
    last_run_at: Mapped[datetime | None]
    last_item_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mentions: Mapped[list[Mention]] = relationship(back_populates="source")


class Mention(Base):
    """One public review or mention, unique per (source, external_id)."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id", name="uq_mentions_source_external_id"),
        Index("ix_mentions_published_at", "published_at"),
        Index("ix_mentions_source_published", "source_id", "published_at"),
        # Only the few rows waiting for a score are in it: claiming them stays cheap at
        # millions of mentions. Read backwards, it gives the newest first (published_at
        # DESC NULLS FIRST, id DESC), the order they are claimed in.
        Index(
            "ix_mentions_needs_score_newest",
            "published_at",
            "id",
            postgresql_where=text("needs_score"),
            # SQLite stores booleans as integers and SQLAlchemy compares with "= 1"; its
            # planner uses a partial index only for the same expression.
            sqlite_where=text("needs_score = 1"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(512))
    url: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[float | None] = mapped_column(Float)
    lang: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    # The body text normalised and hashed: the same text syndicated to another source
    # matches; None for texts too short to tell a copy from a coincidence.
    text_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    raw_excerpt: Mapped[str | None] = mapped_column(Text)
    reach: Mapped[dict[str, Any] | None]
    # Stored by a source's first crawl and older than its backfill window: history and
    # baseline for reports and spikes, never alerted.
    backfill: Mapped[bool] = mapped_column(default=False, server_default=false())
    # New, or its text changed since its score: set by the upsert, cleared with the score.
    needs_score: Mapped[bool] = mapped_column(default=True, server_default=true())

    source: Mapped[Source] = relationship(back_populates="mentions")
    score: Mapped[Score | None] = relationship(back_populates="mention")


class Score(Base):
    """The current sentiment of a mention; `content_hash` says which text was scored."""

    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), unique=True
    )
    model: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(16))
    prob_negative: Mapped[float] = mapped_column(Float)
    prob_neutral: Mapped[float] = mapped_column(Float)
    prob_positive: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    # Scored by the default model although it is not meant for the text's language.
    lang_fallback: Mapped[bool] = mapped_column(default=False, server_default=false())
    content_hash: Mapped[str] = mapped_column(String(64))
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)

    mention: Mapped[Mention] = relationship(back_populates="score")


class Incident(Base):
    """A spike of negative mentions on one source, or a cluster of similar complaints."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status_last_seen", "status", "last_seen_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # spike / similar
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    severity: Mapped[str] = mapped_column(String(2))  # P1..P4
    status: Mapped[str] = mapped_column(String(16), default="open")  # open / resolved
    theme: Mapped[list[Any]]  # the words the complaints share
    stats: Mapped[dict[str, Any] | None]  # spike: count, baseline mean, stddev, threshold
    mention_count: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    source: Mapped[Source | None] = relationship()


class Alert(Base):
    """A decision to interrupt someone; `alert_key` makes deciding twice harmless.

    `kind` is ``mention`` or ``incident``; status is open / acknowledged / resolved /
    dismissed, or ``grouped`` for a mention folded into an incident without paging.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_status_created", "status", "created_at"),
        Index("ix_alerts_incident_id", "incident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="mention")  # mention / source_health
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="SET NULL"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    severity: Mapped[str] = mapped_column(String(2))  # P1..P4
    reasons: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee: Mapped[str | None] = mapped_column(String(64))
    current_step: Mapped[int] = mapped_column(default=1)
    due_at: Mapped[datetime | None]
    slack_channel: Mapped[str | None] = mapped_column(String(64))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    related: Mapped[list[Any] | None]  # ids of similar mentions seen when it was raised
    reminded_step: Mapped[int | None]  # the last step an overdue reminder was sent for
    escalated_at: Mapped[datetime | None]

    mention: Mapped[Mention | None] = relationship()
    incident: Mapped[Incident | None] = relationship()


class OutboxMessage(Base):
    """A message waiting to be sent; sending is at-least-once, keyed by `dedup_key`."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "priority", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    priority: Mapped[int] = mapped_column(default=4)  # 1 goes first (P1)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result_ts: Mapped[str | None] = mapped_column(String(32))
    # The channel id Slack answered with: `channel` may be a name, which Slack's history
    # methods do not accept.
    result_channel: Mapped[str | None] = mapped_column(String(64))


class OutboxInFlight(Base):
    """A post of an outbox message that started and whose outcome is not known.

    Committed before the post, on a connection of its own (the drain's transaction still
    holds the message's row lock), and deleted with the result. One left behind by a crash
    or a lost answer tells the next drain to ask Slack whether the message went out.
    """

    __tablename__ = "outbox_in_flight"

    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True
    )
    started_at: Mapped[datetime]  # of the first post whose outcome is unknown


class Feedback(Base):
    """A person's correction of a mention's label from Slack: training data."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint(
            "mention_id", "user_id", "corrected_label", name="uq_feedback_mention_user_label"
        ),
        Index("ix_feedback_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)  # the text as it was labelled
    lang: Mapped[str | None] = mapped_column(String(16))
    original_label: Mapped[str | None] = mapped_column(String(16))
    corrected_label: Mapped[str] = mapped_column(String(16))  # negative / neutral / positive
    model: Mapped[str | None] = mapped_column(String(300))
    user_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModelRefit(Base):
    """A refit of the sentiment model from the corrections of one brand (repwatch/refit.py):
    a residual n-gram head and an alert threshold. `accepted` ones are in use, the newest
    first; a refused one is kept with the held-out figures that refused it."""

    __tablename__ = "model_refits"
    __table_args__ = (Index("ix_model_refits_brand_model_created", "brand", "model", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(300))  # the model id the head corrects
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text)
    threshold: Mapped[float | None] = mapped_column(Float)
    head: Mapped[bytes | None] = mapped_column(LargeBinary)  # NgramHead.to_bytes()
    figures: Mapped[dict[str, Any]]  # counts and held-out accuracy before and after


class CrawlRun(Base):
    """One spider run over one source."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    items: Mapped[int] = mapped_column(default=0)
    new_items: Mapped[int] = mapped_column(default=0)
    updated_items: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    status_counts: Mapped[dict[str, Any] | None]
    duration_s: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(16))  # ok / failed
    error_summary: Mapped[str | None] = mapped_column(Text)
