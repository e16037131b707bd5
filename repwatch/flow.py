"""One pass of the whole flow with progress output: crawl → score → decide → send."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console

from repwatch import steps
from repwatch.config import Settings
from sentiment.scorer import Scorer
from storage.migrate import upgrade


def load_scorer(settings: Settings) -> Scorer:
    """The configured sentiment model, with the configured batch and thread settings."""
    return Scorer.load(
        settings.model,
        batch_size=settings.sentiment.batch_size,
        max_length=settings.sentiment.max_length,
        num_threads=settings.sentiment.num_threads,
    )


def run_pass(
    settings: Settings,
    console: Console,
    *,
    sources: Sequence[str] | None = None,
) -> steps.PassSummary:
    """Crawl the due (or named) sources, score, decide and send; report progress."""
    upgrade(settings.database_url)
    with console.status("crawling sources…"):
        crawls = steps.crawl(settings, sources)
    for crawl in crawls:
        console.print(f"  crawled [bold]{crawl.source}[/]: {crawl.describe()}")
    if not crawls:
        console.print("  no source is due for a crawl")
    with console.status(f"loading sentiment model {settings.model!r}…"):
        scorer = load_scorer(settings)
    with console.status("scoring new mentions…"):
        scored = steps.score_pending(settings, scorer)
    console.print(f"  scored {scored} mention(s) with {scorer.model_id}")
    alerts = steps.decide(settings)
    console.print(f"  {alerts} new alert(s)")
    delivery = steps.send(settings, console)
    console.print(f"  delivered {delivery.sent} message(s), {delivery.pending} waiting")
    return steps.PassSummary(crawls=crawls, scored=scored, alerts=alerts, delivery=delivery)
