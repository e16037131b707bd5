"""The `repwatch` command line. Each command lives in `repwatch.commands`."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from repwatch import __version__
from repwatch.commands import (
    db,
    demo,
    extract,
    feedback,
    model,
    pipeline,
    report,
    rules,
    score,
    slack,
    status,
    worker,
)

app = typer.Typer(
    name="repwatch",
    help="Reputation and review monitoring: crawl, score sentiment, alert in Slack, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help: Rich's help formatting doubles the start-up time of `repwatch --help`.
    rich_markup_mode=None,
)
app.command("demo")(demo.demo_command)
app.command("run")(pipeline.run_command)
app.command("crawl")(pipeline.crawl_command)
app.command("worker")(worker.worker_command)
app.command("score")(score.score_command)
app.command("extract")(extract.extract_command)
app.command("status")(status.status_command)
app.add_typer(report.app, name="report")
app.add_typer(db.app, name="db")
app.add_typer(model.app, name="model")
app.add_typer(feedback.app, name="feedback")
app.add_typer(rules.app, name="rules")
app.add_typer(slack.app, name="slack")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"repwatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Set up logging for every command."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


if __name__ == "__main__":
    app()
