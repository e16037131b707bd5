"""The Slack digest: Block Kit as plain dicts, queued once per week and brand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.playbook import load_playbook
from reports.digest import digest_blocks, digest_message, digest_text
from reports.exceptions import IncompleteWeekError
from reports.post import digest_key, queue_digest
from reports.report_data import WeeklyReport, collect_weekly_report
from storage.models import OutboxMessage
from tests.reports.conftest import NOW, W48


def collect(session: Session, brand: str | None = "Acme", **kw: object) -> WeeklyReport:
    options: dict[str, object] = {"now": NOW} | kw
    return collect_weekly_report(
        session,
        title="Acme weekly report",
        week=W48,
        weeks=3,
        brand=brand,
        playbook=load_playbook(),
        brand_words=["Acme"],
        **options,  # type: ignore[arg-type]
    )


def text_of(block: dict[str, object]) -> str:
    return str(block["text"]["text"])  # type: ignore[index]


def mrkdwn(text: str) -> dict[str, object]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def test_digest_blocks_of_the_week(week: Session) -> None:
    blocks = digest_blocks(collect(week))
    assert [block["type"] for block in blocks] == [
        "header", "section", "section", "section", "divider",
        "section", "section", "section", "context",
    ]  # fmt: skip
    assert blocks[0]["text"] == {
        "type": "plain_text",
        "text": "📊 Acme weekly report · 2026-W48",
        "emoji": True,
    }
    assert blocks[1]["fields"] == [
        mrkdwn("*Mentions*\n10 (+6 vs last week, +400% vs average)"),
        mrkdwn("*Negative*\n60.0% (+35.0 pp vs last week, +35.0 pp vs average)"),
        mrkdwn("*Mean score*\n-0.14 (-0.34 vs last week)"),
        mrkdwn("*Mean rating*\n3.4 (– vs last week)"),
    ]
    assert text_of(blocks[2]) == (
        "*Sources*\n• shop: 7 mentions, 42.9% negative (+17.9 pp)\n"
        "• forum: 3 mentions, 100.0% negative (–)\n• blog: 0 mentions, – negative (–)"
    )


def test_digest_themes_are_escaped_and_linked_safely(week: Session) -> None:
    themes = text_of(digest_blocks(collect(week))[3])
    assert themes == (
        "*Top negative themes*\n"
        "• *leaking · lid* (3)\n"
        "      _“The lid leaks.”_ — <https://shop.example/1|shop>\n"
        '      _“My kettle is leaking from the lid &lt;script&gt;alert("x")&lt;/script&gt;'
        " &amp; worse”_ — forum\n"
        "• *고객센터* (2)\n"
        "      _“고객센터 연락이 안 돼요.”_ — forum\n"
        "      _“고객센터는 전화를 안 받아요”_ — <https://shop.example/6|shop>"
    )


def test_digest_incidents_response_and_health(week: Session) -> None:
    blocks = digest_blocks(collect(week))
    assert text_of(blocks[5]) == (
        "*Incidents* (2)\n"
        "• P1 spike of negative mentions on forum — 8 mentions, open\n"
        "• P2 similar complaints: leak, lid — 3 mentions, resolved in 1d 2h"
    )
    assert text_of(blocks[6]) == (
        "*Response* (6 alerts)\n"
        "Acknowledged in 25m median, 30m p90 · resolved in 3h 05m median, 3h 49m p90\n"
        "Within SLA: P1 50.0% (1/2) · P2 100.0% (2/2) · P3 0.0% (0/1) · P4 – (0/0)\n"
        "Open overdue alerts: *2*"
    )
    assert text_of(blocks[7]) == (
        "*Source health*\n• blog: quiet\n"
        "• forum: broken, 2/2 runs failed, 5 errors — _parse failed: &lt;html&gt; page_"
    )
    assert blocks[8]["elements"] == [
        mrkdwn("repwatch weekly report · ISO weeks in UTC · 3-week window")
    ]


def test_digest_of_an_empty_install(db_session: Session) -> None:
    report = collect(db_session, brand=None)
    blocks = digest_blocks(report)
    assert [text_of(block) for block in blocks[1:2]] == [
        "*No data:* no mentions were collected in the last 3 weeks."
    ]
    assert text_of(blocks[3]) == "*Incidents*\nnone this week"
    assert (
        text_of(blocks[4]) == "*Response* (0 alerts)\nno alerts this week\nOpen overdue alerts: *0*"
    )
    assert text_of(blocks[5]) == "*Source health*\nno sources configured yet"
    assert digest_text(report) == "Acme weekly report 2026-W48: 0 mentions, – negative"


def test_message_carries_the_chart_to_upload(week: Session, tmp_path: Path) -> None:
    chart = tmp_path / "weekly.png"
    message = digest_message(collect(week), chart)
    assert message["text"] == "Acme weekly report 2026-W48: 10 mentions, 60.0% negative"
    assert (message["unfurl_links"], message["unfurl_media"]) == (False, False)
    assert message["file"] == {
        "path": str(chart.resolve()),
        "filename": "weekly.png",
        "title": "Acme weekly report · 2026-W48",
    }
    assert "file" not in digest_message(collect(week), None)


def test_digest_is_queued_once_per_week_and_brand(week: Session, tmp_path: Path) -> None:
    report = collect(week)
    first = queue_digest(week, report, channel="#rep", chart_path=None, now=NOW)
    again = queue_digest(week, report, channel="#rep", chart_path=None, now=NOW)
    assert first is not None and again is None
    message = week.scalars(select(OutboxMessage).where(OutboxMessage.id == first)).one()
    assert (message.dedup_key, message.channel, message.priority) == (
        "report:weekly:2026-W48:Acme",
        "#rep",
        4,
    )
    assert message.payload["blocks"] == digest_blocks(report)
    assert digest_key("2026-W48", None) == "report:weekly:2026-W48:all"


def test_a_week_in_progress_is_not_posted(week: Session) -> None:
    report = collect(week, now=NOW - timedelta(hours=11))
    with pytest.raises(IncompleteWeekError, match="2026-W48 is still in progress"):
        queue_digest(week, report, channel="#rep", chart_path=None, now=NOW)
