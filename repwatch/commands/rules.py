"""`repwatch rules test`: what the alert rules would have sent, without sending."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from repwatch.commands.common import EXIT_USAGE, ConfigOption, exit_on_failure, settings_or_exit

if TYPE_CHECKING:
    from rich.table import Table

    from alerts.replay import ReplayResult

app = typer.Typer(help="Alert rules.", no_args_is_help=True)
SEVERITIES = ("P1", "P2", "P3", "P4")


@app.callback()
def rules() -> None:
    """Check the alert rules against what is stored."""


def result_table(result: ReplayResult) -> Table:
    """Alerts and incident alerts per severity, with totals."""
    from rich.table import Table

    table = Table(title="Alerts the rules would have sent")
    for column in ("severity", "alerts", "incident alerts"):
        table.add_column(column, justify="left" if column == "severity" else "right")
    for severity in SEVERITIES:
        table.add_row(severity, str(result.alerts[severity]), str(result.incidents[severity]))
    table.add_row(
        "total",
        str(sum(result.alerts.values())),
        str(sum(result.incidents.values())),
        style="bold",
    )
    return table


@app.command("test")
def test_command(
    since: Annotated[
        str, typer.Option(help="How far back to replay: a duration such as 30d, 2w or 12h.")
    ] = "30d",
    config: ConfigOption = None,
) -> None:
    """Replay the rules over stored mentions; print the alerts per severity. Sends nothing."""
    from rich.console import Console

    from alerts.replay import replay_rules
    from config.settings import parse_duration
    from storage.db import session_scope
    from storage.models import utcnow

    settings = settings_or_exit(config)
    try:
        span = parse_duration(since)
    except ValueError as exc:
        typer.echo(f"--since: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    now = utcnow()
    with exit_on_failure("rules test"), session_scope(settings.database_url) as session:
        result = replay_rules(session, settings, now - span, now)
    console = Console()
    console.print(result_table(result))
    console.print(
        f"{result.mentions} negative-looking mention(s) replayed since "
        f"{result.since:%Y-%m-%d %H:%M} UTC; {result.grouped} folded into incidents without "
        f"paging; {result.total} message(s) would have paged. Nothing was sent."
    )
