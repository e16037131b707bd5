"""The source-health alert: built as plain dicts, queued once per breakage."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.source_health import queue_source_health_alert, source_health_payload
from config.settings import BrandConfig, Settings, SlackConfig, SourceConfig
from crawler.job import CrawlSummary
from repwatch.steps import queue_health_alerts
from storage.db import session_scope
from storage.models import OutboxMessage
from tests.alerts.factories import NOW


def _summary(**changes: object) -> CrawlSummary:
    values: dict[str, object] = {
        "source": "shop-reviews",
        "outcome": "failed",
        "source_status": "broken",
        "items": 0,
        "new_items": 0,
        "updated_items": 0,
        "unchanged_items": 0,
        "errors": 2,
        "status_counts": {"403": 2},
        "duration_s": 1.5,
        "crawl_run_id": 7,
        "error_summary": "HTTP 403 <!channel> on https://shop.example/reviews",
        "blocked": 2,
        "became_broken": True,
    }
    values.update(changes)
    return CrawlSummary(**values)  # type: ignore[arg-type]


def test_payload_names_the_source_problem_and_escapes_it() -> None:
    payload = source_health_payload(_summary(), "https://shop.example/reviews")
    text = json.dumps(payload["blocks"], ensure_ascii=False)
    assert payload["text"] == "Source broken: shop-reviews"
    assert payload["unfurl_links"] is False
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert "HTTP 403: 2" in text and "*Block pages:* 2" in text


def _queue(session: Session, summary: CrawlSummary) -> int | None:
    url = "https://shop.example/reviews"
    return queue_source_health_alert(session, summary, url=url, channel="#ops", now=NOW)


def test_queued_once_per_breakage_and_only_when_it_broke(alerts_db: str) -> None:
    with session_scope(alerts_db) as session:
        first = _queue(session, _summary())
        again = _queue(session, _summary())
        still_broken = _queue(session, _summary(became_broken=False, crawl_run_id=8))
    assert first is not None and again is None and still_broken is None
    with session_scope(alerts_db) as session:
        message = session.scalars(select(OutboxMessage)).one()
    assert (message.dedup_key, message.channel) == ("source-health:shop-reviews:run-7", "#ops")


def test_the_flow_queues_health_alerts_with_the_configured_url_and_channel(
    alerts_db: str,
) -> None:
    settings = Settings(
        database_url=alerts_db,
        brand=BrandConfig(name="Acme"),
        sources=[SourceConfig(name="shop-reviews", kind="schemaorg", url="https://shop.example/r")],
        slack=SlackConfig(channel="#ops"),
    )
    broke, still = _summary(), _summary(became_broken=False, crawl_run_id=9)
    assert queue_health_alerts(settings, [broke, still]) == 1
    with session_scope(alerts_db) as session:
        message = session.scalars(select(OutboxMessage)).one()
    assert message.channel == "#ops"
    assert "https://shop.example/r" in json.dumps(message.payload["blocks"])
