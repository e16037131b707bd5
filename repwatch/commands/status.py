"""`repwatch status`: a table of the configured sources and their health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.console import Console
from rich.table import Table

from crawler.status import SourceHealth, read_source_health
from repwatch.commands.common import ConfigOption, exit_on_failure, settings_or_exit
from storage.db import session_scope
from storage.migrate import upgrade

STYLES = {"ok": "green", "quiet": "yellow", "broken": "bold red", "new": "dim"}


def status_command(config: ConfigOption = None) -> None:
    """Show each source's health: ok, quiet (nothing new for longer than usual), broken."""
    settings = settings_or_exit(config)
    with exit_on_failure("status"):
        upgrade(settings.database_url)
        with session_scope(settings.database_url) as session:
            rows = read_source_health(session, settings.sources)
    console = Console()
    if not rows:
        console.print("no sources configured")
        return
    console.print(health_table(rows, datetime.now(UTC)))


def health_table(rows: list[SourceHealth], now: datetime) -> Table:
    """The rich table of `rows` (ages relative to `now`)."""
    table = Table(title="Source health")
    for column in (
        "source",
        "kind",
        "health",
        "last run",
        "last run items",
        "newest item",
        "usual gap",
        "failures",
        "problem",
    ):
        table.add_column(column, overflow="fold")
    for row in rows:
        run = row.last_run
        table.add_row(
            row.name + ("" if row.enabled else " (disabled)"),
            row.kind,
            f"[{STYLES.get(row.status, '')}]{row.status}[/]",
            _ago(row.last_run_at, now),
            f"{run.new_items} new / {run.items}, {run.errors} errors" if run else "-",
            _ago(row.newest_item_at, now),
            _duration(row.usual_gap),
            str(row.consecutive_failures),
            (run.error_summary or "") if run else "",
        )
    return table


def _ago(when: datetime | None, now: datetime) -> str:
    return "never" if when is None else f"{_duration(now - when)} ago"


def _duration(span: timedelta | None) -> str:
    if span is None:
        return "-"
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
