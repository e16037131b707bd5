"""Errors of delivery: what a destination raises, and how the outbox should take it."""

from __future__ import annotations

from datetime import timedelta


class DeliveryError(Exception):
    """Root of delivery errors."""


_HINTS = {
    "channel_not_found": "check slack.channel / SLACK_CHANNEL names an existing channel",
    "not_in_channel": "invite the bot to the channel (/invite @repwatch)",
    "invalid_auth": "check SLACK_BOT_TOKEN; it is not a valid token for this workspace",
    "token_revoked": "the token was revoked; reinstall the app and set a new SLACK_BOT_TOKEN",
    "account_inactive": "the bot user is deactivated; reinstall the app",
}


class SlackConfigurationError(DeliveryError):
    """Slack refused every message for a reason only a person can fix (token, channel).

    The drain stops and keeps the messages, so nothing is lost while it is fixed.
    """

    def __init__(self, error: str, channel: str) -> None:
        self.error = error
        self.channel = channel
        hint = _HINTS.get(error, "check the Slack app configuration")
        super().__init__(f"Slack refused messages to {channel}: {error}; {hint}")


class AttachmentError(DeliveryError):
    """A message's ``file`` entry names no readable file; this message waits, others go on."""


class PartialDeliveryError(DeliveryError):
    """The message was posted but its file upload failed; the retry uploads only the file."""

    def __init__(self, channel: str, ts: str | None, cause: Exception) -> None:
        self.channel = channel
        self.ts = ts
        self.cause = cause
        super().__init__(f"posted to {channel} but the file upload failed: {cause}")


class InFlightCheckError(DeliveryError):
    """Slack could not be asked whether an earlier post of the message went out; the message
    waits (and is looked for again) rather than risk posting it twice."""

    def __init__(self, cause: Exception) -> None:
        self.cause = cause
        super().__init__(f"could not check whether the message was already posted: {cause}")


class DeliveryFailed(DeliveryError):
    """A send that delivered nothing (or only part), sorted by the destination that tried.

    ``down``: the destination is unreachable (a 429, a 5xx, no connection): its other
    messages wait too. ``refusal``: a fault only a person can fix (a revoked token): the
    drain stops and keeps every message. ``outcome_known``: the destination answered,
    so there is no doubt it did not take the message. ``posted``: the message went out
    but its file did not (channel, ts), so the retry must not post it again.
    """

    def __init__(
        self,
        error: str,
        *,
        down: bool = False,
        refusal: DeliveryError | None = None,
        retry_after: timedelta = timedelta(0),
        outcome_known: bool = True,
        posted: tuple[str, str | None] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.down = down
        self.refusal = refusal
        self.retry_after = retry_after
        self.outcome_known = outcome_known
        self.posted = posted
