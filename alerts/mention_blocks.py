"""Block Kit for alerts on one mention, built by small pure functions from an `AlertView`.

The primitives (escaping, safe links, limits) live in `delivery.slack_text`; every text
from the web goes through them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from alerts.controls import actions_block, status_block
from alerts.severity import Severity
from alerts.view import AlertView, IncidentView, RelatedView, StepView
from delivery.slack_text import (
    MAX_FALLBACK_CHARS,
    MAX_QUOTE_CHARS,
    MAX_REPLY_CHARS,
    Block,
    chat_message,
    context,
    divider,
    escape,
    fields_section,
    header,
    limit_blocks,
    link,
    section,
    slack_date,
    truncate,
)

MAX_RELATED = 5
MAX_RELATED_QUOTE = 200
MAX_RELATED_NAME = 80
SEVERITY_EMOJI = {Severity.P1: "🔴", Severity.P2: "🟠", Severity.P3: "🟡", Severity.P4: "🔵"}
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "header": "{emoji} {severity} · negative mention on {source}",
        "source": "Source",
        "author": "Author",
        "rating": "Rating",
        "sentiment": "Sentiment",
        "confidence": "confidence",
        "unknown": "unknown",
        "unrated": "no rating",
        "open": "Open the original",
        "no_link": "No safe link to the original.",
        "why": "Why this alert",
        "playbook": "Response playbook",
        "due": "due",
        "reply": "Drafted first reply (not posted; edit it before you reply)",
        "published": "published",
        "related": "Related mentions",
        "app": "App version and device",
    },
    "ko": {
        "header": "{emoji} {severity} · {source} 부정적 언급",
        "source": "출처",
        "author": "작성자",
        "rating": "평점",
        "sentiment": "감성",
        "confidence": "신뢰도",
        "unknown": "알 수 없음",
        "unrated": "평점 없음",
        "open": "원문 보기",
        "no_link": "원문으로 가는 안전한 링크가 없습니다.",
        "why": "알림 이유",
        "playbook": "대응 플레이북",
        "due": "기한",
        "reply": "첫 답변 초안 (자동 게시되지 않음, 보내기 전에 수정하세요)",
        "published": "게시",
        "related": "관련 언급",
        "app": "앱 버전과 기기",
    },
}


def _labels(view: AlertView | IncidentView) -> dict[str, str]:
    return LABELS.get(view.lang, LABELS["en"])


def header_block(view: AlertView) -> Block:
    """Severity and source, the first thing a responder reads."""
    emoji = SEVERITY_EMOJI[view.severity]
    text = _labels(view)["header"].format(
        emoji=emoji, severity=view.severity.value, source=view.source_name
    )
    return header(text)


def rating_text(rating: float | None, unrated: str) -> str:
    if rating is None:
        return unrated
    stars = max(0, min(5, round(rating)))
    return f"{'★' * stars}{'☆' * (5 - stars)} {rating:g}/5"


def facts_block(view: AlertView) -> Block:
    """Source, author, rating and sentiment side by side; an app review's version and
    device too."""
    labels = _labels(view)
    sentiment = (
        f"{escape(view.sentiment_label)} · P(neg) {view.prob_negative:.2f}"
        f" · {labels['confidence']} {view.confidence:.2f}"
    )
    fields = [
        f"*{labels['source']}*\n{escape(view.source_name)}",
        f"*{labels['author']}*\n{escape(view.author or labels['unknown'])}",
        f"*{labels['rating']}*\n{rating_text(view.rating, labels['unrated'])}",
        f"*{labels['sentiment']}*\n{sentiment}",
    ]
    if view.app_details:
        fields.append(f"*{labels['app']}*\n{escape(view.app_details)}")
    return fields_section(fields)


def quote_text(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """The mention's words as a Slack block quote, escaped and cut to `limit`."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    body = truncate(escape("\n".join(line for line in lines if line)), limit)
    return "\n".join(f"> {line}" for line in body.splitlines()) or "> …"


def quote_block(view: AlertView) -> Block:
    """The title (if any) and the quoted text."""
    title = f"*{truncate(escape(' '.join(view.title.split())), 200)}*\n" if view.title else ""
    return section(title + quote_text(view.quote))


