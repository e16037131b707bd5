"""SIGKILL of the worker (and its crawler child) mid-crawl and mid-send, then a restart:
nothing lost, nothing posted twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from repwatch.demo.site import REVIEWS_PER_PAGE, load_samples
from tests.fakes.slack_server import FakeSlack
from tests.reliability.conftest import DemoSource, WorkerFactory
from tests.reliability.harness import (
    alerted_ids,
    caught_up,
    clean_environment,
    delivery,
    flow_state,
    mention_ids,
    wait_for,
    wait_until_quiet,
    write_config,
)

pytestmark = pytest.mark.reliability

SECOND_PAGE = "/product?page=2"
BACKFILL_DAYS = 14  # write_config's crawl.backfill_window


def _worker_setup(
    tmp_path: Path, demo_source: DemoSource, fake_slack: FakeSlack
) -> tuple[str, Path, dict[str, str]]:
    database_url = f"sqlite:///{tmp_path / 'repwatch.db'}"
    config = write_config(tmp_path / "repwatch.yaml", database_url, demo_source.url)
    env = clean_environment(
        SLACK_BOT_TOKEN="xoxb-kill", REPWATCH_SLACK_BASE_URL=fake_slack.base_url
    )
    return database_url, config, env


def _review_ids(*, older_than_days: int = -1) -> list[str]:
    reviews = load_samples()["reviews"]
    return sorted(
        f"urn:repwatch-demo:review:{r['id']}" for r in reviews if r["days_ago"] > older_than_days
    )


def test_kill_mid_crawl_then_restart_stores_every_mention_once_and_alerts_once(
    tmp_path: Path, demo_source: DemoSource, fake_slack: FakeSlack, worker_process: WorkerFactory
) -> None:
    database_url, config, env = _worker_setup(tmp_path, demo_source, fake_slack)
    demo_source.server.hold(SECOND_PAGE)  # the first crawl of the reviews stops half-way
    first = worker_process(config, env).start()
    wait_for(lambda: SECOND_PAGE in demo_source.server.requested_paths(), "page 2 asked for")
    # No message in flight at the kill: that case is the next test's.
    wait_until_quiet(database_url, len(load_samples()["feed"]) + REVIEWS_PER_PAGE)

    first.kill()
    demo_source.server.release(SECOND_PAGE)
    second = worker_process(config, env).start()
    wait_for(lambda: caught_up(database_url, {"reviews": 1, "news": 2}), "the crawls and a pass")
    assert second.stop() == 0, second.output()

    assert mention_ids(database_url, "reviews") == _review_ids()
    # Still the source's first crawl: reviews older than the backfill window stay history.
    assert alerted_ids(database_url).isdisjoint(_review_ids(older_than_days=BACKFILL_DAYS))
    sent = delivery(fake_slack, database_url)
    assert sent.unsent() == [] and sent.repeated() == {}
    assert len(sent.posted) == len(sent.outbox)


def test_kill_mid_send_then_restart_loses_nothing_and_posts_nothing_twice(
    tmp_path: Path, demo_source: DemoSource, fake_slack: FakeSlack, worker_process: WorkerFactory
) -> None:
    database_url, config, env = _worker_setup(tmp_path, demo_source, fake_slack)
    fake_slack.hold_answers()  # Slack posts the first message; the worker never hears back
    first = worker_process(config, env).start()
    wait_for(lambda: len(fake_slack.calls("chat.postMessage")) == 1, "a message in flight")
    in_flight_ts = fake_slack.calls("chat.postMessage")[0].response["ts"]

    first.kill()
    fake_slack.release_answers()
    second = worker_process(config, env).start()
    wait_for(
        lambda: flow_state(database_url).settled(demo_source.expected_mentions),
        "every mention stored and every message sent",
    )
    assert second.stop() == 0, second.output()

    sent = delivery(fake_slack, database_url)
    assert sent.unsent() == [] and sent.repeated() == {}
    assert len(sent.posted) == len(sent.outbox)
    # The restarted worker found the message in flight in Slack and recorded that post.
    assert in_flight_ts in {row.result_ts for row in sent.outbox}
    assert fake_slack.calls("conversations.history")
