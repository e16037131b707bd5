"""Block Kit for incident alerts: many related negative mentions shown as one message."""

from __future__ import annotations

from typing import Any

from alerts.controls import actions_block, status_block
from alerts.mention_blocks import SEVERITY_EMOJI, checklist_block, related_line, reply_block
from alerts.view import IncidentView, RelatedView
from delivery.slack_text import (
    MAX_FALLBACK_CHARS,
    MAX_SECTION_CHARS,
    Block,
    chat_message,
    context,
    divider,
    escape,
    fields_section,
    header,
    limit_blocks,
    section,
    slack_date,
    truncate,
)

MAX_EVIDENCE = 10
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "spike": "{emoji} {severity} · incident: spike of negative mentions on {source}",
        "similar": "{emoji} {severity} · incident: {count} similar complaints",
        "kind": "Incident",
        "spike_kind": "volume spike",
        "similar_kind": "similar complaints",
        "source": "Source",
        "mentions": "Negative mentions",
        "opened": "Opened",
        "why": "Why this incident",
        "theme": "Shared words",
        "evidence": "Evidence",
        "more": "… and {count} more",
        "advice": "Several customers hit the same problem: treat it like a recall, not a "
        "one-off. Members of this incident do not page one by one.",
    },
    "ko": {
        "spike": "{emoji} {severity} · 사건: {source} 부정 언급 급증",
        "similar": "{emoji} {severity} · 사건: 비슷한 불만 {count}건",
        "kind": "사건",
        "spike_kind": "언급량 급증",
        "similar_kind": "비슷한 불만",
        "source": "출처",
        "mentions": "부정적 언급",
        "opened": "시작",
        "why": "사건 이유",
        "theme": "공통 단어",
        "evidence": "근거",
        "more": "… 외 {count}건",
        "advice": "여러 고객이 같은 문제를 겪었습니다. 일회성이 아니라 리콜처럼 다루세요. "
        "이 사건에 속한 언급은 하나씩 알리지 않습니다.",
    },
}


def _words(view: IncidentView) -> dict[str, str]:
    return WORDS.get(view.lang, WORDS["en"])


def incident_header_block(view: IncidentView) -> Block:
    """Severity, kind and size of the incident."""
    template = _words(view)["spike" if view.kind == "spike" else "similar"]
    return header(
        template.format(
            emoji=SEVERITY_EMOJI[view.severity],
            severity=view.severity.value,
            source=view.source_name,
            count=view.mention_count,
        )
    )


def incident_facts_block(view: IncidentView) -> Block:
    """Kind, source, size and opening time side by side."""
    words = _words(view)
    return fields_section(
        [
            f"*{words['kind']}*\n{words[view.kind + '_kind']}",
            f"*{words['source']}*\n{escape(view.source_name)}",
            f"*{words['mentions']}*\n{view.mention_count}",
            f"*{words['opened']}*\n{slack_date(view.opened_at)}",
        ]
    )


def incident_reasons_block(view: IncidentView) -> Block:
    """Why the incident opened, and the words its complaints share."""
    words = _words(view)
    lines = [f"• {escape(reason)}" for reason in view.reasons]
    if view.theme:
        lines.append(f"• {words['theme']}: " + ", ".join(escape(w) for w in view.theme))
    return section(f"*{words['why']}*\n" + "\n".join(lines))


def fitting_lines(lines: list[str], limit: int) -> list[str]:
    """As many whole lines as fit in `limit` characters (joined by newlines)."""
    kept: list[str] = []
    used = 0
    for line in lines:
        used += len(line) + 1
        if used > limit:
            break
        kept.append(line)
    return kept


def evidence_block(view: IncidentView, evidence: list[RelatedView]) -> Block:
    """Up to ten member mentions (as many as fit), then how many more there are."""
    words = _words(view)
    room = MAX_SECTION_CHARS - len(words["evidence"]) - 40  # the heading and the "more" line
    lines = fitting_lines([related_line(item) for item in evidence[:MAX_EVIDENCE]], room)
    hidden = view.mention_count - len(lines)
    if hidden > 0:
        lines.append(words["more"].format(count=hidden))
    return section(f"*{words['evidence']}*\n" + "\n".join(lines))


def incident_blocks(view: IncidentView) -> list[Block]:
    """The whole incident alert as blocks, within Slack's limits."""
    last_step = view.current_step >= len(view.steps)
    optional = [
        status_block(view.state, view.lang),
        actions_block(view.state, view.lang, last_step=last_step, mention=False),
    ]
    blocks = [
        incident_header_block(view),
        incident_facts_block(view),
        incident_reasons_block(view),
        evidence_block(view, view.evidence),
        context(_words(view)["advice"]),
        divider(),
        checklist_block(view),
        *([reply_block(view)] if view.drafted_reply else []),
        *[block for block in optional if block is not None],
    ]
    return limit_blocks(blocks)


def incident_fallback_text(view: IncidentView) -> str:
    """The notification text of an incident alert."""
    if view.kind == "spike":
        what = f"spike of {view.mention_count} negative mentions"
    else:
        what = f"{view.mention_count} similar complaints"
    text = f"{view.severity.value} incident: {what} on {view.source_name}"
    return truncate(escape(text), MAX_FALLBACK_CHARS)


def incident_message(view: IncidentView) -> dict[str, Any]:
    """The chat.postMessage arguments (less the channel) for an incident; no unfurling."""
    return chat_message(incident_fallback_text(view), incident_blocks(view))


def joined_message(count: int, evidence: list[RelatedView]) -> dict[str, Any]:
    """A thread reply saying that more mentions joined the incident."""
    text = f"➕ {count} more negative mention(s) joined this incident"
    room = MAX_SECTION_CHARS - len(text) - 40
    lines = fitting_lines([related_line(item) for item in evidence[:MAX_EVIDENCE]], room)
    if count > len(lines):
        lines.append(f"… and {count - len(lines)} more")
    return chat_message(text, [section(f"*{text}*\n" + "\n".join(lines))])
