"""The destination interface, and the destination that picks one by address.

An outbox row's address (its ``channel`` column) is a Slack channel (``#reputation``,
``C0123``) or ``webhook:NAME`` for a configured webhook. A destination takes the
address and the stored payload, delivers it and says where it went, or raises
:class:`delivery.exceptions.DeliveryFailed` saying how the outbox should take it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from config.settings import WEBHOOK_ADDRESS
from delivery.exceptions import DeliveryFailed


@dataclass(frozen=True)
class SentMessage:
    """Where a message went; `ts` is None when it was not posted to Slack."""

    channel: str
    ts: str | None


class Destination(Protocol):
    def send(self, address: str, payload: Mapping[str, Any]) -> SentMessage:
        """Deliver one message payload; raise DeliveryFailed on failure."""
        ...


def webhook_name(address: str) -> str | None:
    """The webhook an address names (``webhook:ops`` → ``ops``), or None for Slack."""
    return address[len(WEBHOOK_ADDRESS) :] if address.startswith(WEBHOOK_ADDRESS) else None


class RoutingDestination:
    """Sends ``webhook:NAME`` addresses to that webhook and every other one to Slack (or
    the console)."""

    def __init__(self, slack: Destination, webhooks: Mapping[str, Destination]) -> None:
        self.slack = slack
        self.webhooks = dict(webhooks)

    def send(self, address: str, payload: Mapping[str, Any]) -> SentMessage:
        name = webhook_name(address)
        if name is None:
            return self.slack.send(address, payload)
        webhook = self.webhooks.get(name)
        if webhook is None:
            raise DeliveryFailed(f"no webhook named {name!r} is configured (webhooks:)")
        return webhook.send(address, payload)
