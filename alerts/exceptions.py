"""Errors raised by the alerts package."""

from __future__ import annotations


class AlertsError(Exception):
    """Root of alerts errors."""


class PlaybookError(AlertsError):
    """A playbook file is missing, is not YAML, or holds a bad value (the message names the key)."""


_HINTS = {
    "channel_not_found": "check slack.channel / SLACK_CHANNEL names an existing channel",
    "not_in_channel": "invite the bot to the channel (/invite @repwatch)",
    "invalid_auth": "check SLACK_BOT_TOKEN; it is not a valid token for this workspace",
    "token_revoked": "the token was revoked; reinstall the app and set a new SLACK_BOT_TOKEN",
    "account_inactive": "the bot user is deactivated; reinstall the app",
}


class SlackConfigurationError(AlertsError):
    """Slack refused every message for a reason only a person can fix (token, channel).

    The drain stops and keeps the messages, so nothing is lost while it is fixed.
    """

    def __init__(self, error: str, channel: str) -> None:
        self.error = error
        self.channel = channel
        hint = _HINTS.get(error, "check the Slack app configuration")
        super().__init__(f"Slack refused messages to {channel}: {error}; {hint}")


class AlertNotFoundError(AlertsError):
    """An alert, or the mention or incident it stands for, is not in the database."""


class InteractionError(AlertsError):
    """A Slack interaction cannot be applied (unknown alert, closed alert, bad payload)."""


class AttachmentError(AlertsError):
    """A message's ``file`` entry names no readable file; this message waits, others go on."""


class PartialDeliveryError(AlertsError):
    """The message was posted but its file upload failed; the retry uploads only the file."""

    def __init__(self, channel: str, ts: str | None, cause: Exception) -> None:
        self.channel = channel
        self.ts = ts
        self.cause = cause
        super().__init__(f"posted to {channel} but the file upload failed: {cause}")


class SlackSetupError(AlertsError):
    """The Slack listener lacks a token or secret it needs (the message names it)."""


class InFlightCheckError(AlertsError):
    """Slack could not be asked whether an earlier post of the message went out; the message
    waits (and is looked for again) rather than risk posting it twice."""

    def __init__(self, cause: Exception) -> None:
        self.cause = cause
        super().__init__(f"could not check whether the message was already posted: {cause}")
