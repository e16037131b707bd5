"""The whole report of the hand-computed week, and of an empty database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from alerts.playbook import load_playbook
from reports.report_data import WeeklyReport, collect_weekly_report
from tests.reports.conftest import NOW, W46, W47, W48


def collect(session: Session, brand: str | None = "Acme", **kw: object) -> WeeklyReport:
    options: dict[str, object] = {"week": W48, "weeks": 3, "now": NOW} | kw
    return collect_weekly_report(
        session,
        title="Acme weekly report",
        brand=brand,
        playbook=load_playbook(),
        brand_words=["Acme"],
        **options,  # type: ignore[arg-type]
    )


def test_report_of_the_week(week: Session) -> None:
    report = collect(week)
    assert (report.iso_label, report.week_end.isoformat(), report.complete) == (
        "2026-W48",
        "2026-11-29",
        True,
    )
    assert [(t.week_start, t.mentions, t.negative) for t in report.totals] == [
        (W46, 0, 0),
        (W47, 4, 1),
        (W48, 10, 6),
    ]
    current = report.current
    assert current.negative_share == pytest.approx(0.6)
    assert current.mean_score == pytest.approx(-1.4 / 10)
    assert current.mean_rating == pytest.approx(24 / 7)
    previous, average = report.current_trend.vs_previous, report.current_trend.vs_average
    assert previous is not None and average is not None
    assert (previous.mentions, previous.negative_share) == (6, pytest.approx(0.35))
    assert previous.mean_score == pytest.approx(-0.14 - 0.2)
    assert (average.mentions, average.mentions_pct) == (8, pytest.approx(4.0))  # against 2
    assert average.negative_share == pytest.approx(0.35)  # W46 is silent: 1 of 4


def test_sources_of_the_week_busiest_first(week: Session) -> None:
    rows = collect(week).week_rows
    assert [(row.source, row.mentions, row.negative) for row, _ in rows] == [
        ("shop", 7, 3),
        ("forum", 3, 3),
        ("blog", 0, 0),
    ]
    shop_trend = rows[0][1]
    assert shop_trend.vs_previous is not None
    assert shop_trend.vs_previous.negative_share == pytest.approx(3 / 7 - 1 / 4)


def test_themes_incidents_response_and_health(week: Session) -> None:
    report = collect(week)
    assert [(theme.term, theme.count) for theme in report.themes] == [("leak", 3), ("고객센터", 2)]
    assert [incident.kind for incident in report.incidents] == ["spike", "similar"]
    assert (report.response.overall.alerts, report.response.overdue_count) == (6, 2)
    assert [h.source for h in report.health if h.needs_attention] == ["blog", "forum"]


def test_an_unfinished_week_is_marked(week: Session) -> None:
    report = collect(week, now=NOW - timedelta(days=1))
    assert not report.complete


def test_empty_database_gives_a_report_of_zeros(db_session: Session) -> None:
    report = collect(db_session, brand=None, weeks=4)
    assert (report.rows, report.totals, report.themes, report.incidents) == ([], [], [], [])
    assert not report.has_data
    assert (report.current.week_start, report.current.mentions) == (W48, 0)
    assert report.current_trend.vs_previous is None
    assert report.week_rows == []
    assert report.response.overall.alerts == 0
    assert report.health == []
