"""`repwatch score`: sentiment for JSON Lines texts, streamed in chunks.

Each input line is a JSON object with ``text`` and optionally ``rating`` (1-5) and
``lang``; it is written back unchanged with a ``sentiment`` object added. A line that
is not such an object is reported on stderr with its line number and skipped; the
rest is still scored and the command exits 1 at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from repwatch.commands.common import (
    EXIT_FAILURE,
    ConfigOption,
    err_console,
    exit_on_failure,
    json_line,
    print_error,
    settings_or_exit,
)
from sentiment.exceptions import InvalidInputError
from sentiment.results import ScoreInput

if TYPE_CHECKING:
    from sentiment.results import TextScorer

# Lines read, scored and written at a time: big files never sit in memory whole.
CHUNK_LINES = 512


class InvalidLineError(ValueError):
    """An input line is not a JSON object with a string ``text``."""


@dataclass(frozen=True)
class ScoreRequest:
    """One well-formed input line."""

    number: int
    record: dict[str, Any]


def parse_line(raw: bytes) -> dict[str, Any]:
    """Decode one JSON Lines line into an object with a string text; raise InvalidLineError."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidLineError("not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise InvalidLineError(f"not JSON ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise InvalidLineError("expected a JSON object")
    if not isinstance(record.get("text"), str):
        raise InvalidLineError('needs a string "text"')
    return record


def to_score_input(record: dict[str, Any]) -> ScoreInput:
    """The scorer's input for a parsed line; raise InvalidLineError on a bad rating or lang."""
    lang = record.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise InvalidLineError('"lang" must be a string or null')
    try:
        return ScoreInput(record["text"], rating=record.get("rating"), lang=lang)
    except InvalidInputError as exc:
        raise InvalidLineError(str(exc)) from exc


def _chunks(lines: Iterable[bytes]) -> Iterator[list[tuple[int, bytes]]]:
    numbered = enumerate(lines, start=1)
    while chunk := list(islice(numbered, CHUNK_LINES)):
        yield chunk


def score_chunk(scorer: TextScorer, chunk: list[tuple[int, bytes]]) -> tuple[list[str], list[str]]:
    """Score one chunk of numbered lines; return (output lines, error messages)."""
    records, inputs, errors = [], [], []
    for number, raw in chunk:
        if not raw.strip():
            continue
        try:
            record = parse_line(raw)
            inputs.append(to_score_input(record))
        except InvalidLineError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        records.append(record)
    results = scorer.score(inputs)
    outputs = [
        json_line(record | {"sentiment": result.to_json()})
        for record, result in zip(records, results, strict=True)
    ]
    return outputs, errors


def score_stream(scorer: TextScorer, lines: Iterable[bytes], out: IO[str]) -> int:
    """Score JSON Lines from lines into out, errors to stderr; return the bad line count."""
    bad = 0
    for chunk in _chunks(lines):
        outputs, errors = score_chunk(scorer, chunk)
        for message in errors:
            print_error("skipped", message)
        bad += len(errors)
        if outputs:
            out.write("\n".join(outputs) + "\n")
            out.flush()
    return bad


def _open_input(source: str) -> IO[bytes]:
    if source == "-":
        return typer.get_binary_stream("stdin")
    return Path(source).open("rb")


def score_command(
    source: Annotated[
        str, typer.Argument(metavar="[FILE|-]", help="JSON Lines input; - is stdin.")
    ] = "-",
    model: Annotated[
        str | None,
        typer.Option(
            help="'starter', a model directory or a hub id for every text (default: config, "
            "with sentiment.models_by_lang routing)."
        ),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(min=1, help="Texts per batch (default: config).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Add a `sentiment` object (label, score, probs, model) to each JSON Lines text."""
    settings = settings_or_exit(config)
    with exit_on_failure("scoring"):
        # Imported here so that the command line starts without loading torch.
        from repwatch.flow import load_scorer

        tuned = settings.sentiment.model_copy(
            update={"batch_size": batch_size or settings.sentiment.batch_size}
        )
        if model is not None:  # one model for every text: no routing
            tuned = tuned.model_copy(update={"models_by_lang": {}})
        scorer = load_scorer(settings.model_copy(update={"sentiment": tuned}), model)
        with _open_input(source) as stream:
            bad = score_stream(scorer, stream, typer.get_text_stream("stdout"))
    if bad:
        err_console().print(f"{bad} line(s) could not be scored", highlight=False)
        raise typer.Exit(EXIT_FAILURE)
