"""Slack interactivity with slack-bolt: the alert buttons, over Socket Mode or HTTP.

A click is acknowledged to Slack first; then the alert row changes (`alerts.actions`),
the message is rendered again from the row and edited in place (``chat.update``), and
the alert's thread gets a line saying who did what and when. Over HTTP every request's
signature is checked with the signing secret, and requests older than five minutes are
refused (bolt's request verification).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from alerts import controls
from alerts.actions import (
    ActionResult,
    Actor,
    acknowledge,
    assign,
    next_step,
    not_negative,
    resolve,
)
from alerts.controls import alert_id_from_block
from alerts.exceptions import AlertsError, InteractionError, SlackSetupError
from alerts.playbook import Playbook, load_playbook
from alerts.render import render_alert
from config.settings import Settings
from delivery.slack import build_web_client
from storage.db import session_scope
from storage.models import Alert, utcnow

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


@dataclass(frozen=True)
class Interactions:
    """What the handlers need: the database, the playbook, the brand and a clock."""

    database_url: str
    playbook: Playbook
    brand: str
    clock: Callable[[], datetime] = utcnow


def operate(
    action: dict[str, Any], session: Session, alert_id: int, actor: Actor, context: Interactions
) -> ActionResult:
    """Apply the clicked element's action to the alert."""
    now, playbook = context.clock(), context.playbook
    match action.get("action_id"):
        case controls.ACKNOWLEDGE:
            return acknowledge(session, alert_id, actor, now, playbook)
        case controls.ASSIGN:
            assignee = str(action.get("selected_user") or "")
            return assign(session, alert_id, actor, assignee, now, playbook)
        case controls.NEXT_STEP:
            return next_step(session, alert_id, actor, now, playbook)
        case controls.RESOLVE:
            return resolve(session, alert_id, actor, now)
        case controls.NOT_NEGATIVE:
            return not_negative(session, alert_id, actor, now)
    raise InteractionError(f"unknown action {action.get('action_id')!r}")


def alert_id_of(action: dict[str, Any]) -> int:
    """The alert a clicked element belongs to, from its block id (or a button's value)."""
    alert_id = alert_id_from_block(action.get("block_id"))
    if alert_id is None and str(action.get("value", "")).isdigit():
        alert_id = int(action["value"])
    if alert_id is None:
        raise InteractionError("the clicked element names no alert")
    return alert_id


def actor_of(body: dict[str, Any]) -> Actor:
    """The user who clicked, from the interaction payload."""
    user = body.get("user") or {}
    return Actor(user_id=str(user.get("id", "")), name=user.get("username") or user.get("name"))


def message_of(body: dict[str, Any], alert: Alert) -> tuple[str | None, str | None]:
    """The channel and ts of the clicked message (else the alert's own message)."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or alert.slack_channel
    return channel, container.get("message_ts") or alert.slack_ts


def apply_action(
    context: Interactions, client: WebClient, body: dict[str, Any], action: dict[str, Any]
) -> ActionResult:
    """Change the alert, edit its message and log the change in its thread."""
    alert_id, actor = alert_id_of(action), actor_of(body)
    with session_scope(context.database_url) as session:
        result = operate(action, session, alert_id, actor, context)
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise InteractionError(f"alert {alert_id} is gone")
        payload = render_alert(session, alert, context.playbook, context.brand)
        channel, ts = message_of(body, alert)
    if channel and ts:
        client.chat_update(channel=channel, ts=ts, text=payload["text"], blocks=payload["blocks"])
        if result.changed:
            client.chat_postMessage(
                channel=channel, thread_ts=ts, text=result.log, unfurl_links=False
            )
    return result


def _listener(context: Interactions) -> Callable[..., None]:
    def handle(ack: Ack, body: dict[str, Any], client: WebClient, action: dict[str, Any]) -> None:
        ack()
        try:
            apply_action(context, client, body, action)
        except (AlertsError, SlackApiError) as exc:
            log.warning("alert action %s failed: %s", action.get("action_id"), exc)
            _tell_user(client, body, f"repwatch could not do that: {exc}")

    return handle


def _tell_user(client: WebClient, body: dict[str, Any], text: str) -> None:
    channel = (body.get("container") or {}).get("channel_id")
    user = (body.get("user") or {}).get("id")
    if channel and user:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        except SlackApiError as exc:
            log.warning("could not tell %s: %s", user, exc)


def _credentials(settings: Settings, http: bool) -> tuple[str, str]:
    """The bot token and the signing secret ("" for Socket Mode); says what is missing."""
    if settings.slack_bot_token is None:
        raise SlackSetupError("SLACK_BOT_TOKEN is not set; the listener needs the bot token")
    signing = settings.slack_signing_secret
    secret = signing.get_secret_value() if signing is not None else ""
    if http and not secret:
        raise SlackSetupError("SLACK_SIGNING_SECRET is not set; HTTP requests cannot be verified")
    return settings.slack_bot_token.get_secret_value(), secret


def build_app(
    settings: Settings,
    *,
    http: bool,
    playbook: Playbook | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> App:
    """The bolt app with the alert handlers, talking to `settings.slack_base_url`.

    Over HTTP the signing secret is required and the handler finishes before Slack gets
    its answer (so a click's effects are done when the request returns).
    """
    token, secret = _credentials(settings, http)
    client = build_web_client(settings.slack_base_url, token)
    app = App(
        client=client,
        signing_secret=secret,
        token_verification_enabled=False,
        process_before_response=http,
        request_verification_enabled=http,
    )
    book = playbook or load_playbook(settings.playbook)
    listener = _listener(Interactions(settings.database_url, book, settings.brand.name, clock))
    for action_id in controls.ACTION_IDS:
        app.action(action_id)(listener)
    return app


def health_wrapped(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """A WSGI app that also answers ``GET /healthz`` with 200, for container health checks."""

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return app(environ, start_response)

    return wsgi


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _LoggingHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Requests go to the debug log, not to stderr."""
        log.debug("%s " + format, self.address_string(), *args)


def make_http_server(app: App, host: str, port: int) -> WSGIServer:
    """A threaded HTTP server for Slack's requests at ``/slack/events`` (and ``/healthz``).

    Port 0 picks a free port; `server.server_port` says which.
    """
    wsgi = health_wrapped(SlackRequestHandler(app, path=EVENTS_PATH))
    return make_server(
        host, port, wsgi, server_class=_ThreadingWSGIServer, handler_class=_LoggingHandler
    )


def run_socket_mode(app: App, app_token: str) -> None:
    """Connect to Slack over Socket Mode and handle clicks until interrupted."""
    SocketModeHandler(app, app_token).start()
