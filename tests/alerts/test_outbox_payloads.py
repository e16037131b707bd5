"""Outbox payloads beyond a plain message: a file to upload, and replies in an alert's thread."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import select

from delivery.console import ConsoleSender
from delivery.drain import DrainResult, drain_outbox
from delivery.outbox import enqueue
from storage.db import session_scope
from storage.models import Alert, OutboxMessage
from tests.alerts.factories import NOW
from tests.alerts.test_sender import LATER, outbox_rows, queue_alerts, sender_for
from tests.fakes.slack_server import FakeSlack

PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 20


def chart(tmp_path: Path, name: str = "weekly.png") -> Path:
    path = tmp_path / name
    path.write_bytes(PNG)
    return path


def queue(url: str, payload: dict[str, Any], key: str = "digest", **extra: Any) -> None:
    with session_scope(url) as session:
        enqueue(session, dedup_key=key, channel="#reputation", payload=payload, now=NOW, **extra)


def digest(path: Path, filename: str = "weekly.png") -> dict[str, Any]:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Week 18*"}}]
    file = {"path": str(path), "filename": filename, "title": "Sentiment, week 18"}
    return {"text": "Weekly sentiment digest", "blocks": blocks, "file": file}


def test_message_with_a_file_posts_the_blocks_then_uploads_the_file(
    alerts_db: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    queue(alerts_db, digest(chart(tmp_path)))
    assert drain_outbox(alerts_db, sender_for(fake_slack), now=LATER) == DrainResult(1, 0, 0)
    methods = [r.api_method for r in fake_slack.requests]
    assert methods[0] == "chat.postMessage" and methods[-1] == "files.completeUploadExternal"
    assert methods[1] == "files.getUploadURLExternal"
    [posted] = fake_slack.posted_messages()
    assert "file" not in posted and posted["blocks"][0]["text"]["text"] == "*Week 18*"
    complete = fake_slack.calls("files.completeUploadExternal")[0].body
    assert complete["channel_id"] == FakeSlack.channel_id("#reputation")
    assert complete["files"][0]["title"] == "Sentiment, week 18"
    assert list(fake_slack.uploads.values()) == [PNG]
    assert fake_slack.calls("files.getUploadURLExternal")[0].body["filename"] == "weekly.png"


def test_a_failed_upload_is_retried_without_posting_the_message_twice(
    alerts_db: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    queue(alerts_db, digest(chart(tmp_path, "flaky-weekly.png"), "flaky-weekly.png"))
    sender = sender_for(fake_slack)
    assert drain_outbox(alerts_db, sender, now=LATER) == DrainResult(0, 1, 1)
    [row] = outbox_rows(alerts_db)
    assert row.payload["posted"]["ts"] == row.result_ts is not None
    assert row.last_error == "file upload answered HTTP 500"
    assert drain_outbox(alerts_db, sender, now=LATER + timedelta(minutes=1)).sent == 1
    assert len(fake_slack.calls("chat.postMessage")) == 1
    assert len(fake_slack.uploads) == 1
    assert len(fake_slack.calls("files.completeUploadExternal")) == 1


def test_a_missing_file_holds_only_its_own_message(
    alerts_db: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    queue(alerts_db, digest(tmp_path / "gone.png"), priority=1)
    queue(alerts_db, {"text": "plain"}, key="plain", priority=2)
    assert drain_outbox(alerts_db, sender_for(fake_slack), now=LATER) == DrainResult(1, 1, 1)
    waiting = outbox_rows(alerts_db)[0]
    assert waiting.last_error == f"the file to upload does not exist: {tmp_path / 'gone.png'}"
    assert [m["text"] for m in fake_slack.posted_messages()] == ["plain"]


def test_console_sender_shows_the_file_by_its_path(alerts_db: str, tmp_path: Path) -> None:
    path = chart(tmp_path)
    queue(alerts_db, digest(path))
    output = StringIO()
    console = Console(file=output, width=200, color_system=None)
    assert drain_outbox(alerts_db, ConsoleSender(console), now=LATER).sent == 1
    assert f"📎 Sentiment, week 18: {path}" in output.getvalue()


def test_a_thread_reply_waits_for_its_alert_then_goes_in_its_thread(
    alerts_db: str, fake_slack: FakeSlack
) -> None:
    queue_alerts(alerts_db, ("Awful.", 0.9))
    with session_scope(alerts_db) as session:
        alert_id = session.scalars(select(Alert.id)).one()
    reply = {"text": "follow-up", "in_thread": True}
    queue(alerts_db, reply, key="reply", priority=1, alert_id=alert_id)
    sender = sender_for(fake_slack)
    assert drain_outbox(alerts_db, sender, now=LATER) == DrainResult(1, 1, 1)
    with session_scope(alerts_db) as session:
        waiting = session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key == "reply"))
        assert waiting.one().last_error == "waiting for the alert's own message to be sent"
    assert drain_outbox(alerts_db, sender, now=LATER + timedelta(minutes=1)).sent == 1
    first, second = fake_slack.posted_messages()
    assert "thread_ts" not in first and "in_thread" not in second
    assert second["thread_ts"] == fake_slack.calls("chat.postMessage")[0].response["ts"]
    with session_scope(alerts_db) as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None and alert.slack_ts == second["thread_ts"]  # not the reply's ts


def test_a_thread_reply_after_a_console_alert_goes_out_unthreaded(alerts_db: str) -> None:
    queue_alerts(alerts_db, ("Awful.", 0.9))
    with session_scope(alerts_db) as session:
        alert_id = session.scalars(select(Alert.id)).one()
    queue(alerts_db, {"text": "follow-up", "in_thread": True}, key="r", alert_id=alert_id)
    console = Console(file=StringIO(), width=120, color_system=None)
    assert drain_outbox(alerts_db, ConsoleSender(console), now=LATER).sent == 2
