"""The refit from corrections (repwatch/refit.py), on SQLite and PostgreSQL: accepted and
put to use, refused when held-out accuracy drops, skipped without enough corrections,
scheduled by the worker, and run and listed from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import delete, select
from typer.testing import CliRunner

from config.settings import BrandConfig, RefitConfig, SentimentConfig, Settings
from repwatch.cli import app
from repwatch.flow import load_scorer
from repwatch.metrics import WorkerMetrics
from repwatch.refit import apply_active_refit, held_out, refit, refit_lock
from repwatch.worker import Worker
from sentiment.results import ScoreInput
from sentiment.scorer import Scorer
from storage.db import session_scope
from storage.migrate import upgrade
from storage.models import Feedback, Mention, ModelRefit, Score, Source
from tests.alerts.factories import NOW, make_mention, make_source
from tests.sentiment.tiny import THREE_CLASS, build_tiny_model

COMPLAINT = "battery died again after the update, charger port loose {n}"
PRAISE = "lovely phone, camera sharp and delivery quick {n}"
MILD = "battery lasts half a day now, a bit disappointing {n}"  # the model misses these


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "three", THREE_CLASS)


@pytest.fixture
def refit_db(database_url: str) -> Iterator[str]:
    upgrade(database_url)

    def empty() -> None:
        with session_scope(database_url) as session:
            for model in (ModelRefit, Feedback, Score, Mention, Source):
                session.execute(delete(model))

    empty()
    yield database_url
    empty()


def settings_for(url: str, model: Path, **refit: Any) -> Settings:
    return Settings(
        database_url=url,
        model=str(model),
        brand=BrandConfig(name="Acme"),
        sentiment=SentimentConfig(models_by_lang={}, refit=RefitConfig(min_corrections=4, **refit)),
    )


def store_mentions(url: str, *, corrections: int = 12, flip_training: bool = False) -> None:
    """Star-rated complaints and praise, and mild complaints corrected by a person.

    `flip_training`: the training side (not held out) gets the opposite labels, so that a
    refit learns the wrong way round and must be refused."""
    with session_scope(url) as session:
        source = make_source(session, name="shop", brand="Acme")
        other = make_source(session, name="other-brand", brand="Globex")
        for n in range(30):
            for text, stars in ((COMPLAINT, 1.0), (PRAISE, 5.0)):
                mention = make_mention(session, source, text=text.format(n=n), rating=stars)
                if flip_training and not held_out(mention.id):
                    mention.rating = 6.0 - stars
            make_mention(session, other, text=PRAISE.format(n=n), rating=1.0)  # not Acme's
        for n in range(corrections):
            mention = make_mention(session, source, text=MILD.format(n=n))
            wrong = flip_training and not held_out(mention.id)
            session.add(
                Feedback(
                    mention_id=mention.id,
                    text=mention.text,
                    lang="en",
                    corrected_label="neutral" if wrong else "negative",
                    user_id=f"U{n}",
                    created_at=NOW,
                )
            )


def no_model_needed() -> Scorer:
    raise AssertionError("a skipped refit loads no model")


def p_negative(scorer: Scorer, text: str) -> float:
    return scorer.score([ScoreInput(text)])[0].probs["negative"]


def test_an_accepted_refit_pages_what_people_said_it_missed(
    refit_db: str, tiny_model: Path
) -> None:
    settings = settings_for(refit_db, tiny_model)
    store_mentions(refit_db)
    scorer = load_scorer(settings)
    assert isinstance(scorer, Scorer)
    before = p_negative(scorer, MILD.format(n=99))

    outcome = refit(settings, lambda: scorer, NOW + timedelta(days=1))

    assert outcome.status == "accepted", outcome.message
    assert outcome.figures is not None
    assert outcome.figures["accuracy_after"] > outcome.figures["accuracy_before"]
    assert outcome.figures["train_corrections"] + outcome.figures["held_out_corrections"] == 12
    assert outcome.figures["train"] + outcome.figures["held_out"] == 72  # Globex's left out
    with session_scope(refit_db) as session:
        row = session.scalars(select(ModelRefit)).one()
        assert (row.brand, row.accepted, row.model) == ("Acme", True, scorer.base_model_id)
        assert row.head and row.threshold is not None
        threshold = row.threshold

    decide_settings, refit_id = apply_active_refit(settings, scorer)

    assert refit_id == outcome.refit_id
    assert scorer.model_id == f"{scorer.base_model_id}+refit-{refit_id}"
    assert decide_settings.rules.negative_threshold == threshold
    assert settings.rules.negative_threshold == 0.6  # the configured settings stay as they are
    after = p_negative(scorer, MILD.format(n=99))
    assert before < settings.rules.negative_threshold and after >= threshold > before
    assert p_negative(scorer, PRAISE.format(n=99)) < threshold


def test_a_refit_that_lowers_held_out_accuracy_is_refused_and_logged(
    refit_db: str, tiny_model: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(refit_db, tiny_model)
    store_mentions(refit_db, flip_training=True)
    scorer = load_scorer(settings)

    outcome = refit(settings, lambda: scorer, NOW + timedelta(days=1))

    assert outcome.status == "refused", outcome.message
    assert outcome.figures is not None
    assert outcome.figures["accuracy_after"] < outcome.figures["accuracy_before"]
    assert "refused, the one in use stays" in caplog.text
    with session_scope(refit_db) as session:
        row = session.scalars(select(ModelRefit)).one()
        assert not row.accepted and row.reason.startswith("refused: held-out accuracy")
    _, refit_id = apply_active_refit(settings, scorer)
    assert refit_id is None and scorer.correction is None


def test_too_few_corrections_skip_the_refit(refit_db: str, tiny_model: Path) -> None:
    settings = settings_for(refit_db, tiny_model)
    store_mentions(refit_db, corrections=3)
    outcome = refit(settings, no_model_needed, NOW + timedelta(days=1))
    assert outcome.status == "skipped"
    assert "3 correction(s) in the last 28 days, 4 needed" in outcome.message
    old = refit(settings, no_model_needed, NOW + timedelta(days=40))  # out of the window
    assert "0 correction(s)" in old.message
    with session_scope(refit_db) as session:
        assert session.scalars(select(ModelRefit)).all() == []


def test_a_scheduled_refit_skips_when_another_worker_just_refitted(
    refit_db: str, tiny_model: Path
) -> None:
    settings = settings_for(refit_db, tiny_model)
    store_mentions(refit_db)
    first = refit(settings, lambda: load_scorer(settings), NOW, scheduled=True)
    assert first.status == "accepted", first.message
    again = refit(settings, no_model_needed, NOW + timedelta(days=3), scheduled=True)
    assert again.status == "skipped" and "another was stored at" in again.message
    by_hand = refit(settings, lambda: load_scorer(settings), NOW + timedelta(days=3))
    assert by_hand.status == "accepted", by_hand.message


def test_a_refit_is_skipped_while_another_of_the_brand_runs(
    refit_db: str, tiny_model: Path
) -> None:
    settings = settings_for(refit_db, tiny_model)
    store_mentions(refit_db)
    with refit_lock(refit_db, "Acme") as held:  # as another worker would hold it
        assert held
        if refit_db.startswith("postgresql"):
            busy = refit(settings, no_model_needed, NOW, scheduled=True)
            assert busy.status == "skipped" and "another is running" in busy.message
            with refit_lock(refit_db, "Globex") as other_brand:
                assert other_brand  # one lock per brand
    with session_scope(refit_db) as session:
        assert session.scalars(select(ModelRefit)).all() == []
    # Released at the end of the block: the next refit runs.
    assert refit(settings, lambda: load_scorer(settings), NOW).status == "accepted"


def test_the_worker_schedules_refits_every_interval_after_the_last(
    refit_db: str, tiny_model: Path
) -> None:
    settings = settings_for(refit_db, tiny_model, every="7d")
    worker = Worker(settings, Console(file=None), WorkerMetrics())
    worker.schedule(NOW)
    assert worker._scheduler.get_job("refit").next_run_time == NOW
    with session_scope(refit_db) as session:
        session.add(
            ModelRefit(
                brand="Acme",
                model="m",
                created_at=NOW - timedelta(days=2),
                accepted=False,
                reason="refused: test",
                figures={},
            )
        )
    later = Worker(settings, Console(file=None), WorkerMetrics())
    later.schedule(NOW)
    job = later._scheduler.get_job("refit")
    assert job is not None and job.next_run_time == NOW + timedelta(days=5)
    off = Worker(settings_for(refit_db, tiny_model, enabled=False), Console(), WorkerMetrics())
    off.schedule(NOW)
    assert off._scheduler.get_job("refit") is None


def test_refit_and_refits_commands(
    refit_db: str, tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REPWATCH_DATABASE_URL", raising=False)
    config = tmp_path / "repwatch.yaml"
    config.write_text(
        f"database_url: {refit_db}\nmodel: {tiny_model}\nbrand: {{name: Acme}}\n"
        "sentiment: {models_by_lang: {}, refit: {min_corrections: 4, window: 100000d}}\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    empty = runner.invoke(app, ["model", "refits", "--config", str(config)])
    assert empty.exit_code == 0 and "no refits yet" in empty.output
    store_mentions(refit_db)

    ran = runner.invoke(app, ["model", "refit", "--config", str(config)])

    assert ran.exit_code == 0, ran.output
    assert "accepted: held-out accuracy" in ran.output and "threshold_after:" in ran.output
    listed = runner.invoke(app, ["model", "refits", "--config", str(config)])
    assert listed.exit_code == 0 and "accepted" in listed.output


def test_a_worker_takes_up_a_refit_stored_by_another_at_its_next_pass(
    refit_db: str, tiny_model: Path
) -> None:
    settings = settings_for(refit_db, tiny_model)
    store_mentions(refit_db)
    worker = Worker(settings, Console(file=None), WorkerMetrics())
    scorer = worker._loaded_scorer()
    worker._use_active_refit(scorer)
    assert scorer.correction is None and worker._decide_settings is settings

    outcome = refit(settings, lambda: load_scorer(settings), NOW)  # another process's refit
    worker._use_active_refit(scorer)

    assert outcome.status == "accepted" and worker._refit_id == outcome.refit_id
    correction = scorer.correction
    assert correction is not None and correction.name == f"refit-{outcome.refit_id}"
    threshold = worker._decide_settings.rules.negative_threshold
    assert outcome.figures is not None and threshold == outcome.figures["threshold_after"]
    worker._use_active_refit(scorer)
    assert scorer.correction is correction  # the same refit is not loaded again each pass
