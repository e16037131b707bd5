"""The pieces every whole-system reliability test uses: the worker as a real process,
its configuration, waiting on the database, and counting what reached fake Slack."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from storage.db import session_scope
from storage.models import Alert, CrawlRun, Mention, OutboxMessage, Score, Source
from tests.fakes.slack_server import FakeSlack, RecordedRequest

WAIT_LIMIT_S = 150
POLL_S = 0.25
# The worker's own variables: the test decides them, never the calling shell.
_OWN_PREFIXES = ("REPWATCH_", "SLACK_")
_PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def wait_for(condition: Callable[[], bool], what: str, limit_s: float = WAIT_LIMIT_S) -> None:
    """Return once `condition()` holds; fail the test after `limit_s` seconds."""
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {limit_s:.0f}s waiting for {what}"
        time.sleep(POLL_S)


def clean_environment(**variables: str) -> dict[str, str]:
    """This process's environment less repwatch's, Slack's and proxy variables, plus
    `variables`."""
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_OWN_PREFIXES) and key.lower() not in _PROXY_VARIABLES
    }
    return {**kept, **variables}


def write_config(path: Path, database_url: str, site_url: str, **sections: Any) -> Path:
    """A worker configuration: the demo's two sources on `site_url`, a 14-day backfill
    like the demo's, a pass every 2 s, no metrics port and no weekly report."""
    config: dict[str, Any] = {
        "database_url": database_url,
        "allow_private_networks": True,
        "brand": {"name": "Acme", "keywords": ["Acme", "에이크미"]},
        "sources": [
            {"name": "reviews", "kind": "schemaorg", "url": f"{site_url}/product", "every": "1h"},
            {"name": "news", "kind": "rss", "url": f"{site_url}/feed.xml", "every": "1h"},
        ],
        "crawl": {"backfill_window": "14d", "autothrottle": False},
        "slack": {"channel": "C0ALERTS"},
        "worker": {"process_every": "2s", "metrics_port": None, "shutdown_timeout": "10s"},
        "report": {"enabled": False},
    }
    for name, values in sections.items():
        config[name] = {**config.get(name, {}), **values} if isinstance(values, dict) else values
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


