"""The interactive part of an alert message: its status line and its buttons.

Every button's block carries the alert id in its ``block_id`` (``repwatch_alert:42``),
so each handler finds the alert whatever the element. User ids come from Slack's own
payloads and are checked before they are turned into mentions.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from alerts.view import AlertState
from delivery.slack_text import Block, context, slack_date

ACKNOWLEDGE = "repwatch_acknowledge"
ASSIGN = "repwatch_assign"
NEXT_STEP = "repwatch_next_step"
RESOLVE = "repwatch_resolve"
NOT_NEGATIVE = "repwatch_not_negative"
ACTION_IDS = (ACKNOWLEDGE, ASSIGN, NEXT_STEP, RESOLVE, NOT_NEGATIVE)
BLOCK_PREFIX = "repwatch_alert:"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")

BUTTONS: dict[str, dict[str, str]] = {
    "en": {
        ACKNOWLEDGE: "Acknowledge",
        ASSIGN: "Assign an owner",
        NEXT_STEP: "Next step",
        RESOLVE: "Resolve",
        NOT_NEGATIVE: "Not negative",
        "confirm": "Are you sure?",
        "resolve_confirm": "Close this alert as resolved?",
        "not_negative_confirm": "Close this alert and save the mention as not negative "
        "(a correction for retraining)?",
        "yes": "Yes",
        "no": "Cancel",
    },
    "ko": {
        ACKNOWLEDGE: "확인",
        ASSIGN: "담당자 지정",
        NEXT_STEP: "다음 단계",
        RESOLVE: "해결",
        NOT_NEGATIVE: "부정 아님",
        "confirm": "계속할까요?",
        "resolve_confirm": "이 알림을 해결됨으로 닫을까요?",
        "not_negative_confirm": "이 알림을 닫고 이 언급을 '부정 아님'으로 저장할까요 "
        "(재학습용 수정 데이터)?",
        "yes": "예",
        "no": "취소",
    },
}
STATUS: dict[str, dict[str, str]] = {
    "en": {
        "acknowledged": "✅ Acknowledged by {user} · {when}",
        "assigned": "👤 Owner: {user}",
        "resolved": "🏁 Resolved by {user} · {when}",
        "dismissed": "🙅 Not negative, said {user} · {when}",
        "incident": "📎 Part of incident #{id}",
    },
    "ko": {
        "acknowledged": "✅ {user} 확인 · {when}",
        "assigned": "👤 담당자: {user}",
        "resolved": "🏁 {user} 해결 · {when}",
        "dismissed": "🙅 {user}: 부정 아님 · {when}",
        "incident": "📎 사건 #{id}의 일부",
    },
}


def is_user_id(value: str | None) -> bool:
    """Whether `value` looks like a Slack user id (U… or W…), safe to put in a mention."""
    return bool(value and _USER_ID.match(value))


def user_ref(user_id: str | None) -> str:
    """A Slack mention for a well-formed user id; anything else is shown as "someone"."""
    return f"<@{user_id}>" if is_user_id(user_id) else "someone"


def alert_block_id(alert_id: int) -> str:
    """The block id that tells a handler which alert a button belongs to."""
    return f"{BLOCK_PREFIX}{alert_id}"


def alert_id_from_block(block_id: str | None) -> int | None:
    """The alert id in a block id made by `alert_block_id`, else None."""
    if not block_id or not block_id.startswith(BLOCK_PREFIX):
        return None
    number = block_id.removeprefix(BLOCK_PREFIX)
    return int(number) if number.isdigit() else None


def _when(moment: datetime | None) -> str:
    return slack_date(moment) if moment is not None else "?"


def status_lines(state: AlertState, lang: str) -> list[str]:
    """Who acknowledged, owns, resolved or dismissed the alert."""
    words = STATUS.get(lang, STATUS["en"])
    lines = []
    if state.incident_id is not None:
        lines.append(words["incident"].format(id=state.incident_id))
    if state.acknowledged_at is not None:
        who = user_ref(state.acknowledged_by)
        lines.append(words["acknowledged"].format(user=who, when=_when(state.acknowledged_at)))
    if state.assignee:
        lines.append(words["assigned"].format(user=user_ref(state.assignee)))
    if state.status in ("resolved", "dismissed"):
        who = user_ref(state.resolved_by)
        lines.append(words[state.status].format(user=who, when=_when(state.resolved_at)))
    return lines


def status_block(state: AlertState | None, lang: str) -> Block | None:
    """A context line with the alert's progress, or None when nothing happened yet."""
    if state is None:
        return None
    lines = status_lines(state, lang)
    return context(" · ".join(lines)) if lines else None


def _button(
    action_id: str, label: str, value: str, style: str | None = None, confirm: Block | None = None
) -> Block:
    button: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": value,
    }
    if style:
        button["style"] = style
    if confirm:
        button["confirm"] = confirm
    return button


def _confirm(words: dict[str, str], key: str) -> Block:
    def plain(text: str) -> dict[str, Any]:
        return {"type": "plain_text", "text": text}

    return {
        "title": plain(words["confirm"]),
        "text": plain(words[key]),
        "confirm": plain(words["yes"]),
        "deny": plain(words["no"]),
    }


def actions_block(
    state: AlertState | None, lang: str, *, last_step: bool, mention: bool
) -> Block | None:
    """The buttons for an alert still in progress; None once it is closed."""
    if state is None or state.closed:
        return None
    words = BUTTONS.get(lang, BUTTONS["en"])
    value = str(state.alert_id)
    elements: list[Block] = []
    if state.status == "open":
        elements.append(_button(ACKNOWLEDGE, words[ACKNOWLEDGE], value, "primary"))
    elements.append(_assign_select(words[ASSIGN], state.assignee))
    if not last_step:
        elements.append(_button(NEXT_STEP, words[NEXT_STEP], value))
    elements.append(
        _button(RESOLVE, words[RESOLVE], value, confirm=_confirm(words, "resolve_confirm"))
    )
    if mention:
        confirm = _confirm(words, "not_negative_confirm")
        elements.append(_button(NOT_NEGATIVE, words[NOT_NEGATIVE], value, "danger", confirm))
    return {"type": "actions", "block_id": alert_block_id(state.alert_id), "elements": elements}


def _assign_select(placeholder: str, assignee: str | None) -> Block:
    select: Block = {
        "type": "users_select",
        "action_id": ASSIGN,
        "placeholder": {"type": "plain_text", "text": placeholder},
    }
    if is_user_id(assignee):
        select["initial_user"] = assignee
    return select
