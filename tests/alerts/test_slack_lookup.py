"""Looking a message up in Slack by its outbox key, against the fake Slack Web API."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from delivery import slack_lookup
from delivery.slack_lookup import dedup_key_of, find_posted, outbox_metadata
from tests.fakes.slack_server import FakeSlack

A_MINUTE_AGO = datetime.now(UTC) - timedelta(minutes=1)


def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.base_url, timeout=5)


def post(web: WebClient, key: str, thread_ts: str | None = None) -> str:
    metadata = outbox_metadata(key)
    response = web.chat_postMessage(channel="C1", text=key, metadata=metadata, thread_ts=thread_ts)
    return str(response["ts"])


def test_the_outbox_key_is_read_back_from_metadata_of_our_event_type_only() -> None:
    assert dedup_key_of({"metadata": outbox_metadata("alert:mention:7")}) == "alert:mention:7"
    other = {"event_type": "deploy", "event_payload": {"dedup_key": "alert:mention:7"}}
    assert dedup_key_of({"metadata": other}) is None
    assert dedup_key_of({"text": "no metadata"}) is None


def test_a_message_is_found_by_its_key_through_the_pages(
    fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack_lookup, "PAGE_SIZE", 2)
    web = client(fake_slack)
    wanted = post(web, "k0")
    for number in range(1, 5):
        post(web, f"k{number}")
    assert find_posted(web, "C1", "k0", A_MINUTE_AGO) == wanted
    assert len(fake_slack.calls("conversations.history")) == 3
    assert find_posted(web, "C1", "k9", A_MINUTE_AGO) is None


def test_only_messages_from_just_before_the_post_on_are_read(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    post(web, "k0")
    assert find_posted(web, "C1", "k0", datetime.now(UTC) + timedelta(minutes=4)) is not None
    assert find_posted(web, "C1", "k0", datetime.now(UTC) + timedelta(minutes=6)) is None


def test_a_thread_reply_is_found_in_its_thread(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    parent = post(web, "alert")
    reply = post(web, "reply", thread_ts=parent)
    assert find_posted(web, "C1", "reply", A_MINUTE_AGO) is None  # not in the channel
    assert find_posted(web, "C1", "reply", A_MINUTE_AGO, thread_ts=parent) == reply


def test_the_search_stops_after_max_pages_and_says_so(
    fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(slack_lookup, "PAGE_SIZE", 2)
    monkeypatch.setattr(slack_lookup, "MAX_PAGES", 2)
    web = client(fake_slack)
    for number in range(5):
        post(web, f"k{number}")
    with caplog.at_level(logging.WARNING, logger="alerts.slack_lookup"):
        assert find_posted(web, "C1", "k0", A_MINUTE_AGO) is None
    assert len(fake_slack.calls("conversations.history")) == 2
    assert "outbox message k0 not found in the 4 newest messages of C1" in caplog.text
