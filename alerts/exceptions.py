"""Errors raised by the alerts package."""

from __future__ import annotations


class AlertsError(Exception):
    """Root of alerts errors."""


class PlaybookError(AlertsError):
    """A playbook file is missing, is not YAML, or holds a bad value (the message names the key)."""


class AlertNotFoundError(AlertsError):
    """An alert, or the mention or incident it stands for, is not in the database."""


class InteractionError(AlertsError):
    """A Slack interaction cannot be applied (unknown alert, closed alert, bad payload)."""


class SlackSetupError(AlertsError):
    """The Slack listener lacks a token or secret it needs (the message names it)."""


class RiskTaxonomyError(AlertsError):
    """A risk file is missing, is not YAML, or holds a bad entry (the message says which)."""
