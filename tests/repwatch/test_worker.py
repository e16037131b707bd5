"""The worker as a user runs it: a real process, real HTTP sources, fake Slack, SIGTERM."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import yaml
from pydantic import SecretStr
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from config.settings import BrandConfig, ReportConfig, Settings
from repwatch.demo.site import load_samples, serve_demo_site
from repwatch.metrics import WorkerMetrics
from repwatch.worker import Worker
from storage.db import session_scope
from storage.migrate import upgrade
from storage.models import Alert, Mention

DEADLINE_S = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def _config(tmp_path: Path, base_url: str, metrics_port: int) -> Path:
    config = {
        "database_url": f"sqlite:///{tmp_path / 'worker.db'}",
        "allow_private_networks": True,
        "brand": {"name": "Acme", "keywords": ["Acme"]},
        "sources": [
            {"name": "reviews", "kind": "schemaorg", "url": f"{base_url}/product", "every": "1h"},
            {"name": "news", "kind": "rss", "url": f"{base_url}/feed.xml", "every": "1h"},
        ],
        "slack": {"channel": "C-ALERTS"},
        "worker": {"process_every": "5s", "metrics_port": metrics_port},
    }
    path = tmp_path / "repwatch.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _count(database_url: str, model: type) -> int:
    """Rows of `model`; -1 while the worker has not created the schema yet."""
    try:
        with session_scope(database_url) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    except OperationalError:
        return -1


def test_worker_crawls_alerts_serves_metrics_and_stops_on_sigterm(
    tmp_path: Path, fake_slack
) -> None:
    samples = load_samples()
    expected = len(samples["reviews"]) + len(samples["feed"])
    metrics_port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-worker",
        "REPWATCH_SLACK_BASE_URL": fake_slack.base_url,
    }
    with serve_demo_site() as (base_url, _site):
        config = _config(tmp_path, base_url, metrics_port)
        database_url = f"sqlite:///{tmp_path / 'worker.db'}"
        worker = subprocess.Popen(
            [sys.executable, "-m", "repwatch.cli", "worker", "--config", str(config)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_for(lambda: _count(database_url, Mention) == expected, "every mention")
            _wait_for(
                lambda: (
                    _count(database_url, Alert) > 0
                    and len(fake_slack.posted_messages()) == _count(database_url, Alert)
                ),
                "every alert posted",
            )
            metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
            # The gauges are refreshed just after a send: give the pass that sent a moment.
            _wait_for(
                lambda: b"repwatch_outbox_depth 0.0" in urllib.request.urlopen(metrics_url).read(),
                "the outbox gauge at 0",
            )
            # A source's counters move when its crawl reports, which may come after its
            # mentions were stored, scored and sent by another job (seen under load).
            counted = b'repwatch_new_mentions_total{source="reviews"} 24.0'
            _wait_for(
                lambda: counted in urllib.request.urlopen(metrics_url).read(),
                "the reviews crawl counted",
            )
            metrics = urllib.request.urlopen(metrics_url).read()
            assert counted in metrics
        finally:
            stopped_at = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output
    assert time.monotonic() - stopped_at < 30
    assert "repwatch worker stopped" in output
    assert len(fake_slack.posted_messages()) == _count(database_url, Alert)


def test_weekly_report_job_writes_posts_once_and_schedules_the_next(
    tmp_path: Path, fake_slack
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'report.db'}",
        brand=BrandConfig(name="Acme"),
        slack_base_url=fake_slack.base_url,
        slack_bot_token=SecretStr("xoxb-report"),
        report=ReportConfig(out=tmp_path / "out", weekday="monday", hour=9),
    )
    upgrade(settings.database_url)
    worker = Worker(settings, Console(file=io.StringIO()), WorkerMetrics())

    worker.weekly_report()
    worker.weekly_report()  # a second run in the same week posts nothing new

    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"weekly.html", "weekly.csv"}
    assert len(fake_slack.posted_messages()) == 1
    job = worker._scheduler.get_job("weekly-report")
    assert job is not None
    run_at = job.trigger.run_date.astimezone(UTC)
    assert (run_at.weekday(), run_at.hour, run_at.minute) == (0, 9, 0)
    assert run_at > datetime.now(UTC)
