"""Validate and normalise pipelines, one item at a time; the store pipeline's setting."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from crawler.items import MentionItem
from crawler.pipelines.normalise import MAX_AUTHOR, NormaliseMentionPipeline
from crawler.pipelines.store import StoreMentionPipeline, mention_data
from crawler.pipelines.validate import ValidateMentionPipeline
from storage.repository import MentionData


def _item(**fields: object) -> MentionItem:
    values = {"source": "shop", "external_id": "r-1", "text": "Broke in a week.", **fields}
    return MentionItem(**values)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"text": "   "}, "no text"),
        ({"external_id": ""}, "no external id"),
        ({"source": None}, "no source name"),
        ({"rating": 0}, "rating 0 is not within 1-5"),
        ({"rating": "5"}, "rating '5' is not within 1-5"),
        ({"url": "javascript:alert(1)"}, "url 'javascript:alert(1)' is not http or https"),
        ({"published_at": datetime(2024, 1, 1)}, "published_at is not a timezone-aware datetime"),
    ],
)
def test_validate_drops_with_the_reason(fields: dict[str, object], reason: str) -> None:
    with pytest.raises(DropItem, match=re.escape(reason)):
        ValidateMentionPipeline().process_item(_item(**fields))


def test_validate_passes_a_good_item() -> None:
    item = _item(rating=4.5, url="https://shop.example.com/r/1")

    assert ValidateMentionPipeline().process_item(item) is item


def test_normalise_bounds_fields_and_moves_dates_to_utc() -> None:
    seoul = timezone(timedelta(hours=9))
    item = _item(
        external_id="x" * 600,
        text="  " + "a" * 50 + "  ",
        author="b" * 400,
        title="   ",
        rating=3,
        published_at=datetime(2024, 3, 1, 9, 0, tzinfo=seoul),
    )

    out = NormaliseMentionPipeline(max_text_chars=20).process_item(item)

    assert out["external_id"].startswith("sha256:") and len(out["external_id"]) == 71
    assert out["text"] == "a" * 19 + "…"
    assert len(out["author"]) == MAX_AUTHOR and out["author"].endswith("…")
    assert out["title"] is None
    assert out["rating"] == 3.0 and isinstance(out["rating"], float)
    assert out["published_at"] == datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
    assert out["published_at"].tzinfo is UTC


def test_normalise_reads_its_limit_from_settings() -> None:
    crawler = get_crawler(settings_dict={"REPWATCH_MAX_TEXT_CHARS": 123})

    assert NormaliseMentionPipeline.from_crawler(crawler).max_text_chars == 123


def test_store_needs_a_database_url() -> None:
    with pytest.raises(NotConfigured):
        StoreMentionPipeline.from_crawler(get_crawler(settings_dict={}))


def test_mention_data_from_an_item() -> None:
    item = _item(rating=2.0, url="https://s.example/1", lang="en")

    assert mention_data(item) == MentionData(
        external_id="r-1", text="Broke in a week.", url="https://s.example/1", rating=2.0, lang="en"
    )
