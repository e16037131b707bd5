"""`repwatch run` and `repwatch crawl`: the flow, whole or in part."""

from __future__ import annotations

from typing import Annotated

import typer

from repwatch.commands.common import (
    EXIT_FAILURE,
    EXIT_USAGE,
    ConfigOption,
    err_console,
    exit_on_failure,
    print_error,
    settings_or_exit,
)


def run_command(
    once: Annotated[bool, typer.Option("--once", help="Run one pass and exit.")] = False,
    config: ConfigOption = None,
) -> None:
    """Crawl every due source, score, decide and send, then exit (for cron)."""
    from rich.console import Console

    from repwatch.flow import run_pass

    if not once:
        err_console().print("use --once for a single pass; `repwatch worker` is the scheduled form")
        raise typer.Exit(EXIT_USAGE)
    settings = settings_or_exit(config)
    console = Console()
    with exit_on_failure("run"):
        summary = run_pass(settings, console)
    if summary.delivery.failed or any(c.failed for c in summary.crawls):
        raise typer.Exit(EXIT_FAILURE)


def crawl_command(
    source: Annotated[
        str | None, typer.Argument(help="Source name from the config (default: all enabled).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Crawl one source, or every enabled source, and store what is new."""
    from repwatch import steps
    from storage.migrate import upgrade

    settings = settings_or_exit(config)
    names = [s.name for s in settings.sources if s.enabled]
    if source is not None:
        if source not in {s.name for s in settings.sources}:
            known = ", ".join(s.name for s in settings.sources) or "none configured"
            print_error("crawl:", f"unknown source {source!r}; configured sources: {known}")
            raise typer.Exit(EXIT_USAGE)
        names = [source]
    with exit_on_failure("crawl"):
        upgrade(settings.database_url)
        summaries = steps.crawl(settings, names)
    for summary in summaries:
        typer.echo(f"{summary.source}: {summary.describe()}")
    if any(summary.failed for summary in summaries):
        raise typer.Exit(EXIT_FAILURE)
