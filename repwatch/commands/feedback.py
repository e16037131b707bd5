"""`repwatch feedback`: corrections from the people who answer alerts.

"Not negative" is a button on every alert (alerts/actions.py). A complaint that never
paged has no button, so it is reported here, by the mention's id or its URL; both
kinds of correction are training data for ``repwatch model train --include-feedback``.
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from repwatch.commands.common import EXIT_USAGE, ConfigOption, exit_on_failure, settings_or_exit

app = typer.Typer(help="Corrections of the sentiment model by the people who answer alerts.")


@app.callback(no_args_is_help=True)
def feedback() -> None:
    """Report complaints that should have paged; list the corrections stored."""


@app.command("missed")
def missed_command(
    mention_id: Annotated[int | None, typer.Option("--mention", help="The mention's id.")] = None,
    url: Annotated[str | None, typer.Option(help="The mention's URL, as stored.")] = None,
    by: Annotated[str | None, typer.Option(help="Who reports it (default: your login).")] = None,
    config: ConfigOption = None,
) -> None:
    """Report a stored mention as a complaint that should have paged."""
    from sqlalchemy import select

    from alerts.actions import Actor, report_missed_complaint
    from storage.db import session_scope
    from storage.models import Mention, utcnow

    if (mention_id is None) == (url is None):
        typer.echo("give the mention as --mention ID or --url URL (one of them)", err=True)
        raise typer.Exit(EXIT_USAGE)
    settings = settings_or_exit(config)
    reporter = by or getpass.getuser()
    with exit_on_failure("feedback missed"), session_scope(settings.database_url) as session:
        query = select(Mention).where(
            Mention.id == mention_id if mention_id is not None else Mention.url == url
        )
        mention = session.scalars(query.limit(1)).first()
        if mention is None:
            wanted = f"URL {url}" if url is not None else f"id {mention_id}"
            typer.echo(f"no stored mention with {wanted}", err=True)
            raise typer.Exit(EXIT_USAGE)
        actor = Actor(user_id=f"cli:{reporter}", name=reporter)
        saved = report_missed_complaint(session, mention, actor, utcnow())
        source = mention.source.name
        described = f"mention {mention.id} on {source}"
    if saved:
        typer.echo(
            f"saved {described} as a missed complaint; "
            "`repwatch model train --include-feedback` learns from it"
        )
    else:
        typer.echo(f"{described} was reported as a missed complaint by {reporter} already")


@app.command("list")
def list_command(config: ConfigOption = None) -> None:
    """Every correction stored: when, by whom, the label it should have had, the text."""
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import Feedback

    settings = settings_or_exit(config)
    table = Table(title="Corrections")
    for column in ("when (UTC)", "by", "mention", "model said", "should be", "text"):
        table.add_column(column)
    with exit_on_failure("feedback list"), session_scope(settings.database_url) as session:
        for row in session.scalars(select(Feedback).order_by(Feedback.created_at, Feedback.id)):
            table.add_row(
                f"{row.created_at:%Y-%m-%d %H:%M}",
                row.user_name or row.user_id,
                str(row.mention_id),
                row.original_label or "-",
                row.corrected_label,
                row.text[:80],
            )
    Console().print(table)
