"""`repwatch slack …`: the interactive listener for alert buttons, and SLA reminders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from repwatch.commands.common import (
    EXIT_USAGE,
    ConfigOption,
    exit_on_failure,
    print_error,
    settings_or_exit,
)

if TYPE_CHECKING:
    from slack_bolt import App

app = typer.Typer(help="Slack: alert buttons and reminders.", no_args_is_help=True)


@app.callback()
def slack() -> None:
    """Slack interactivity."""


def _usage_error(message: str) -> typer.Exit:
    print_error("configuration error:", message)
    return typer.Exit(EXIT_USAGE)


@app.command("listen")
def listen_command(
    http: Annotated[
        bool, typer.Option("--http", help="Serve Slack's HTTP requests instead of Socket Mode.")
    ] = False,
    port: Annotated[int, typer.Option(help="HTTP port (with --http).", min=0, max=65535)] = 3000,
    host: Annotated[str, typer.Option(help="HTTP address (with --http).")] = "127.0.0.1",
    config: ConfigOption = None,
) -> None:
    """Handle the alert buttons: Socket Mode (SLACK_APP_TOKEN) or HTTP (SLACK_SIGNING_SECRET)."""
    from alerts.exceptions import SlackSetupError
    from alerts.interactivity import build_app, run_socket_mode

    settings = settings_or_exit(config)
    if not http and settings.slack_app_token is None:
        raise _usage_error("SLACK_APP_TOKEN is not set; Socket Mode needs it (or use --http)")
    try:
        bolt_app = build_app(settings, http=http)
    except SlackSetupError as exc:
        raise _usage_error(str(exc)) from exc
    with exit_on_failure("slack listener"):
        if http:
            _serve(bolt_app, host, port)
        elif settings.slack_app_token is not None:
            typer.echo("listening for alert buttons over Socket Mode (Ctrl-C stops)")
            run_socket_mode(bolt_app, settings.slack_app_token.get_secret_value())


def _serve(bolt_app: App, host: str, port: int) -> None:
    from alerts.interactivity import EVENTS_PATH, make_http_server

    server = make_http_server(bolt_app, host, port)
    typer.echo(f"listening on http://{host}:{server.server_port}{EVENTS_PATH} (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        server.server_close()


@app.command("remind")
def remind_command(config: ConfigOption = None) -> None:
    """Remind overdue alerts in their threads (escalating P1/P2), then send the outbox."""
    from rich.console import Console

    from alerts.playbook import load_playbook
    from alerts.sla import send_reminders
    from repwatch import steps

    settings = settings_or_exit(config)
    with exit_on_failure("reminders"):
        result = send_reminders(
            settings.database_url,
            steps.configured_sender(settings, Console()),
            sla=settings.sla,
            playbook=load_playbook(settings.playbook),
        )
    typer.echo(
        f"{result.reminded} reminder(s), {result.escalated} escalated; "
        f"delivered {result.delivery.sent}, {result.delivery.pending} waiting"
    )
