"""Load through the whole flow (benchmarks/load_10k.py): a few hundred mentions in CI,
10,000 in the long mode. Every mention is stored and scored once, every message posted
once; the figures go to docs/reliability.md from the benchmark's own run."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.load_10k import LoadPlan, run_load
from tests.reliability.conftest import Mode
from tests.sentiment.tiny import THREE_CLASS, build_tiny_model

pytestmark = pytest.mark.reliability

# Well under what the benchmark measured on two shared cores; a collapse, not a wobble.
MIN_MENTIONS_PER_S = 5.0


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_tiny_model(tmp_path_factory.mktemp("tiny"), THREE_CLASS))


@pytest.mark.parametrize("incidents", [True, False], ids=["grouped", "one-alert-each"])
def test_mentions_flow_through_every_stage_once(
    tmp_path: Path, tiny_model: str, mode: Mode, incidents: bool
) -> None:
    if incidents and not mode.long:
        pytest.skip("long mode only: CI runs the heavier one-alert-each flow")
    mentions = mode.load_mentions
    plan = LoadPlan(mentions, tiny_model, per_feed=max(mentions // 10, 1), incidents=incidents)

    report = run_load(f"sqlite:///{tmp_path / 'load.db'}", plan)

    stages = {stage.name: stage for stage in report.stages}
    assert stages["crawl + store"].count == stages["score"].count == mentions
    assert report.alerts > 0
    assert report.posted == report.messages and report.repeated_posts == 0
    flow_seconds = sum(s.seconds for s in report.stages if s.name != "load model")
    assert mentions / flow_seconds > MIN_MENTIONS_PER_S
