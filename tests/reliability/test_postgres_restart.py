"""PostgreSQL "restarts" while the worker runs: it reconnects and carries on.

The system PostgreSQL server cannot be restarted from a test, so a restart is
simulated the way clients experience one: every backend connection to the test
database is terminated (``pg_terminate_backend``, as the postgres superuser) while the
worker holds pooled connections, while its crawler child is half-way through a source,
and while a message is in flight to Slack.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from repwatch.demo.site import REVIEWS_PER_PAGE, load_samples, rss_feed
from tests.conftest import POSTGRES_ADMIN_URL
from tests.fakes.slack_server import FakeSlack
from tests.reliability.conftest import DemoSource, Mode, WorkerFactory
from tests.reliability.harness import (
    clean_environment,
    delivery,
    flow_state,
    wait_for,
    wait_until_quiet,
    write_config,
)

pytestmark = pytest.mark.reliability

SECOND_PAGE = "/product?page=2"
NEWS_EVERY_S = 15  # the news source is crawled again, so new mentions keep coming


def terminate_backends(database_url: str) -> int:
    """Terminate every connection to the database of `database_url`; how many there were."""
    name = make_url(database_url).database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar_one()
    finally:
        admin.dispose()
    return int(killed)


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


def _restart_mid_crawl(database_url: str, demo_source: DemoSource) -> None:
    """Terminate while the reviews crawl waits for page 2 and the worker is between passes."""
    stored = len(load_samples()["feed"]) + REVIEWS_PER_PAGE
    wait_for(lambda: SECOND_PAGE in demo_source.server.requested_paths(), "page 2 asked for")
    wait_for(
        lambda: flow_state(database_url).scored == stored and flow_state(database_url).pending == 0,
        "news sent and page 1 stored",
    )
    assert terminate_backends(database_url) > 0
    demo_source.server.release(SECOND_PAGE)
    wait_until_quiet(database_url, demo_source.expected_mentions)


def _restart_mid_send(
    database_url: str, demo_source: DemoSource, fake_slack: FakeSlack, number: int
) -> str:
    """Terminate while Slack holds the answer to a new alert; the ts of the message in flight."""
    posted_before = len(fake_slack.calls("chat.postMessage"))
    fake_slack.hold_answers()
    _publish_complaint(demo_source, number)
    wait_for(
        lambda: len(fake_slack.calls("chat.postMessage")) > posted_before, "a message in flight"
    )
    in_flight = str(fake_slack.calls("chat.postMessage")[posted_before].response["ts"])
    assert terminate_backends(database_url) > 0
    fake_slack.release_answers()
    wait_until_quiet(database_url, demo_source.expected_mentions + number)
    return in_flight


@pytest.mark.postgres
def test_worker_reconnects_after_database_restarts_and_loses_nothing(
    tmp_path: Path,
    own_postgres_url: str,
    demo_source: DemoSource,
    fake_slack: FakeSlack,
    worker_process: WorkerFactory,
    mode: Mode,
) -> None:
    reviews = {"name": "reviews", "kind": "schemaorg", "url": f"{demo_source.url}/product"}
    news = {"name": "news", "kind": "rss", "url": f"{demo_source.url}/feed.xml"}
    sources = [reviews, {**news, "every": f"{NEWS_EVERY_S}s"}]
    config = write_config(
        tmp_path / "repwatch.yaml", own_postgres_url, demo_source.url, sources=sources
    )
    env = clean_environment(SLACK_BOT_TOKEN="xoxb-pg", REPWATCH_SLACK_BASE_URL=fake_slack.base_url)
    demo_source.server.hold(SECOND_PAGE)
    worker = worker_process(config, env).start()

    _restart_mid_crawl(own_postgres_url, demo_source)
    in_flight = {
        _restart_mid_send(own_postgres_url, demo_source, fake_slack, number)
        for number in range(1, mode.database_restarts + 1)
    }
    assert worker.stop() == 0, worker.output()

    state = flow_state(own_postgres_url)
    published = demo_source.expected_mentions + mode.database_restarts  # one complaint a round
    assert state.mentions == state.scored == published
    sent = delivery(fake_slack, own_postgres_url)
    assert sent.unsent() == [] and sent.repeated() == {}
    assert len(sent.posted) == len(sent.outbox)
    # Each message in flight at a restart was found in Slack and its post recorded.
    assert in_flight <= {row.result_ts for row in sent.outbox}
    assert fake_slack.calls("conversations.history")
