"""`repwatch extract` on saved payloads and `repwatch status` on a database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.settings import Settings
from repwatch.cli import app
from storage.db import session_scope
from storage.models import CrawlRun
from storage.repository import MentionData, sync_sources, upsert_mention
from tests.crawler.conftest import FIXTURES

runner = CliRunner()
FIELDS = [
    "source", "external_id", "url", "author", "title", "text", "rating", "published_at", "lang",
    "reach",
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "name", "count", "first_id"),
    [
        ("rss", "google_alerts_philip_dick.atom", 1, "tag:google.com,2013:googlealerts/feed:"),
        ("schemaorg", "microdata_reviews.html", 2, None),
        ("appstore", "appstore_viber_al.json", 4, "2221577708"),
        ("hn", "hn_stories_ssh.json", 4, "8828543"),
        ("reddit", "reddit_askreddit_new.json", 4, "t3_p7if57"),
        ("mastodon", "mastodon_tag_timeline.json", 3, "714859"),
        ("trustpilot", "trustpilot_jsonld.html", 3, "5db84119604858035c8f512a"),
    ],
)  # fmt: skip
def test_extract_prints_one_json_line_per_mention(
    kind: str, name: str, count: int, first_id: str | None
) -> None:
    result = runner.invoke(app, ["extract", "--kind", kind, str(FIXTURES / name)])

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == count
    assert list(lines[0]) == FIELDS
    assert lines[0]["source"] == kind
    assert first_id is None or lines[0]["external_id"].startswith(first_id)


def test_extract_dates_are_utc_iso_8601() -> None:
    result = runner.invoke(
        app, ["extract", "-k", "appstore", str(FIXTURES / "appstore_slack_us_p1.json")]
    )

    first = json.loads(result.stdout.splitlines()[0])
    assert first["published_at"] == "2026-08-30T15:36:05+00:00"
    assert (first["rating"], first["reach"]) == (4.0, {"votes": 0, "vote_count": 0})


def test_extract_resolves_relative_links_against_url() -> None:
    url = "https://shop.example.com/p/1"
    args = [
        "extract",
        "--kind",
        "schemaorg",
        "--url",
        url,
        str(FIXTURES / "microdata_reviews.html"),
    ]

    lines = [json.loads(line) for line in runner.invoke(app, args).stdout.splitlines()]

    assert all(line["url"].startswith("https://shop.example.com/") for line in lines)


def test_extract_reads_stdin() -> None:
    payload = (FIXTURES / "hn_comments_nodejs.json").read_bytes()

    result = runner.invoke(app, ["extract", "--kind", "hn", "-"], input=payload)

    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2


def test_empty_but_valid_payload_prints_nothing() -> None:
    result = runner.invoke(
        app, ["extract", "-k", "appstore", str(FIXTURES / "appstore_empty_us.json")]
    )

    assert (result.exit_code, result.stdout) == (0, "")


def test_unparseable_payload_exits_1_saying_why(tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_bytes((FIXTURES / "reddit_askreddit_new.json").read_bytes()[:300])

    result = runner.invoke(app, ["extract", "--kind", "reddit", str(cut)])

    assert result.exit_code == 1
    assert "Reddit listing is not valid JSON" in result.stderr


def test_block_page_exits_1() -> None:
    page = FIXTURES / "block_cloudflare_challenge.html"

    result = runner.invoke(app, ["extract", "--kind", "trustpilot", str(page)])

    assert result.exit_code == 1
    assert "block page" in result.stderr and result.stdout == ""


def test_unknown_kind_and_missing_file() -> None:
    assert runner.invoke(app, ["extract", "--kind", "myspace", "x"]).exit_code == 2
    missing = runner.invoke(app, ["extract", "--kind", "hn", "/nonexistent/payload.json"])
    assert missing.exit_code == 1 and "cannot read" in missing.stderr


def test_status_prints_each_source_and_its_health(tmp_path: Path, sqlite_url: str) -> None:
    config = tmp_path / "repwatch.yaml"
    config.write_text(
        f"database_url: {sqlite_url}\nbrand: {{name: Acme}}\nsources:\n"
        "  - {name: reviews, kind: trustpilot, url: 'https://www.trustpilot.com/review/acme.com'}\n"
        "  - {name: hn, kind: hn, url: 'https://hn.algolia.com/api/v1/search_by_date?query=acme'}\n"
        "  - {name: fresh, kind: rss, url: 'https://acme.example.com/feed'}\n"
    )
    _record_health(sqlite_url, Settings.model_validate({"brand": {"name": "Acme"}, "sources": [
        {"name": "reviews", "kind": "trustpilot", "url": "https://www.trustpilot.com/review/acme.com"},
        {"name": "hn", "kind": "hn", "url": "https://hn.algolia.com/api/v1/search_by_date?query=acme"},
    ]}))  # fmt: skip

    result = runner.invoke(app, ["status", "--config", str(config)], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    assert "broken" in rows["reviews"] and "1 block pages" in rows["reviews"]
    assert "quiet" in rows["hn"] and "0 new / 3" in rows["hn"]
    assert "new" in rows["fresh"] and "never" in rows["fresh"]


def _record_health(database_url: str, settings: Settings) -> None:
    now = datetime.now(UTC)
    with session_scope(database_url) as session:
        sources = sync_sources(session, "Acme", settings.sources)
        for hours in (30, 20, 10):
            published = now - timedelta(hours=hours)
            upsert_mention(
                session,
                sources["hn"].id,
                MentionData(f"hn-{hours}", "acme", published_at=published),
            )
        for name, status, errors, summary in (
            ("reviews", "broken", 1, "1 block pages"),
            ("hn", "quiet", 0, None),
        ):
            sources[name].status, sources[name].last_run_at = status, now
            session.add(
                CrawlRun(
                    source_id=sources[name].id,
                    items=3 if name == "hn" else 0,
                    errors=errors,
                    error_summary=summary,
                    outcome="ok",
                )
            )


def test_a_feed_read_leniently_prints_its_mentions_a_warning_and_exits_0() -> None:
    result = runner.invoke(app, ["extract", "--kind", "rss", str(FIXTURES / "malformed_feed.xml")])

    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2
    assert "warning:" in result.stderr and "read leniently (2 entries)" in result.stderr


def test_charset_names_what_the_servers_header_said(tmp_path: Path) -> None:
    feed = (FIXTURES / "google_news_ko.xml").read_text(encoding="utf-8")
    saved = tmp_path / "ko.xml"
    saved.write_bytes(feed.encode("euc-kr", errors="replace"))

    result = runner.invoke(app, ["extract", "--kind", "rss", "--charset", "euc-kr", str(saved)])

    assert result.exit_code == 0, result.output
    assert "삼성전자" in json.loads(result.stdout)["title"]
    wrong = runner.invoke(app, ["extract", "--kind", "rss", "--charset", "euc-xx", str(saved)])
    assert wrong.exit_code == 2 and "not a character set" in wrong.stderr
