"""What every command shares: the --config option and the mapping of errors to exit codes.

Every command module is imported to build `repwatch --help`, so command modules import
only typer and this module at the top, and the rest inside their commands: a short
command never pays for torch, Scrapy or SQLAlchemy it does not use.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from config.exceptions import ConfigError

if TYPE_CHECKING:
    from rich.console import Console

    from config.settings import Settings

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="YAML configuration file (default: repwatch.yaml in the working directory).",
        dir_okay=False,
    ),
]

log = logging.getLogger("repwatch")


@cache
def err_console() -> Console:
    """The console for error lines (stderr), made on first use."""
    from rich.console import Console

    return Console(stderr=True)


# Line and paragraph separators, and lone surrogates.
_ESCAPED_IN_JSON_LINES = re.compile("[\u2028\u2029\ud800-\udfff]")


def json_line(record: object) -> str:
    """One JSON Lines record: UTF-8 text as is, with two kinds of character escaped.

    U+2028 and U+2029, so that readers splitting on every Unicode line break (Python's
    splitlines, older JavaScript) still see one record per line; and lone surrogates
    (an input's "\\ud800" escape), which UTF-8 cannot write at all.
    """
    text = json.dumps(record, ensure_ascii=False)
    return _ESCAPED_IN_JSON_LINES.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def print_error(label: str, message: object, style: str = "bold red") -> None:
    """One error line on stderr: the label in bold red, then the message as plain text.

    Messages carry text from outside (file names, payloads, configuration values); read
    as Rich markup, a "[/]" in them would crash the report and "[bold]" would vanish.
    """
    from rich.text import Text

    err_console().print(
        Text.assemble((label, style), " ", str(message)), highlight=False, soft_wrap=True
    )


def print_warning(label: str, message: object) -> None:
    """Like :func:`print_error`, for something that went wrong but lost nothing."""
    print_error(label, message, style="bold yellow")


def settings_or_exit(config: Path | None) -> Settings:
    """Load the configuration; a bad one exits 2 with the key and the fix."""
    from config.settings import load_settings

    try:
        return load_settings(config)
    except ConfigError as exc:
        print_error("configuration error:", exc)
        raise typer.Exit(EXIT_USAGE) from exc


@contextmanager
def exit_on_failure(action: str) -> Iterator[None]:
    """The process boundary: any failure is reported in one line and exits 1."""
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except ConfigError as exc:
        print_error("configuration error:", exc)
        raise typer.Exit(EXIT_USAGE) from exc
    except Exception as exc:
        log.debug("%s failed", action, exc_info=True)
        print_error(f"{action} failed:", _explained(exc))
        raise typer.Exit(EXIT_FAILURE) from exc


def _explained(exc: Exception) -> object:
    """A database error as one line with what to do, not the SQL it ran."""
    from sqlalchemy.exc import DBAPIError  # loaded already when a query failed

    if isinstance(exc, DBAPIError):
        return f"cannot use the database ({exc.orig}); if it is new, run `repwatch db upgrade`"
    return exc
