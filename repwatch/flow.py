"""One pass of the whole flow with progress output: crawl → score → decide → send."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from config.settings import Settings
from repwatch import steps
from repwatch.refit import apply_active_refit
from sentiment.results import TextScorer
from sentiment.routing import RoutedScorer
from sentiment.scorer import Scorer
from storage.migrate import upgrade


def load_scorer(settings: Settings, model: str | None = None) -> TextScorer:
    """The configured model (or `model`), routed by language when models_by_lang is set."""
    config = settings.sentiment

    def load(name: str) -> Scorer:
        return Scorer.load(
            name,
            batch_size=config.batch_size,
            max_length=config.max_length,
            num_threads=config.num_threads,
            quantize=config.quantize,
            device=config.device,
            dtype=config.dtype,
        )

    default = load(model or settings.model)
    if not config.models_by_lang:
        return default
    by_language = {lang: load(name) for lang, name in config.models_by_lang.items()}
    return RoutedScorer(default, by_language, config.default_languages)


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
        # Source names and crawl problems are outside text: never read as markup.
        console.print(Text.assemble("  crawled ", (crawl.source, "bold"), ": ", crawl.describe()))
    if not crawls:
        console.print("  no source is due for a crawl")
    with console.status(f"loading sentiment model {settings.model!r}…"):
        scorer = load_scorer(settings)
    # The brand's accepted refit, if any: its correction and its alert threshold.
    decide_settings, _ = apply_active_refit(settings, scorer)
    with console.status("scoring new mentions…"):
        scored = steps.score_pending(settings, scorer)
    console.print(f"  scored {scored} mention(s) with {scorer.model_id}")
    alerts = steps.decide(decide_settings)
    console.print(f"  {alerts} new alert(s)")
    delivery = steps.send(settings, console)
    console.print(f"  delivered {delivery.sent} message(s), {delivery.pending} waiting")
    return steps.PassSummary(crawls=crawls, scored=scored, alerts=alerts, delivery=delivery)
