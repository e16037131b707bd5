"""`repwatch db …`: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from repwatch.commands.common import ConfigOption, exit_on_failure, settings_or_exit

app = typer.Typer(help="Database schema management.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(config: ConfigOption = None) -> None:
    """Create or migrate the database schema to the newest revision."""
    from storage.db import normalise_url
    from storage.migrate import upgrade

    settings = settings_or_exit(config)
    with exit_on_failure("database upgrade"):
        upgrade(settings.database_url)
    shown = normalise_url(settings.database_url).split("@")[-1]
    typer.echo(f"database schema is up to date ({shown})")


@app.command("check")
def check_command(
    config: ConfigOption = None,
    database_url: Annotated[
        str | None, typer.Option(help="Check this database instead of the configured one.")
    ] = None,
) -> None:
    """Upgrade to head, then fail if the models hold changes no migration records."""
    from storage.migrate import check, upgrade

    url = database_url or settings_or_exit(config).database_url
    with exit_on_failure("migration check"):
        upgrade(url)
        check(url)
    typer.echo("models and migrations agree")
