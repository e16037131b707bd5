"""Several workers on one PostgreSQL database: each mention scored once, each alert raised
and posted once, whatever the two workers do at the same moment.

The workers are threads here, each with its own connections, started together at a
barrier; the claims they race for are the database's (SKIP LOCKED, advisory lock,
unique keys), exactly as between worker processes.
"""

from __future__ import annotations

import io
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import SentimentConfig, Settings, WorkerConfig
from delivery.destination import SentMessage
from delivery.drain import DrainResult, drain_outbox
from delivery.outbox import enqueue
from delivery.slack import SlackSender, build_web_client
from repwatch import steps
from repwatch.metrics import WorkerMetrics
from repwatch.worker import Worker
from sentiment.correction import Correction
from sentiment.results import ScoreInput, SentimentResult, result_from_probs
from storage.db import get_engine, session_scope
from storage.models import Alert, Mention, OutboxMessage, Score, Source
from storage.testing import throwaway_postgres_database
from tests.alerts.factories import make_score
from tests.fakes.slack_server import FakeSlack

T = TypeVar("T")
NOW = datetime.now(UTC).replace(microsecond=0)


def fresh_database(server_url: str, *, migrated: bool = True) -> AbstractContextManager[str]:
    """A PostgreSQL database of its own (workers commit), dropped afterwards."""
    return throwaway_postgres_database(server_url, prefix="repwatch_scale", migrated=migrated)


@pytest.fixture
def database(postgres_server_url: str) -> Iterator[str]:
    with fresh_database(postgres_server_url) as url:
        yield url


def two_workers_at_once(work: Callable[[int], T]) -> list[T]:
    """Run `work(0)` and `work(1)` in two threads released together; their results."""
    barrier = threading.Barrier(2)

    def start(worker: int) -> T:
        barrier.wait()
        return work(worker)

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(start, [0, 1]))


def add_mentions(database_url: str, texts: Sequence[str], **fields: Any) -> None:
    with session_scope(database_url) as session:
        source = Source(
            name="reviews", kind="schemaorg", url="https://x.test/", brand="Acme", every_seconds=60
        )
        session.add(source)
        session.flush()
        for number, body in enumerate(texts):
            values = {"published_at": NOW, "fetched_at": NOW, "lang": "en"} | fields
            session.add(
                Mention(
                    source_id=source.id,
                    external_id=f"review-{number}",
                    url=f"https://x.test/{number}",
                    text=body,
                    content_hash=f"hash-{number}",
                    **values,
                )
            )


class RecordingScorer:
    """A stand-in for the model: slow enough for two workers to overlap, and it notes
    every text it was asked to score."""

    model_id = "recording-stub"
    correction: Correction | None = None

    def __init__(self, seen: list[str], lock: threading.Lock) -> None:
        self.seen, self.lock = seen, lock

    def score(self, inputs: Sequence[ScoreInput]) -> list[SentimentResult]:
        time.sleep(0.2)
        with self.lock:
            self.seen.extend(item.text for item in inputs)
        probs = {"negative": 0.1, "neutral": 0.2, "positive": 0.7}
        return [result_from_probs(probs, self.model_id, "en") for _ in inputs]