def link_block(view: AlertView) -> Block:
    """A link to the original post, only when its URL is a safe http(s) URL."""
    labels = _labels(view)
    target = link(view.url, labels["open"])
    host = urlsplit(view.url).hostname if target and view.url else None
    if target is None:
        return context(labels["no_link"])
    return context(f"{target} ({escape(host or '')})")


def reasons_block(view: AlertView) -> Block:
    """Why the alert fired, one reason a line."""
    lines = "\n".join(f"• {escape(reason)}" for reason in view.reasons)
    return section(f"*{_labels(view)['why']}*\n{lines}")


def step_line(step: StepView, current: int, due_label: str) -> str:
    """One checklist line; the current step is marked and bold, done steps struck out."""
    title = escape(f"{step.number}. {step.title}")
    due = f"{due_label} {slack_date(step.due_at)}"
    guidance = f"\n      _{escape(step.guidance)}_"
    if step.number < current:
        return f"☑ ~{title}~"
    if step.number == current:
        return f"▶ *{title}* — *{due}*{guidance}"
    return f"☐ {title} — {due}{guidance}"


def checklist_block(view: AlertView | IncidentView) -> Block:
    """The playbook steps with their deadlines and the current step marked."""
    labels = _labels(view)
    lines = [step_line(step, view.current_step, labels["due"]) for step in view.steps]
    return section(f"*{labels['playbook']}*\n" + "\n".join(lines))


def reply_block(view: AlertView | IncidentView) -> Block:
    """The drafted first reply, ready to copy and edit."""
    reply = truncate(escape(view.drafted_reply), MAX_REPLY_CHARS)
    return section(f"*{_labels(view)['reply']}*\n```{reply}```")


def footer_block(view: AlertView) -> Block:
    """Where the score came from and when the mention was published."""
    parts = [f"repwatch · {escape(view.model)}"]
    if view.published_at is not None:
        parts.append(f"{_labels(view)['published']} {slack_date(view.published_at)}")
    return context(" · ".join(parts))


def related_line(related: RelatedView) -> str:
    """One line of evidence: rating, the start of the quote, author, source and link."""
    quote = truncate(escape(" ".join(related.quote.split())), MAX_RELATED_QUOTE)
    author = truncate(escape(related.author or "?"), MAX_RELATED_NAME)
    parts = [f"“{quote}”", author, truncate(escape(related.source_name), MAX_RELATED_NAME)]
    if related.rating is not None:
        parts.insert(0, f"{related.rating:g}★")
    target = link(related.url, "open")
    if target:
        parts.append(target)
    return "• " + " · ".join(parts)


def related_block(view: AlertView) -> Block | None:
    """Similar complaints seen around the same time, or None when there are none."""
    if not view.related:
        return None
    lines = [related_line(item) for item in view.related[:MAX_RELATED]]
    return section(f"*{_labels(view)['related']}*\n" + "\n".join(lines))


def alert_blocks(view: AlertView) -> list[Block]:
    """The whole alert as a list of blocks, within Slack's limits."""
    last_step = view.current_step >= len(view.steps)
    optional = [
        related_block(view),
        footer_block(view),
        status_block(view.state, view.lang),
        actions_block(view.state, view.lang, last_step=last_step, mention=True),
    ]
    blocks = [
        header_block(view),
        facts_block(view),
        quote_block(view),
        link_block(view),
        reasons_block(view),
        divider(),
        checklist_block(view),
        reply_block(view),
        *[block for block in optional if block is not None],
    ]
    return limit_blocks(blocks)


def fallback_text(view: AlertView) -> str:
    """The notification text: severity, source and the start of the quote, escaped."""
    quote = " ".join(view.quote.split())
    text = f"{view.severity.value} negative mention on {view.source_name}: “{quote}”"
    return truncate(escape(text), MAX_FALLBACK_CHARS)


def alert_message(view: AlertView) -> dict[str, Any]:
    """The chat.postMessage arguments (less the channel) for an alert; no unfurling."""
    return chat_message(fallback_text(view), alert_blocks(view))
