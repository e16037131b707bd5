"""`repwatch demo`: the whole flow offline, on bundled sample sources and SQLite."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from repwatch.commands.common import exit_on_failure

if TYPE_CHECKING:
    from config.settings import Settings

# The demo's first crawl is a backfill: older mentions are history for the baseline,
# only the last two weeks alert.
DEMO_BACKFILL_WINDOW = "14d"


def demo_settings(base_url: str, brand: str, workdir: Path) -> Settings:
    """Sources pointing at the local sample site; Slack and the model still come from env."""
    from config.settings import Settings

    data: dict[str, Any] = {
        "database_url": f"sqlite:///{(workdir / 'repwatch.db').resolve()}",
        "allow_private_networks": True,
        "brand": {"name": brand, "keywords": [brand, "에이크미"]},
        "crawl": {"backfill_window": DEMO_BACKFILL_WINDOW},
        "sources": [
            {"name": "acme-product-reviews", "kind": "schemaorg", "url": f"{base_url}/product"},
            {"name": "acme-news-and-forums", "kind": "rss", "url": f"{base_url}/feed.xml"},
        ],
    }
    return Settings(**data)


def demo_command(
    workdir: Annotated[
        Path, typer.Option(help="Where the demo keeps its SQLite database and report.")
    ] = Path("repwatch-demo"),
) -> None:
    """Serve sample sources on localhost, crawl, score, alert and summarise — offline."""
    from rich.console import Console

    from reports.summary import print_weekly_summary
    from repwatch.demo.site import serve_demo_site
    from repwatch.flow import run_pass
    from storage.db import session_scope

    console = Console()
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    console.rule("[bold]repwatch demo[/] — offline, on SQLite")
    with exit_on_failure("demo"), serve_demo_site() as (base_url, site):
        settings = demo_settings(base_url, site.brand, workdir)
        console.print(f"serving {len(site.pages)} sample pages at {base_url}")
        every_source = [source.name for source in settings.sources]
        summary = run_pass(settings, console, sources=every_source)
        with session_scope(settings.database_url) as session:
            print_weekly_summary(session, console, brand=site.brand, weeks=7)
    elapsed = time.monotonic() - started
    console.rule(
        f"done in {elapsed:.1f}s: {sum(c.new_items for c in summary.crawls)} new mention(s), "
        f"{summary.scored} scored, {summary.alerts} new alert(s), "
        f"{summary.delivery.sent} delivered"
    )
    console.print(
        f"database: {workdir / 'repwatch.db'} — run again: nothing is duplicated", markup=False
    )
