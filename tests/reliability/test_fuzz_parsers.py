"""Bad input for every parser and for `repwatch extract`: no crash, clear errors.

A parser's contract (crawler/parsing): any bytes in, a ParsedPage out — problems as
readable strings, never an exception — and every mention it returns is well typed, so
that validation either drops it with a reason or the item pipelines store it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from crawler.items import MentionItem
from crawler.parsing.block_signs import block_reason
from crawler.parsing.field_values import parse_date
from crawler.parsing.payload import decode_text, load_json
from crawler.parsing.registry import READERS, reader_for
from crawler.parsing.result import ParsedPage
from crawler.pipelines.normalise import NormaliseMentionPipeline
from crawler.pipelines.store import mention_data
from crawler.pipelines.validate import invalid_reason
from repwatch.cli import app
from storage.repository import MentionData
from tests.reliability.conftest import CI_MODE, LONG_MODE, long_mode_requested
from tests.reliability.fuzz_strategies import SHAPED, TRICKY_TEXT, damaged

pytestmark = pytest.mark.reliability

KINDS = sorted(READERS)
URL = "https://reviews.example.com/acme?page=1"
EXTRACT_FIELDS = ["source", "external_id", "url", "author", "title", "text", "rating"]
EXTRACT_FIELDS += ["published_at", "lang", "reach"]

fuzz = settings(
    max_examples=(LONG_MODE if long_mode_requested() else CI_MODE).fuzz_examples,
    deadline=None,  # dateparser and extruct are slow on odd input; a hang still fails
    derandomize=not long_mode_requested(),  # CI sees the same examples every run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
normalise = NormaliseMentionPipeline(max_text_chars=20_000)


def _optional(value: object, kind: type | tuple[type, ...]) -> bool:
    return value is None or isinstance(value, kind)


def check_mention(mention: MentionData) -> None:
    """Well typed, and either refused by validation with a reason or storable."""
    assert isinstance(mention.external_id, str) and isinstance(mention.text, str)
    for text in (mention.url, mention.author, mention.title, mention.lang, mention.raw_excerpt):
        assert _optional(text, str), mention
    assert mention.rating is None or 1 <= mention.rating <= 5, mention
    assert mention.published_at is None or mention.published_at.tzinfo is not None, mention
    assert mention.reach is None or all(isinstance(v, int) for v in mention.reach.values())
    item = MentionItem(source="fuzz", **asdict(mention))
    if invalid_reason(item) is None:
        stored = mention_data(normalise.process_item(item))
        assert len(stored.content_hash()) == 64


def check_page(page: ParsedPage) -> None:
    assert isinstance(page, ParsedPage)
    assert all(isinstance(problem, str) and problem for problem in page.problems)
    assert _optional(page.next_url, str)
    for mention in page.mentions:
        check_mention(mention)


MICRODATA_BAD_TYPE = (
    b'<div itemscope itemtype="https://schema.org/Review"><span itemprop="author" itemscope '
    b'itemtype="https://]]>schema.org/Person"><span itemprop="name">W</span></span>'
    b'<span itemprop="reviewBody">Acme broke</span></div>'
)
# Payloads the fuzzer found crashing a parser, kept so that every CI run checks them.
FOUND_BY_FUZZING = [
    ("rss", b""),
    # A link holding U+2028 split the JSON Lines record for readers that split on it.
    ("rss", "<rss><channel><item><link>0\u20280</link></item></channel></rss>".encode()),
    ("rss", b'<?xml version="1.0" encoding="\xf5tf-8"?><rss version="2.0"><channel/></rss>'),
    ("rss", b'<rss version="2.0"><channel><item><link>http://[::1</link></item></channel></rss>'),
    ("schemaorg", b""),
    ("schemaorg", b'<html><head><link rel="next" href="http://[::1"></head></html>'),
    ("schemaorg", MICRODATA_BAD_TYPE),
    ("appstore", b'{"feed": {"entry": true}}'),
    ("appstore", b'{"feed": {"entry": [{"im:rating": {"label": "5"}, "content": [null]}]}}'),
    ("appstore", b'{"feed": {"link": [{"attributes": "x"}], "entry": {"im:rating": {}}}}'),
    (
        "appstore",
        b'{"feed": {"entry": {"im:rating": {"label": "5"}, "content": {"label": "x"},'
        b' "link": {"attributes": {"href": "http://[::1"}}}}}',
    ),
    ("hn", b'{"hits": [{"objectID": "1", "created_at_i": 100000000000000000000}]}'),
    ("hn", b'{"hits": [{"objectID": "1", "_tags": 5}]}'),
    ("hn", b'{"hits": [{"objectID": "\\ud800", "comment_text": "x"}]}'),
    ("reddit", b'{"kind": "Listing", "data": {"children": true}}'),
    (
        "reddit",
        b'{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": '
        b'{"name": "t3_x", "title": "\\ud800", "created_utc": 1e300}}]}}',
    ),
    ("mastodon", b'[{"id": "1", "reblog": true}]'),
    ("mastodon", b'[{"id": "1", "reblog": {"content": "x"}}]'),
    ("mastodon", b'[{"id": "1", "content": "x", "url": [1]}]'),
    ("mastodon", b'{"statuses": [{"id": "\\ud800", "content": "x"}]}'),
    ("appstore", b'{"feed": {"entry": [{"im:rating": {"label": 1' + b"0" * 400 + b"}}]}}"),
    ("schemaorg", b'<meta charset="undefined"><p>caf\xe9</p>'),
    ("trustpilot", b'<meta charset="undefined"><p>caf\xe9</p>'),
]


@pytest.mark.parametrize(("kind", "body"), FOUND_BY_FUZZING)
def test_payloads_that_once_crashed_a_parser(kind: str, body: bytes) -> None:
    check_page(reader_for(kind)(body, URL))
    _extract(kind, body, URL)


@pytest.mark.parametrize("kind", KINDS)
@fuzz
@given(body=st.binary(max_size=2048))
def test_random_bytes(kind: str, body: bytes) -> None:
    check_page(reader_for(kind)(body, URL))


@pytest.mark.parametrize("kind", KINDS)
@fuzz
@given(data=st.data())
def test_damaged_real_payloads(kind: str, data: st.DataObject) -> None:
    check_page(reader_for(kind)(data.draw(damaged(kind)), URL))


@pytest.mark.parametrize("kind", KINDS)
@fuzz
@given(data=st.data())
def test_odd_values_in_the_right_shape(kind: str, data: st.DataObject) -> None:
    check_page(reader_for(kind)(data.draw(SHAPED[kind]), URL))


@fuzz
@given(body=st.binary(max_size=512), declared=st.none() | st.text(max_size=12))
def test_payload_decoding_raises_only_its_documented_error(
    body: bytes, declared: str | None
) -> None:
    assert isinstance(decode_text(body, declared), str)
    try:
        load_json(body)
    except ValueError as exc:  # documented: "Raises ValueError with a short reason"
        assert str(exc)


@fuzz
@given(value=st.text(max_size=40) | st.sampled_from(TRICKY_TEXT))
def test_odd_dates_are_none_or_aware(value: str) -> None:
    parsed = parse_date(value)
    assert parsed is None or (isinstance(parsed, datetime) and parsed.tzinfo is not None)


@fuzz
@given(
    status=st.integers(100, 599),
    headers=st.dictionaries(st.sampled_from(["cf-mitigated", "server"]), st.text(max_size=12)),
    body=st.binary(max_size=1024),
)
def test_block_page_check_takes_any_answer(
    status: int, headers: dict[str, str], body: bytes
) -> None:
    assert _optional(block_reason(status, headers, body, URL + "/login", URL), str)


def _extract(kind: str, body: bytes, url: str) -> None:
    result = CliRunner().invoke(app, ["extract", "--kind", kind, "--url", url, "-"], input=body)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code == 2:  # documented: a usage error
        assert result.stderr == f"extract: --url {url!r} is not a URL\n"
        return
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:  # documented: the reasons go to stderr
        assert result.stderr.startswith("extract: "), result.stderr
    for line in result.stdout.splitlines():
        record = json.loads(line)
        assert list(record) == EXTRACT_FIELDS
        assert record["rating"] is None or 1 <= record["rating"] <= 5


@pytest.mark.parametrize("kind", KINDS)
@fuzz
@given(data=st.data())
def test_extract_exits_0_or_1_with_its_reasons_on_stderr(kind: str, data: st.DataObject) -> None:
    body = data.draw(SHAPED[kind] | damaged(kind) | st.binary(max_size=512))
    _extract(kind, body, data.draw(st.just(URL) | st.sampled_from(TRICKY_TEXT)))


@fuzz
@given(kind=st.text(min_size=1, max_size=12).filter(lambda k: k not in READERS))
@example(kind="[/]")  # found by fuzzing: read as Rich markup, it crashed the error report
@example(kind="[bold]")  # ... and this one vanished from it
def test_extract_refuses_an_unknown_kind_with_exit_2(kind: str) -> None:
    result = CliRunner().invoke(app, ["extract", "--kind", kind, "-"], input=b"{}")
    assert result.exit_code == 2
    assert "no parser for kind" in result.stderr
    if kind.isprintable():
        assert repr(kind) in result.stderr.replace("\n", "")
