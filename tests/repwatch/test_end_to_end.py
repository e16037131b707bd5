"""The whole flow over real HTTP: local sources → crawl → DB → score → outbox → fake Slack."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from rich.console import Console
from sqlalchemy import func, select

from config.settings import Settings
from repwatch.commands.demo import demo_settings
from repwatch.demo.site import load_samples, serve_demo_site
from repwatch.flow import run_pass
from storage.db import session_scope
from storage.models import Alert, Mention, OutboxMessage

SOURCES = ["acme-product-reviews", "acme-news-and-forums"]


def _settings(base_url: str, tmp_path: Path, slack_base_url: str) -> Settings:
    settings = demo_settings(base_url, "Acme", tmp_path)
    return settings.model_copy(
        update={"slack_base_url": slack_base_url, "slack_bot_token": SecretStr("xoxb-e2e")}
    )


def _counts(database_url: str) -> tuple[int, int, int]:
    with session_scope(database_url) as session:
        return (
            session.scalar(select(func.count()).select_from(Mention)) or 0,
            session.scalar(select(func.count()).select_from(Alert)) or 0,
            session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
        )


def _all_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_flow_posts_alerts_once_with_quote_link_and_checklist(tmp_path: Path, fake_slack) -> None:
    samples = load_samples()
    with serve_demo_site() as (base_url, _site):
        settings = _settings(base_url, tmp_path, fake_slack.base_url)
        first = run_pass(settings, Console(file=io.StringIO()), sources=SOURCES)
        mentions, alerts, queued = _counts(settings.database_url)
        posted = fake_slack.posted_messages()

        assert mentions == len(samples["reviews"]) + len(samples["feed"])
        assert first.alerts == alerts > 0
        assert len(posted) == queued == alerts
        assert first.delivery.sent == alerts

        sparked = next(r for r in samples["reviews"] if "sparked" in r["text"])
        message = next(m for m in posted if sparked["author"] in _all_text(m["blocks"]))
        text = _all_text(message["blocks"])
        assert "contacting a lawyer" in text
        assert f"{base_url}/product#review-{sparked['id']}" in text
        assert "Acknowledge fast" in text and "Learn" in text

        # The first crawl is a quiet backfill: a negative older than the window is history.
        fire = next(r for r in samples["reviews"] if "fire hazard" in r["text"])
        assert fire["days_ago"] > 14
        assert all(fire["author"] not in _all_text(m["blocks"]) for m in posted)

        second = run_pass(settings, Console(file=io.StringIO()), sources=SOURCES)

    assert [c.new_items for c in second.crawls] == [0, 0]
    assert second.alerts == 0 and second.delivery.sent == 0
    assert _counts(settings.database_url) == (mentions, alerts, queued)
    assert len(fake_slack.posted_messages()) == len(posted)
