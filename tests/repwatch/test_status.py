"""The pipeline snapshot behind /metrics and `repwatch status`."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console

from delivery.outbox import enqueue
from repwatch.commands.status import pipeline_table
from repwatch.metrics import WorkerMetrics, read_snapshot
from storage.db import session_scope
from tests.alerts.factories import NOW, make_mention, make_score


def test_snapshot_counts_backlog_alerts_and_outbox(sqlite_url: str) -> None:
    with session_scope(sqlite_url) as session:
        make_mention(session)  # not scored yet
        make_score(session, make_mention(session), scored_at=NOW - timedelta(minutes=5))
        enqueue(session, dedup_key="k1", channel="#r", payload={"text": "x"}, now=NOW)
    with session_scope(sqlite_url) as session:
        snapshot = read_snapshot(session, NOW + timedelta(minutes=2))
        metrics = WorkerMetrics()
        metrics.refresh_from_database(session, NOW + timedelta(minutes=2))

    assert (snapshot.mentions, snapshot.unscored, snapshot.scored_last_hour) == (2, 1, 1)
    assert (snapshot.outbox_depth, snapshot.outbox_oldest_age_s) == (1, 120.0)
    assert metrics.registry.get_sample_value("repwatch_unscored_mentions") == 1
    out = io.StringIO()
    Console(file=out, width=80).print(pipeline_table(snapshot))
    assert "waiting to be scored" in out.getvalue() and "1 (oldest 2m)" in out.getvalue()