@pytest.mark.postgres
def test_two_concurrent_score_passes_never_score_a_mention_twice(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(steps, "SCORE_CHUNK", 100)  # several chunks each, so both take part
    texts = [f"Review number {n}: the kettle is fine." for n in range(700)]
    add_mentions(database, texts)
    settings = Settings(database_url=database)
    seen: list[str] = []
    lock = threading.Lock()

    scored = two_workers_at_once(
        lambda _: steps.score_pending(settings, RecordingScorer(seen, lock))
    )

    assert sum(scored) == len(texts) and min(scored) > 0  # both took part
    assert Counter(seen) == Counter(texts)  # every text exactly once
    with session_scope(database) as session:
        assert len(session.scalars(select(Score.mention_id)).all()) == len(texts)


def _complaints() -> list[str]:
    similar = [f"The lid leaks boiling water onto the counter, order {n}." for n in range(8)]
    unique = [
        f"Complaint {n}: {topic} and nobody answered my emails."
        for n, topic in enumerate(
            ["the handle broke", "the base overheats", "the refund was refused", "it rusted"] * 4
        )
    ]
    return similar + unique


def _score_negative(database_url: str) -> None:
    with session_scope(database_url) as session:
        for mention in list(session.scalars(select(Mention))):
            make_score(session, mention, prob_negative=0.92, scored_at=NOW)


def _decided(database_url: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Alerts (key, status, severity) and queued message keys, sorted."""
    with session_scope(database_url) as session:
        alerts = [(a.alert_key, a.status, a.severity) for a in session.scalars(select(Alert))]
        keys = list(session.scalars(select(OutboxMessage.dedup_key)))
    return sorted(alerts), sorted(keys)


@pytest.mark.postgres
def test_two_deciders_at_once_decide_as_one_would(postgres_server_url: str) -> None:
    complaints = _complaints()
    with (
        fresh_database(postgres_server_url) as shared,
        fresh_database(postgres_server_url) as alone,
    ):
        for url in (shared, alone):
            add_mentions(url, complaints, rating=1.0)
            _score_negative(url)

        raised = two_workers_at_once(lambda _: steps.decide(Settings(database_url=shared)))
        raised_alone = steps.decide(Settings(database_url=alone))

        alerts, keys = _decided(shared)
        assert (alerts, keys) == _decided(alone)
    assert sum(raised) == raised_alone > 0
    assert len(keys) == len(set(keys))
    assert any(status == "grouped" for _, status, _ in alerts)  # an incident formed


class SlowSender:
    """Posts through the real Slack client, a little slowly, so two drains interleave."""

    def __init__(self, sender: SlackSender) -> None:
        self.sender = sender

    def send(self, channel: str, payload: Mapping[str, Any]) -> SentMessage:
        time.sleep(0.01)
        return self.sender.send(channel, payload)


def _queue_messages(database_url: str, count: int) -> None:
    with session_scope(database_url) as session:
        for number in range(count):
            enqueue(
                session,
                dedup_key=f"test:{number}",
                channel="C-ALERTS",
                payload={"text": f"message {number}"},
                now=NOW - timedelta(seconds=1),
            )


@pytest.mark.postgres
def test_two_senders_at_once_post_each_message_once(database: str, fake_slack: FakeSlack) -> None:
    _queue_messages(database, 80)
    client = build_web_client(fake_slack.base_url, "xoxb-test")

    results = two_workers_at_once(
        lambda _: drain_outbox(database, SlowSender(SlackSender(client)), now=NOW)
    )

    posted = Counter(body["text"] for body in fake_slack.posted_messages())
    assert posted == Counter(f"message {n}" for n in range(80))
    assert sorted(result.sent for result in results) != [0, 80]  # both sent some
    assert sum(result.sent for result in results) == 80
    with Session(get_engine(database)) as session:
        unsent = session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
        assert list(unsent) == []


@pytest.mark.postgres
def test_workers_started_together_on_a_new_database_both_start(postgres_server_url: str) -> None:
    with fresh_database(postgres_server_url, migrated=False) as url:
        sources = [
            {"name": name, "kind": "rss", "url": f"https://x.test/{name}.xml"}
            for name in ("news", "blog", "forum")
        ]
        settings = Settings.model_validate({"database_url": url, "sources": sources})

        two_workers_at_once(
            lambda _: Worker(
                settings, Console(file=io.StringIO()), WorkerMetrics()
            ).prepare_database()
        )

        with session_scope(url) as session:
            assert sorted(session.scalars(select(Source.name))) == ["blog", "forum", "news"]


def test_a_worker_with_crawling_off_only_scores_decides_and_sends(sqlite_url: str) -> None:
    source = {"name": "reviews", "kind": "rss", "url": "https://x.test/feed.xml"}
    settings = Settings.model_validate(
        {"database_url": sqlite_url, "sources": [source], "report": {"enabled": False}}
    )
    scoring_only = settings.model_copy(update={"worker": WorkerConfig(crawl=False)})

    jobs = {}
    for name, config in (("crawling", settings), ("scoring", scoring_only)):
        worker = Worker(config, Console(file=io.StringIO()), WorkerMetrics())
        worker.schedule(NOW)
        jobs[name] = sorted(job.id for job in worker._scheduler.get_jobs())

    assert jobs == {
        "crawling": ["crawl:reviews", "process", "refit"],
        "scoring": ["process", "refit"],
    }


def test_a_call_for_a_pass_while_one_runs_returns_at_once_and_gets_its_pass(
    sqlite_url: str,
) -> None:
    worker = Worker(Settings(database_url=sqlite_url), Console(file=io.StringIO()), WorkerMetrics())
    running, release = threading.Event(), threading.Event()
    passes: list[str] = []

    def one_pass() -> None:
        passes.append("pass")
        running.set()
        assert release.wait(10)

    worker._process_once = one_pass  # type: ignore[method-assign]
    first = threading.Thread(target=worker.process)
    first.start()
    assert running.wait(10)

    asked_at = time.monotonic()
    worker.process()  # a crawl thread finishing while the pass runs
    waited = time.monotonic() - asked_at
    release.set()
    first.join(10)

    assert waited < 1.0
    assert passes == ["pass", "pass"]  # the running pass made one more for the new mentions


def test_a_pass_scores_the_newest_first_and_decides_after_every_chunk(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ages = {"undated": None, "an hour": 1, "a day": 24, "a week": 168, "a year": 8760}
    with session_scope(sqlite_url) as session:
        source = Source(
            name="reviews", kind="schemaorg", url="https://x.test/", brand="Acme", every_seconds=60
        )
        session.add(source)
        session.flush()
        for number, (body, hours) in enumerate(sorted(ages.items(), key=lambda kv: str(kv[1]))):
            published = None if hours is None else NOW - timedelta(hours=hours)
            session.add(
                Mention(
                    source=source,
                    external_id=f"review-{number}",
                    text=body,
                    content_hash=f"hash-{number}",
                    published_at=published,
                    fetched_at=NOW,
                    lang="en",
                )
            )
    monkeypatch.setattr(steps, "SCORE_CHUNK", 2)
    scored_at_each_decision: list[int] = []

    def decide(settings: Settings) -> int:
        with session_scope(settings.database_url) as session:
            scored_at_each_decision.append(len(session.scalars(select(Score.id)).all()))
        return 0

    monkeypatch.setattr(steps, "decide", decide)
    settings = Settings(database_url=sqlite_url, sentiment=SentimentConfig(batch_size=1))
    worker = Worker(settings, Console(file=io.StringIO()), WorkerMetrics())
    seen: list[str] = []
    worker._scorer = RecordingScorer(seen, threading.Lock())

    worker._process_once()

    assert seen == ["undated", "an hour", "a day", "a week", "a year"]
    assert scored_at_each_decision == [2, 4, 5, 5]  # committed chunk by chunk, then a last look


def test_a_running_worker_sends_on_its_delivery_thread_while_the_pass_goes_on(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sending, release = threading.Event(), threading.Event()
    sent_on: list[str] = []

    def slow_send(settings: Settings, console: Console) -> DrainResult:
        sent_on.append(threading.current_thread().name)
        sending.set()
        assert release.wait(10)  # Slack answering slowly
        return DrainResult(sent=0, failed=0, pending=0)

    monkeypatch.setattr(steps, "send", slow_send)
    monkeypatch.setattr(steps, "decide", lambda settings: 0)
    worker = Worker(Settings(database_url=sqlite_url), Console(file=io.StringIO()), WorkerMetrics())
    worker._scorer = RecordingScorer([], threading.Lock())
    worker.start_delivery()

    worker.process()  # the pass returns while its messages are still being sent
    assert sending.wait(10)
    worker.process()  # asked for during that send: one more send follows it
    release.set()
    deadline = time.monotonic() + 10
    while len(sent_on) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker._stop_delivery(10)

    assert sent_on == ["repwatch-delivery", "repwatch-delivery"]
    assert not worker._delivery.is_alive()  # type: ignore[union-attr]


def test_a_worker_that_is_not_running_sends_in_the_pass_itself(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_on: list[str] = []

    def send(settings: Settings, console: Console) -> DrainResult:
        sent_on.append(threading.current_thread().name)
        return DrainResult(sent=0, failed=0, pending=0)

    monkeypatch.setattr(steps, "send", send)
    worker = Worker(Settings(database_url=sqlite_url), Console(file=io.StringIO()), WorkerMetrics())
    worker._scorer = RecordingScorer([], threading.Lock())

    worker.process()

    assert sent_on == [threading.current_thread().name]
