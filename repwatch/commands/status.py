"""`repwatch status`: the sources' health and the pipeline's state, for a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from repwatch.commands.common import ConfigOption, exit_on_failure, settings_or_exit

if TYPE_CHECKING:
    from rich.table import Table

    from crawler.status import SourceHealth
    from repwatch.metrics import Snapshot

STYLES = {"ok": "green", "quiet": "yellow", "broken": "bold red", "new": "dim"}


def status_command(config: ConfigOption = None) -> None:
    """Show each source's health: ok, quiet (nothing new for longer than usual), broken."""
    from rich.console import Console

    from crawler.status import read_source_health
    from repwatch.metrics import read_snapshot
    from storage.db import session_scope
    from storage.migrate import upgrade

    settings = settings_or_exit(config)
    now = datetime.now(UTC)
    with exit_on_failure("status"):
        upgrade(settings.database_url)
        with session_scope(settings.database_url) as session:
            rows = read_source_health(session, settings.sources)
            snapshot = read_snapshot(session, now)
    console = Console()
    if rows:
        console.print(health_table(rows, now))
    else:
        console.print("no sources configured")
    console.print(pipeline_table(snapshot))


def pipeline_table(snapshot: Snapshot) -> Table:
    """Mentions, scoring, alerts and outbox: the worker's /metrics gauges, for a person."""
    from rich.table import Table

    table = Table(title="Pipeline", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("mentions stored", str(snapshot.mentions))
    table.add_row("waiting to be scored", str(snapshot.unscored))
    table.add_row("scored in the last hour", str(snapshot.scored_last_hour))
    for severity in ("P1", "P2", "P3", "P4"):
        counts = {s: n for (sev, s), n in snapshot.alerts.items() if sev == severity}
        described = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "0"
        table.add_row(f"{severity} alerts", described)
    age = _duration(timedelta(seconds=snapshot.outbox_oldest_age_s))
    waiting = f"{snapshot.outbox_depth}" + (f" (oldest {age})" if snapshot.outbox_depth else "")
    table.add_row("Slack messages waiting", waiting)
    return table


def health_table(rows: list[SourceHealth], now: datetime) -> Table:
    """The rich table of `rows` (ages relative to `now`)."""
    from rich.table import Table

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
