"""The fake Slack Web API answers like Slack does, so the other tests can trust it."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack_server import FakeSlack


def client(fake: FakeSlack, token: str = "xoxb-test") -> WebClient:
    return WebClient(token=token, base_url=fake.base_url, timeout=5)


def test_post_message_answers_with_channel_id_and_ts(fake_slack: FakeSlack) -> None:
    before = time.time()
    response = client(fake_slack).chat_postMessage(channel="C0123ABCD", text="hello")
    assert (response["ok"], response["channel"]) == (True, "C0123ABCD")
    # Slack's own form: the wall clock in seconds, to the microsecond.
    assert before - 1 < float(response["ts"]) < time.time() + 1
    assert len(response["ts"].split(".")[1]) == 6
    [request] = fake_slack.requests
    assert (request.method, request.path, request.token) == (
        "POST",
        "/api/chat.postMessage",
        "xoxb-test",
    )
    assert request.headers["content-type"].startswith("application/json")
    assert fake_slack.posted_messages() == [{"channel": "C0123ABCD", "text": "hello"}]


def test_update_and_form_encoded_bodies(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    posted = web.chat_postMessage(channel="#alerts", text="v1")
    updated = web.chat_update(channel=posted["channel"], ts=posted["ts"], text="v2")
    assert (updated["ts"], updated["text"]) == (posted["ts"], "v2")
    web.api_call("auth.test", params={"extra": "1"})
    assert fake_slack.calls("auth.test")[0].body == {"extra": "1"}


def test_files_upload_v2_goes_through_all_three_steps(fake_slack: FakeSlack) -> None:
    response = client(fake_slack).files_upload_v2(
        channel="C0REPORTS", content=b"png bytes", filename="week.png", title="Week 18"
    )
    file_id = response["file"]["id"]
    assert fake_slack.uploads[file_id] == b"png bytes"
    assert [r.api_method for r in fake_slack.requests] == [
        "files.getUploadURLExternal",
        file_id,
        "files.completeUploadExternal",
    ]
    assert fake_slack.calls("files.completeUploadExternal")[0].body["channel_id"] == "C0REPORTS"


@pytest.mark.parametrize(
    ("token", "channel", "error"),
    [
        ("xoxb-invalid", "C1", "invalid_auth"),
        ("xoxb-test", "C_NOT_FOUND", "channel_not_found"),
        ("", "C1", "not_authed"),
    ],
)
def test_refusals_are_chosen_by_the_request(
    fake_slack: FakeSlack, token: str, channel: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        WebClient(token=token or None, base_url=fake_slack.base_url).chat_postMessage(
            channel=channel, text="x"
        )
    assert raised.value.response["error"] == error
    assert fake_slack.posted_messages() == []


def test_rate_limit_then_ok_and_outage_until_flipped(fake_slack: FakeSlack) -> None:
    def post(token: str) -> int:
        request = urllib.request.Request(
            f"{fake_slack.base_url}chat.postMessage",
            data=json.dumps({"channel": "C1", "text": "x"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    assert [post("xoxb-ratelimited"), post("xoxb-ratelimited")] == [429, 200]
    assert fake_slack.calls("chat.postMessage")[0].response == {"ok": False, "error": "ratelimited"}
    assert [post("xoxb-outage"), post("xoxb-outage")] == [500, 500]
    fake_slack.end_outage()
    assert post("xoxb-outage") == 200


def test_unknown_method_is_refused(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        client(fake_slack).api_call("chat.nothing")
    assert raised.value.response["error"] == "unknown_method"


METADATA = {"event_type": "repwatch_outbox", "event_payload": {"dedup_key": "k1"}}


def texts(response: Any) -> list[str]:
    return [message["text"] for message in response["messages"]]


def test_history_is_the_channel_newest_first_with_metadata_only_when_asked(
    fake_slack: FakeSlack,
) -> None:
    web = client(fake_slack)
    first = web.chat_postMessage(channel="C1", text="one", metadata=METADATA)
    web.chat_postMessage(channel="C1", text="in the thread", thread_ts=first["ts"])
    web.chat_postMessage(channel="C1", text="two")
    web.chat_postMessage(channel="C2", text="elsewhere")
    plain = web.conversations_history(channel="C1")
    assert (texts(plain), plain["has_more"]) == (["two", "one"], False)
    assert "metadata" not in plain["messages"][1]
    full = web.conversations_history(channel="C1", include_all_metadata=True)
    assert full["messages"][1]["metadata"] == METADATA
    assert texts(web.conversations_history(channel="C1", oldest=first["ts"])) == ["two"]
    inclusive = web.conversations_history(channel="C1", oldest=first["ts"], inclusive=True)
    assert texts(inclusive) == ["two", "one"]


def test_history_pages_with_a_cursor(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    for number in range(5):
        web.chat_postMessage(channel="C1", text=f"m{number}")
    pages: list[list[str]] = []
    cursor = None
    while not pages or cursor:
        page = web.conversations_history(channel="C1", limit=2, cursor=cursor)
        pages.append(texts(page))
        cursor = page["response_metadata"]["next_cursor"] if page["has_more"] else None
    assert pages == [["m4", "m3"], ["m2", "m1"], ["m0"]]


def test_replies_are_the_parent_then_the_thread_oldest_first(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    parent = web.chat_postMessage(channel="C1", text="alert")
    for number in range(3):
        web.chat_postMessage(channel="C1", text=f"r{number}", thread_ts=parent["ts"])
    first = web.conversations_replies(channel="C1", ts=parent["ts"], limit=2)
    assert (texts(first), first["has_more"]) == (["alert", "r0"], True)
    cursor = first["response_metadata"]["next_cursor"]
    rest = web.conversations_replies(channel="C1", ts=parent["ts"], limit=2, cursor=cursor)
    assert (texts(rest), rest["has_more"]) == (["r1", "r2"], False)


@pytest.mark.parametrize(
    ("token", "method", "channel", "error"),
    [
        ("xoxb-test", "conversations.history", "#alerts", "channel_not_found"),  # ids only
        ("xoxb-test", "conversations.history", "C_NOT_FOUND", "channel_not_found"),
        ("xoxb-test", "conversations.replies", "C1", "thread_not_found"),
        ("xoxb-no-history", "conversations.history", "C1", "missing_scope"),
    ],
)
def test_reading_refusals_are_chosen_by_the_request(
    fake_slack: FakeSlack, token: str, method: str, channel: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        client(fake_slack, token).api_call(method, params={"channel": channel, "ts": "1.000001"})
    assert raised.value.response["error"] == error
    if error == "missing_scope":
        assert raised.value.response["needed"].startswith("channels:history,groups:history")
