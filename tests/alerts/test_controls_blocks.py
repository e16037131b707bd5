"""Buttons, status lines, related mentions and incident alerts as plain Block Kit dicts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from alerts.controls import (
    ACKNOWLEDGE,
    ASSIGN,
    NEXT_STEP,
    NOT_NEGATIVE,
    RESOLVE,
    actions_block,
    alert_id_from_block,
    status_lines,
    user_ref,
)
from alerts.incident_blocks import incident_message, joined_message
from alerts.mention_blocks import alert_message
from alerts.playbook import load_playbook
from alerts.severity import Severity
from alerts.view import AlertState, IncidentView, RelatedView, step_views
from delivery.slack_text import MAX_SECTION_CHARS
from tests.alerts.factories import NOW
from tests.alerts.test_mention_blocks import HOSTILE, make_view

STATE = AlertState(alert_id=42)


def ids(block: dict[str, Any] | None) -> list[str]:
    assert block is not None
    return [element["action_id"] for element in block["elements"]]


def hostile_related(n: int = 0) -> RelatedView:
    return RelatedView(
        source_name=f"src {HOSTILE}",
        author=HOSTILE,
        rating=1,
        quote=f"{n}: {HOSTILE}",
        url="https://reviews.example.com/r|<!here>",
        published_at=NOW,
    )


def incident_view(**overrides: Any) -> IncidentView:
    values: dict[str, Any] = {
        "severity": Severity.P2,
        "kind": "similar",
        "source_name": "shop",
        "theme": ["x200", "<!channel>"],
        "reasons": ["30 similar complaints in the last 3 days", HOSTILE],
        "mention_count": 30,
        "evidence": [hostile_related(n) for n in range(10)],
        "steps": step_views(load_playbook(), Severity.P2, "en", NOW),
        "current_step": 1,
        "lang": "en",
        "opened_at": NOW,
        "state": AlertState(alert_id=7),
    }
    return IncidentView(**(values | overrides))


def test_open_alert_offers_every_button_with_the_alert_id() -> None:
    block = actions_block(STATE, "en", last_step=False, mention=True)
    assert block is not None and block["block_id"] == "repwatch_alert:42"
    assert ids(block) == [ACKNOWLEDGE, ASSIGN, NEXT_STEP, RESOLVE, NOT_NEGATIVE]
    assert [e.get("value") for e in block["elements"]] == ["42", None, "42", "42", "42"]
    assert block["elements"][1]["type"] == "users_select"
    assert block["elements"][3]["confirm"]["confirm"]["text"] == "Yes"
    assert alert_id_from_block(block["block_id"]) == 42


@pytest.mark.parametrize("block_id", [None, "", "other:1", "repwatch_alert:x", "repwatch_alert:"])
def test_foreign_block_ids_name_no_alert(block_id: str | None) -> None:
    assert alert_id_from_block(block_id) is None


def test_buttons_follow_progress() -> None:
    acknowledged = replace(STATE, status="acknowledged", assignee="U0OWNER")
    block = actions_block(acknowledged, "ko", last_step=True, mention=False)
    assert ids(block) == [ASSIGN, RESOLVE]
    assert block is not None and block["elements"][0]["initial_user"] == "U0OWNER"
    assert block["elements"][1]["text"]["text"] == "해결"
    for status in ("resolved", "dismissed"):
        assert (
            actions_block(replace(STATE, status=status), "en", last_step=False, mention=True)
            is None
        )


def test_status_lines_say_who_did_what() -> None:
    state = AlertState(
        alert_id=1,
        status="resolved",
        assignee="U0OWNER",
        acknowledged_by="U0DANA",
        acknowledged_at=NOW,
        resolved_by="U0DANA",
        resolved_at=NOW + timedelta(hours=1),
        incident_id=9,
    )
    lines = status_lines(state, "en")
    assert lines[0] == "📎 Part of incident #9"
    assert lines[1].startswith("✅ Acknowledged by <@U0DANA> · <!date^")
    assert lines[2] == "👤 Owner: <@U0OWNER>"
    assert lines[3].startswith("🏁 Resolved by <@U0DANA>")


@pytest.mark.parametrize("user_id", ["U1> <!channel", "<!here>", "here", "", None, "u0lower"])
def test_malformed_user_ids_never_become_mentions(user_id: str | None) -> None:
    assert user_ref(user_id) == "someone"
    state = AlertState(alert_id=1, status="acknowledged", assignee=user_id, acknowledged_by=user_id)
    assert "<!" not in " ".join(status_lines(state, "en"))


def test_alert_message_ends_with_status_and_buttons() -> None:
    state = AlertState(
        alert_id=5, status="acknowledged", acknowledged_by="U0DANA", acknowledged_at=NOW
    )
    message = alert_message(replace(make_view(), state=state))
    assert [block["type"] for block in message["blocks"][-2:]] == ["context", "actions"]
    assert "✅ Acknowledged by <@U0DANA>" in message["blocks"][-2]["elements"][0]["text"]


def test_related_mentions_are_escaped_and_linked_safely() -> None:
    message = alert_message(replace(make_view(), related=[hostile_related()]))
    related = [
        b for b in message["blocks"] if "Related mentions" in b.get("text", {}).get("text", "")
    ]
    text = related[0]["text"]["text"]
    assert text.startswith("*Related mentions*\n• 1★ · “0: &lt;!channel&gt;")
    assert "<https://reviews.example.com/r%7C%3C!here%3E|open>" in text
    for raw in ("<!channel>", "<@U123>", "<https://evil.example"):
        assert raw not in json.dumps(message)


def test_incident_message_groups_the_evidence_and_escapes_it() -> None:
    message = incident_message(incident_view())
    dumped = json.dumps(message, ensure_ascii=False)
    for raw in ("<!channel>", "<@U123>", "<https://evil.example", "<!here>"):
        assert raw not in dumped
    assert message["text"] == "P2 incident: 30 similar complaints on shop"
    assert message["blocks"][0]["text"]["text"] == "🟠 P2 · incident: 30 similar complaints"
    evidence = message["blocks"][3]["text"]["text"]
    assert evidence.startswith("*Evidence*\n• 1★ · “0: &lt;!channel&gt;")
    shown = evidence.count("\n• ")
    assert shown >= 8 and len(evidence) <= MAX_SECTION_CHARS
    assert evidence.endswith(f"… and {30 - shown} more")  # whole lines only, the rest counted
    assert "• Shared words: x200, &lt;!channel&gt;" in message["blocks"][2]["text"]["text"]
    assert ids(message["blocks"][-1]) == [ACKNOWLEDGE, ASSIGN, NEXT_STEP, RESOLVE]
    assert message["unfurl_links"] is False


def test_spike_incident_header_names_the_source() -> None:
    message = incident_message(incident_view(kind="spike", source_name="app-store", theme=[]))
    assert message["blocks"][0]["text"]["text"] == (
        "🟠 P2 · incident: spike of negative mentions on app-store"
    )
    assert message["blocks"][1]["fields"][0]["text"] == "*Incident*\nvolume spike"
    assert message["text"] == "P2 incident: spike of 30 negative mentions on app-store"


def test_huge_evidence_stays_within_slack_limits() -> None:
    long = replace(hostile_related(), quote="word & " * 2000, author="a" * 500)
    message = incident_message(incident_view(evidence=[long] * 10, mention_count=500))
    sections = [
        b["text"]["text"] for b in message["blocks"] if b["type"] == "section" and "text" in b
    ]
    assert all(len(text) <= MAX_SECTION_CHARS for text in sections)


def test_joined_message_lists_the_new_members() -> None:
    message = joined_message(12, [hostile_related(n) for n in range(12)])
    text = message["blocks"][0]["text"]["text"]
    assert message["text"] == "➕ 12 more negative mention(s) joined this incident"
    shown = text.count("\n• ")
    assert shown >= 8 and text.endswith(f"… and {12 - shown} more")
    assert "<!channel>" not in json.dumps(message)
