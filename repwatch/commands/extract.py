"""`repwatch extract`: parse a saved payload with a spider kind's own parsing code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from repwatch.commands.common import (
    EXIT_FAILURE,
    EXIT_USAGE,
    json_line,
    print_error,
    print_warning,
)

if TYPE_CHECKING:
    from storage.repository import MentionData

KindOption = Annotated[
    str,
    typer.Option(
        "--kind", "-k", help="Source kind, e.g. rss, schemaorg, appstore; a wrong one lists all."
    ),
]
UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="The URL the payload came from (resolves relative links)."),
]
CharsetOption = Annotated[
    str | None,
    typer.Option(
        "--charset",
        help="The charset the server's Content-Type header named (e.g. euc-kr); "
        "default: the payload's own declaration, else detected.",
    ),
]
FileArgument = Annotated[Path, typer.Argument(help="Saved payload file; '-' reads stdin.")]


def extract_command(
    file: FileArgument, kind: KindOption, url: UrlOption = None, charset: CharsetOption = None
) -> None:
    """Print the mentions in a saved payload as JSON Lines, one mention per line.

    Exits 1 when the payload cannot be read (the reasons go to stderr); an empty
    but valid payload prints nothing. A payload read all the same (a feed that is
    not well-formed XML) prints its mentions and a warning on stderr, and exits 0.
    """
    from crawler.exceptions import UnknownKindError
    from crawler.parsing.block_signs import block_reason
    from crawler.parsing.field_values import absolute_url
    from crawler.parsing.payload import utf8_payload
    from crawler.parsing.registry import reader_for

    try:
        reader = reader_for(kind)
    except UnknownKindError as exc:
        print_error("extract:", exc)
        raise typer.Exit(EXIT_USAGE) from exc
    if url is not None and absolute_url(url, url) is None:
        print_error("extract:", f"--url {url!r} is not a URL")
        raise typer.Exit(EXIT_USAGE)
    body = _read(file)
    blocked = block_reason(200, {}, body)
    if blocked:
        _fail(file, [f"this is a block page, not content: {blocked}"])
    if charset is not None and not _is_codec(charset):
        print_error("extract:", f"--charset {charset!r} is not a character set Python knows")
        raise typer.Exit(EXIT_USAGE)
    page = reader(utf8_payload(body, charset), url or _default_url(file))
    for mention in page.mentions:
        typer.echo(json_line(mention_record(kind, mention)))
    for warning in page.warnings:
        print_warning("extract: warning:", f"{file}: {warning}")
    if page.problems:
        _fail(file, page.problems)


def mention_record(source: str, mention: MentionData) -> dict[str, Any]:
    """The JSON object printed for one mention (lone surrogates replaced: it is printed)."""
    from crawler.parsing.field_values import scrub

    return {
        "source": source,
        "external_id": scrub(mention.external_id),
        "url": scrub(mention.url) if mention.url else mention.url,
        "author": mention.author,
        "title": mention.title,
        "text": mention.text,
        "rating": mention.rating,
        "published_at": mention.published_at.isoformat() if mention.published_at else None,
        "lang": mention.lang,
        "reach": mention.reach,
    }


def _is_codec(name: str) -> bool:
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _read(file: Path) -> bytes:
    if str(file) == "-":
        return sys.stdin.buffer.read()
    try:
        return file.read_bytes()
    except OSError as exc:
        print_error("extract:", f"cannot read {file}: {exc.strerror}")
        raise typer.Exit(EXIT_FAILURE) from exc


def _default_url(file: Path) -> str:
    return "file:///dev/stdin" if str(file) == "-" else file.resolve().as_uri()


def _fail(file: Path, problems: list[str]) -> None:
    for problem in problems:
        print_error("extract:", f"{file}: {problem}")
    raise typer.Exit(EXIT_FAILURE)
