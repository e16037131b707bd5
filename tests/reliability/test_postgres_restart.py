"""PostgreSQL restarts while the worker runs: it reconnects and carries on.

The worker's database is on a private server of the test's own
(``tests/reliability/private_postgres.py``), which is really stopped and started: once
while the crawler child is half-way through a source and the worker holds pooled
connections (``pg_ctl stop -m fast``, a planned restart), and once per round while a
message is in flight to Slack (``-m immediate``, a crash). Each time it stays down for
``Mode.database_down_s``, so the worker meets refused connections, not only dropped ones.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from repwatch.demo.site import REVIEWS_PER_PAGE, load_samples, rss_feed
from tests.fakes.slack_server import FakeSlack
from tests.reliability.conftest import DemoSource, Mode, WorkerFactory
from tests.reliability.harness import (
    WorkerProcess,
    clean_environment,
    delivery,
    flow_state,
    wait_for,
    wait_until_quiet,
    write_config,
)
from tests.reliability.private_postgres import PrivatePostgres

pytestmark = pytest.mark.reliability

SECOND_PAGE = "/product?page=2"
NEWS_EVERY_S = 15  # the news source is crawled again, so new mentions keep coming


def _publish_complaint(demo_source: DemoSource, number: int) -> None:
    """Add a fresh, clearly negative post to the news feed."""
    samples = load_samples()
    samples["feed"].append(
        {
            "id": f"x{number:02d}",
            "title": f"Acme heater caught fire, report {number}",
            "author": f"reader{number}",
            "days_ago": 0,
            "text": "The Acme heater caught fire in our kitchen. This is dangerous, we want "
            "a refund and are talking to a lawyer.",
        }
    )
    body = rss_feed(samples, demo_source.url, datetime.now(UTC))
    demo_source.server.serve("/feed.xml", body, content_type="application/rss+xml")


def _restart_mid_crawl(
    postgres: PrivatePostgres, database_url: str, demo_source: DemoSource, down_s: float
) -> None:
    """Restart while the reviews crawl waits for page 2 and the worker is between passes;
    page 2 is answered once the server is back."""
    stored = len(load_samples()["feed"]) + REVIEWS_PER_PAGE
    wait_for(lambda: SECOND_PAGE in demo_source.server.requested_paths(), "page 2 asked for")
    wait_for(
        lambda: flow_state(database_url).scored == stored and flow_state(database_url).pending == 0,
        "news sent and page 1 stored",
    )
    postgres.restart(down_for=down_s, how="fast")
    demo_source.server.release(SECOND_PAGE)
    wait_until_quiet(database_url, demo_source.expected_mentions)


def _restart_mid_send(
    postgres: PrivatePostgres,
    database_url: str,
    demo_source: DemoSource,
    fake_slack: FakeSlack,
    number: int,
    down_s: float,
) -> str:
    """Crash the server while Slack holds the answer to a new alert, and let Slack answer
    while it is down; the ts of the message in flight."""
    posted_before = len(fake_slack.calls("chat.postMessage"))
    fake_slack.hold_answers()
    _publish_complaint(demo_source, number)
    wait_for(
        lambda: len(fake_slack.calls("chat.postMessage")) > posted_before, "a message in flight"
    )
    in_flight = str(fake_slack.calls("chat.postMessage")[posted_before].response["ts"])
    with postgres.down(for_s=down_s, how="immediate"):
        fake_slack.release_answers()  # the worker's "sent" mark now meets a dead server
    wait_until_quiet(database_url, demo_source.expected_mentions + number)
    return in_flight


def _failed_passes(worker: WorkerProcess) -> int:
    """Passes the worker logged as failed (see `Worker._process_logged`)."""
    return worker.output().count("score/decide/send pass failed")


@pytest.mark.postgres
def test_worker_reconnects_after_database_restarts_and_loses_nothing(
    tmp_path: Path,
    private_postgres: PrivatePostgres,
    private_postgres_url: str,
    demo_source: DemoSource,
    fake_slack: FakeSlack,
    worker_process: WorkerFactory,
    mode: Mode,
) -> None:
    url, down_s = private_postgres_url, mode.database_down_s
    reviews = {"name": "reviews", "kind": "schemaorg", "url": f"{demo_source.url}/product"}
    news = {"name": "news", "kind": "rss", "url": f"{demo_source.url}/feed.xml"}
    sources = [reviews, {**news, "every": f"{NEWS_EVERY_S}s"}]
    config = write_config(tmp_path / "repwatch.yaml", url, demo_source.url, sources=sources)
    env = clean_environment(SLACK_BOT_TOKEN="xoxb-pg", REPWATCH_SLACK_BASE_URL=fake_slack.base_url)
    demo_source.server.hold(SECOND_PAGE)
    worker = worker_process(config, env).start()

    _restart_mid_crawl(private_postgres, url, demo_source, down_s)
    in_flight = {
        _restart_mid_send(private_postgres, url, demo_source, fake_slack, number, down_s)
        for number in range(1, mode.database_restarts + 1)
    }
    assert worker.stop() == 0, worker.output()

    # The worker did meet each restart (a pass every 2 s, the server down for longer):
    # passes failed, and later ones carried on.
    assert _failed_passes(worker) >= 1 + mode.database_restarts, worker.output()
    state = flow_state(url)
    published = demo_source.expected_mentions + mode.database_restarts  # one complaint a round
    assert state.mentions == state.scored == published
    sent = delivery(fake_slack, url)
    assert sent.unsent() == [] and sent.repeated() == {}
    assert len(sent.posted) == len(sent.outbox)
    # Each message in flight at a restart was found in Slack and its post recorded.
    assert in_flight <= {row.result_ts for row in sent.outbox}
    assert fake_slack.calls("conversations.history")
