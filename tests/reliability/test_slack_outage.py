"""Slack down (connection refused, then HTTP 500) while the worker raises alerts, then
back: every alert is delivered once, most severe first."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tests.fakes.slack_server import OUTAGE_TOKEN, FakeSlack
from tests.reliability.conftest import DemoSource, Mode, WorkerFactory
from tests.reliability.harness import (
    caught_up,
    clean_environment,
    delivery,
    flow_state,
    send_errors,
    wait_for,
    write_config,
)

pytestmark = pytest.mark.reliability

# The long mode spends its first quarter refusing connections, the rest answering 500.
REFUSED_SHARE_LONG = 0.25


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def _everything_decided_nothing_sent(database_url: str, expected_mentions: int) -> bool:
    state = flow_state(database_url)
    crawled = caught_up(database_url, {"reviews": 1, "news": 1}) or state.pending > 0
    return crawled and state.scored == expected_mentions and state.queued == state.pending > 0


def test_outage_then_recovery_delivers_every_alert_once_most_severe_first(
    tmp_path: Path, demo_source: DemoSource, worker_process: WorkerFactory, mode: Mode
) -> None:
    port = _free_port()  # nothing listens there yet: Slack refuses connections
    database_url = f"sqlite:///{tmp_path / 'repwatch.db'}"
    config = write_config(tmp_path / "repwatch.yaml", database_url, demo_source.url)
    env = clean_environment(
        SLACK_BOT_TOKEN=OUTAGE_TOKEN, REPWATCH_SLACK_BASE_URL=f"http://127.0.0.1:{port}/api/"
    )
    worker = worker_process(config, env).start()
    wait_for(
        lambda: any(e.startswith("connection failed") for e in send_errors(database_url)),
        "a send refused",
    )
    outage_started = time.monotonic()
    _sleep_until(outage_started + mode.slack_outage_s * (REFUSED_SHARE_LONG if mode.long else 1))
    slack = FakeSlack(port).start()  # answers HTTP 500 to the outage token until told
    try:
        wait_for(
            lambda: _everything_decided_nothing_sent(database_url, demo_source.expected_mentions),
            "every alert queued",
        )
        _sleep_until(outage_started + mode.slack_outage_s)
        slack.end_outage()
        wait_for(lambda: flow_state(database_url).pending == 0, "the outbox drained")
        assert worker.stop() == 0, worker.output()
        sent = delivery(slack, database_url)
    finally:
        slack.stop()

    if mode.long:  # long enough for a retry to meet the 500s too
        assert any(request.status == 500 for request in slack.requests)
    assert sent.unsent() == [] and sent.repeated() == {}
    assert len(sent.posted) == len(sent.outbox)
    priorities = sent.alert_priorities_in_posting_order()
    assert len(set(priorities)) > 1  # more than one severity, or the order proves nothing
    assert priorities == sorted(priorities), "alerts went out out of severity order"