class WorkerProcess:
    """`repwatch worker --config FILE` in a process group of its own (its crawler
    children included), its output appended to a log file."""

    def __init__(
        self, config: Path, env: Mapping[str, str], log: Path, *, verbose: bool = False
    ) -> None:
        self.config = config
        self.env = dict(env)
        self.log = log
        self.verbose = verbose
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        command = [sys.executable, "-m", "repwatch.cli"]
        command += ["--verbose"] if self.verbose else []
        command += ["worker", "--config", str(self.config)]
        with self.log.open("ab") as out:
            out.write(f"--- {' '.join(command[1:])}\n".encode())
            self.process = subprocess.Popen(
                command, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker and every process it started, as a container kill does."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        """SIGTERM, wait for the graceful exit, return its status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def close(self) -> None:
        """Leave nothing running (a test that failed half-way)."""
        if self.running:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass(frozen=True)
class FlowState:
    """How far the stored flow has got."""

    mentions: int
    scored: int
    alerts: int
    queued: int
    pending: int

    def settled(self, expected_mentions: int) -> bool:
        """Every mention stored and scored, alerts raised and every message sent."""
        return (
            self.mentions == expected_mentions
            and self.scored == expected_mentions
            and self.alerts > 0
            and self.queued >= self.alerts
            and self.pending == 0
        )


def _count(session: Any, model: type, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def flow_state(database_url: str) -> FlowState:
    """Counts of the stored flow; all -1 while the worker has not created the schema."""
    try:
        with session_scope(database_url) as session:
            return FlowState(
                mentions=_count(session, Mention),
                scored=_count(session, Score),
                alerts=_count(session, Alert),
                queued=_count(session, OutboxMessage),
                pending=_count(session, OutboxMessage, OutboxMessage.sent_at.is_(None)),
            )
    except (OperationalError, ProgrammingError):
        return FlowState(-1, -1, -1, -1, -1)


def wait_until_quiet(database_url: str, mentions: int, quiet_s: float = 5.0) -> None:
    """Wait until `mentions` are stored and scored, nothing waits to be sent, and nothing
    has changed for `quiet_s` (longer than a pass: score, decide and send are done)."""
    quiet_since, last = time.monotonic(), flow_state(database_url)

    def quiet() -> bool:
        nonlocal quiet_since, last
        state = flow_state(database_url)
        if state != last:
            quiet_since, last = time.monotonic(), state
        done = state.mentions == state.scored == mentions and state.pending == 0
        return done and time.monotonic() - quiet_since >= quiet_s

    wait_for(quiet, f"{mentions} mentions stored, scored and alerted, and the outbox empty")


def finished_crawls(database_url: str) -> dict[str, int]:
    """Crawl runs recorded per source name (a run is recorded when it finishes)."""
    stmt = select(Source.name, func.count(CrawlRun.id)).join(CrawlRun).group_by(Source.name)
    try:
        with session_scope(database_url) as session:
            return {str(name): int(count) for name, count in session.execute(stmt)}
    except (OperationalError, ProgrammingError):
        return {}


def caught_up(database_url: str, crawls: Mapping[str, int]) -> bool:
    """At least `crawls` runs finished per source, every mention scored, nothing to send."""
    done = finished_crawls(database_url)
    state = flow_state(database_url)
    return (
        all(done.get(source, 0) >= runs for source, runs in crawls.items())
        and state.scored == state.mentions
        and state.pending == 0
    )


def send_errors(database_url: str) -> list[str]:
    """The last error of every outbox message that has one."""
    stmt = select(OutboxMessage.last_error).where(OutboxMessage.last_error.is_not(None))
    try:
        with session_scope(database_url) as session:
            return [str(error) for error in session.scalars(stmt)]
    except (OperationalError, ProgrammingError):
        return []


def mention_ids(database_url: str, source: str | None = None) -> list[str]:
    """External ids of the stored mentions (of one source), sorted."""
    stmt = select(Mention.external_id).join(Source)
    if source is not None:
        stmt = stmt.where(Source.name == source)
    with session_scope(database_url) as session:
        return sorted(session.scalars(stmt))


def alerted_ids(database_url: str) -> set[str]:
    """External ids of the mentions that have an alert of their own."""
    stmt = select(Mention.external_id).join(Alert, Alert.mention_id == Mention.id)
    with session_scope(database_url) as session:
        return set(session.scalars(stmt))


def message_identity(request: RecordedRequest) -> str:
    """What makes a posted message the same message: where it went and what it says."""
    body = request.body
    keys = ("channel", "thread_ts", "text", "blocks")
    return json.dumps({key: body.get(key) for key in keys}, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Delivery:
    """What fake Slack accepted, matched with the outbox rows."""

    posted: list[RecordedRequest]
    outbox: list[OutboxMessage]

    def repeated(self) -> dict[str, int]:
        """Messages Slack accepted more than once, with how often."""
        counts = Counter(message_identity(request) for request in self.posted)
        return {identity: count for identity, count in counts.items() if count > 1}

    def unsent(self) -> list[str]:
        return [row.dedup_key for row in self.outbox if row.sent_at is None]

    def alert_priorities_in_posting_order(self) -> list[int]:
        """The priority (1 = P1) of each alert's own message, in the order Slack got them."""
        by_ts = {row.result_ts: row for row in self.outbox if row.result_ts}
        rows = [by_ts.get(str(request.response.get("ts"))) for request in self.posted]
        return [row.priority for row in rows if row and row.dedup_key.startswith("alert:")]


def delivery(fake_slack: FakeSlack, database_url: str) -> Delivery:
    posted = [r for r in fake_slack.calls("chat.postMessage") if r.response.get("ok")]
    with session_scope(database_url) as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    return Delivery(posted=posted, outbox=rows)
