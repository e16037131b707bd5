"""The console as a destination: Block Kit shown readably in a terminal, for running
without a Slack token."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from delivery.destination import SentMessage

_SLACK_TOKEN = re.compile(r"<(?P<target>[^<>|]*)(?:\|(?P<label>[^<>]*))?>")
_SEVERITY_STYLE = {"P1": "bold red", "P2": "bold dark_orange", "P3": "bold yellow"}


def _untoken(match: re.Match[str]) -> str:
    target, label = match.group("target"), match.group("label")
    if target.startswith("!date^"):
        return label or target
    if label:
        return f"{label} ({target})"
    return target


def mrkdwn_to_plain(text: str) -> str:
    """Slack mrkdwn as plain text: links as "label (url)", dates as their fallback, and
    escapes undone (the text goes to a terminal, not back to Slack)."""
    plain = _SLACK_TOKEN.sub(_untoken, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _control(element: Mapping[str, Any]) -> str:
    """A button or menu as "[label]": the console cannot click, but shows what Slack offers."""
    label = element.get("text") or element.get("placeholder") or {}
    return f"[{label.get('text', element.get('type', '?'))}]"


def _texts(block: Mapping[str, Any]) -> Iterable[str]:
    if "text" in block:
        yield block["text"]["text"]
    for item in block.get("fields", []):
        yield item["text"]
    if block.get("type") == "actions":
        yield " ".join(_control(element) for element in block.get("elements", []))
        return
    for item in block.get("elements", []):
        if "text" in item:
            yield item["text"]


def _render_block(block: Mapping[str, Any]) -> RenderableType:
    if block.get("type") == "divider":
        return Rule(style="dim")
    # Text(...) takes the words literally: web text cannot inject rich markup.
    text = "\n".join(mrkdwn_to_plain(part) for part in _texts(block))
    return Text(text, style="dim" if block.get("type") == "context" else "")


def render_message(channel: str, payload: Mapping[str, Any]) -> Panel:
    """A message payload (``text``, ``blocks``, a ``file`` by its path) as a rich panel."""
    blocks = list(payload.get("blocks") or [])
    title = mrkdwn_to_plain(str(payload.get("text", "")))
    if blocks and blocks[0].get("type") == "header":
        title = blocks[0]["text"]["text"]
        blocks = blocks[1:]
    body = [_render_block(block) for block in blocks] or [Text(mrkdwn_to_plain(title))]
    attachment = payload.get("file")
    if isinstance(attachment, Mapping):
        label = attachment.get("title") or attachment.get("filename") or "file"
        body.append(Text(f"📎 {label}: {attachment.get('path')}", style="bold"))
    style = next((s for key, s in _SEVERITY_STYLE.items() if key in title), "bold blue")
    return Panel(Group(*body), title=Text(title, style=style), subtitle=Text(channel))


class ConsoleSender:
    """Prints messages in the terminal instead; used when no Slack token is set."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def send(self, channel: str, payload: Mapping[str, Any]) -> SentMessage:
        """Print the payload as a readable panel (a file is shown by its path)."""
        self.console.print(render_message(channel, payload))
        return SentMessage(channel=channel, ts=None)
