"""Secrets never reach logs, output, the database or Slack messages.

Every secret is set to a canary value; the worker, the Slack listener and a failing
command run with debug logging (slack_sdk, SQLAlchemy and Scrapy all log at DEBUG), and
the canaries are searched for in everything they wrote. Positive controls prove each
secret was really used: fake Slack saw the bot token, the listener verified a request
signed with the signing secret, and the database URL with the password is the one the
worker connected with.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url, select

from storage.db import get_engine
from storage.models import Base
from tests.fakes.signed_requests import post_signed
from tests.fakes.slack_server import FakeSlack
from tests.reliability.conftest import DemoSource, WorkerFactory
from tests.reliability.harness import clean_environment, flow_state, wait_for, write_config

pytestmark = pytest.mark.reliability

CANARIES = {
    "SLACK_BOT_TOKEN": "xoxb-canary-3f9d2c7a1b",
    "SLACK_APP_TOKEN": "xapp-canary-8e4b6d0c2f",
    "SLACK_SIGNING_SECRET": "canary-signing-5a7c9e1d3b",
}
DATABASE_PASSWORD = "canary-db-2d4f6a8c0e"
# The distinctive part of each canary: a masked or cut copy still gives itself away.
CORES = ["3f9d2c7a1b", "8e4b6d0c2f", "5a7c9e1d3b", "2d4f6a8c0e"]


def _with_password(database_url: str, password: str) -> str:
    return make_url(database_url).set(password=password).render_as_string(hide_password=False)


def _leaks(text: str) -> list[str]:
    return [core for core in CORES if core in text]


def _database_text(database_url: str) -> str:
    with get_engine(database_url).connect() as conn:
        return "\n".join(
            repr(conn.execute(select(table)).all()) for table in Base.metadata.sorted_tables
        )


def _listener_url(log: Path) -> str:
    found: list[str] = []

    def listening() -> bool:
        found.extend(re.findall(r"listening on (http://\S+)", log.read_text(errors="replace")))
        return bool(found)

    wait_for(listening, "the Slack listener to listen", limit_s=60)
    return found[0]


def _post_signed(url: str, secret: str) -> int:
    body = json.dumps({"type": "url_verification", "challenge": "canary-check"})
    return post_signed(url, body, "application/json", secret)


def _cli(env: dict[str, str], log: Path, *arguments: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "repwatch.cli", "--verbose", *arguments],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.postgres
def test_canary_secrets_never_appear_in_logs_output_database_or_messages(
    tmp_path: Path,
    own_postgres_url: str,
    demo_source: DemoSource,
    fake_slack: FakeSlack,
    worker_process: WorkerFactory,
) -> None:
    secret_url = _with_password(own_postgres_url, DATABASE_PASSWORD)
    # The file names a database that does not exist: only the URL from the environment works.
    config = write_config(tmp_path / "repwatch.yaml", own_postgres_url + "_absent", demo_source.url)
    env = clean_environment(
        **CANARIES,
        REPWATCH_DATABASE_URL=secret_url,
        REPWATCH_SLACK_BASE_URL=fake_slack.base_url,
        PYTHONUNBUFFERED="1",
    )
    worker = worker_process(config, env, verbose=True).start()
    listener_log = tmp_path / "listener.log"
    listener = _cli(
        env, listener_log, "slack", "listen", "--http", "--port", "0", "-c", str(config)
    )
    try:
        events = _listener_url(listener_log)
        assert _post_signed(events, CANARIES["SLACK_SIGNING_SECRET"]) == 200
        assert _post_signed(events, "not-the-secret") == 401
        wait_for(
            lambda: flow_state(own_postgres_url).settled(demo_source.expected_mentions),
            "every alert sent",
        )
    finally:
        listener.terminate()
        listener.wait(timeout=30)
    assert worker.stop() == 0, worker.output()
    unreachable = {
        **env,
        "REPWATCH_DATABASE_URL": _with_password(
            "postgresql+psycopg://postgres@127.0.0.1:1/none", DATABASE_PASSWORD
        ),
    }
    failing_log = tmp_path / "failing.log"
    assert _cli(unreachable, failing_log, "run", "--once", "-c", str(config)).wait(60) == 1

    tokens = {request.token for request in fake_slack.requests}
    assert CANARIES["SLACK_BOT_TOKEN"] in tokens  # the token was used, in the header
    bodies = [request.raw.decode("utf-8", "replace") for request in fake_slack.requests]
    written = {
        "worker output": worker.output(),
        "listener output": listener_log.read_text(errors="replace"),
        "failing command output": failing_log.read_text(errors="replace"),
        "database rows": _database_text(own_postgres_url),
        "Slack request bodies": "\n".join(bodies),
    }
    assert "DEBUG" in written["worker output"]  # debug logging was on
    leaks = {name: _leaks(text) for name, text in written.items()}
    assert not any(leaks.values()), leaks
