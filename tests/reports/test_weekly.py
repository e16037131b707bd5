"""Weekly figures on SQLite and PostgreSQL, checked against a hand-computed data set."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from reports.exceptions import InvalidReportRangeError
from reports.weekly import (
    WeekRow,
    iso_label,
    last_complete_week,
    parse_iso_week,
    report_weeks,
    week_bounds,
    weekly_figures,
    weekly_totals,
)
from tests.reports.factories import make_mention, make_source

# Wednesday of ISO week 2026-W48; three weeks back reach W46 (Monday 9 November).
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
W46, W47, W48 = date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)


def utc(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def acme(db_session: Session) -> Session:
    """Two Acme sources, one Globex source and one disabled source without mentions.

    Expected, W46..W48:
      news:    W46 -;  W47 3 mentions (1 negative, scores -0.8/+0.6, ratings 1/5, one
               unscored with no published_at);  W48 2 (1 negative, scores -0.6/0.0, rating 2)
      reviews: W46 1 (neutral 0.1, rating 3);  W47 -;  W48 2 (2 negative, -1.0/-0.5, 1/2)
    """
    news, reviews = make_source(db_session, "news"), make_source(db_session, "reviews")
    make_source(db_session, "retired", enabled=False)
    globex = make_source(db_session, "globex-news", brand="Globex")
    add = make_mention
    add(db_session, news, utc(11, 22, 23, 30), rating=1, label="negative", score=-0.8)  # Sunday
    add(db_session, news, utc(11, 17), rating=5, label="positive", score=0.6)
    add(db_session, news, None, fetched_at=utc(11, 18))  # falls back to fetched_at: W47
    add(db_session, news, utc(11, 23, 0, 10), rating=2, label="negative", score=-0.6)  # Monday
    add(db_session, news, None, fetched_at=utc(11, 23, 8), label="neutral", score=0.0)
    add(db_session, news, utc(11, 8, 23, 59), fetched_at=utc(11, 24), label="negative")  # W45
    add(db_session, reviews, utc(11, 11), rating=3, label="neutral", score=0.1)
    add(db_session, reviews, utc(11, 24), rating=1, label="negative", score=-1.0)
    add(db_session, reviews, utc(11, 25, 11), rating=2, label="negative", score=-0.5)
    add(db_session, reviews, utc(11, 30, 0, 0), rating=1, label="negative")  # next week
    add(db_session, globex, utc(11, 24), rating=1, label="negative", score=-0.9)
    return db_session


def by_key(rows: list[WeekRow]) -> dict[tuple[date, str], WeekRow]:
    return {(row.week_start, row.source): row for row in rows}


def test_rows_per_week_and_source_are_exact(acme: Session) -> None:
    rows = weekly_figures(acme, weeks=3, brand="Acme", now=NOW)
    assert [(row.week_start, row.source) for row in rows] == [
        (W46, "news"), (W46, "reviews"),
        (W47, "news"), (W47, "reviews"),
        (W48, "news"), (W48, "reviews"),
    ]  # fmt: skip
    found = by_key(rows)
    news47 = found[W47, "news"]
    assert (news47.mentions, news47.negative, news47.scored, news47.rated) == (3, 1, 2, 2)
    assert news47.negative_share == pytest.approx(1 / 3)
    assert news47.mean_score == pytest.approx(-0.1)
    assert news47.mean_rating == pytest.approx(3.0)
    news48 = found[W48, "news"]
    assert (news48.mentions, news48.negative, news48.scored, news48.rated) == (2, 1, 2, 1)
    assert (news48.mean_score, news48.mean_rating) == (pytest.approx(-0.3), 2.0)
    reviews48 = found[W48, "reviews"]
    assert (reviews48.mentions, reviews48.negative, reviews48.negative_share) == (2, 2, 1.0)
    assert (reviews48.mean_score, reviews48.mean_rating) == (pytest.approx(-0.75), 1.5)
    reviews46 = found[W46, "reviews"]
    assert (reviews46.mentions, reviews46.mean_score, reviews46.mean_rating) == (1, 0.1, 3.0)


def test_weeks_without_mentions_are_zero_rows(acme: Session) -> None:
    found = by_key(weekly_figures(acme, weeks=3, brand="Acme", now=NOW))
    assert found[W46, "news"] == WeekRow.empty(W46, "news", "Acme")
    assert found[W47, "reviews"] == WeekRow.empty(W47, "reviews", "Acme")
    empty = found[W46, "news"]
    assert (empty.mentions, empty.negative_share, empty.mean_score, empty.mean_rating) == (
        0,
        0.0,
        None,
        None,
    )


def test_iso_fields_follow_the_week_start(acme: Session) -> None:
    row = weekly_figures(acme, weeks=1, brand="Acme", now=NOW)[0]
    assert (row.iso_year, row.iso_week, row.week_start, row.iso_label) == (
        2026,
        48,
        W48,
        "2026-W48",
    )


def test_without_brand_every_enabled_source_counts(acme: Session) -> None:
    rows = weekly_figures(acme, weeks=1, now=NOW)
    assert {row.source: row.mentions for row in rows} == {"globex-news": 1, "news": 2, "reviews": 2}


def test_week_boundaries_are_utc_whatever_the_session_zone(db_session: Session) -> None:
    if db_session.get_bind().dialect.name == "postgresql":
        # A session zone east of UTC would move Sunday 23:30 UTC into Monday if ignored.
        db_session.execute(text("SET LOCAL TIME ZONE 'Asia/Seoul'"))
    news = make_source(db_session, "news")
    make_mention(db_session, news, utc(11, 22, 23, 30))
    make_mention(db_session, news, utc(11, 23, 0, 10))
    make_mention(db_session, news, utc(11, 23, 0, 20))
    rows = weekly_figures(db_session, weeks=2, now=NOW)
    assert [(row.iso_label, row.mentions) for row in rows] == [("2026-W47", 1), ("2026-W48", 2)]


def test_weeks_spanning_a_new_year_use_iso_years(db_session: Session) -> None:
    news = make_source(db_session, "news")
    make_mention(db_session, news, datetime(2027, 1, 3, 22, tzinfo=UTC))  # Sunday of 2026-W53
    make_mention(db_session, news, datetime(2027, 1, 4, 1, tzinfo=UTC))
    rows = weekly_figures(db_session, weeks=2, now=datetime(2027, 1, 6, tzinfo=UTC))
    assert [(row.iso_label, row.week_start, row.mentions) for row in rows] == [
        ("2026-W53", date(2026, 12, 28), 1),
        ("2027-W01", date(2027, 1, 4), 1),
    ]


def test_empty_database_gives_no_rows(db_session: Session) -> None:
    assert weekly_figures(db_session, weeks=4, now=NOW) == []
    assert weekly_totals([]) == []


def test_source_without_mentions_gives_zero_weeks(db_session: Session) -> None:
    make_source(db_session, "news")
    rows = weekly_figures(db_session, weeks=2, now=NOW)
    assert rows == [WeekRow.empty(W47, "news", "Acme"), WeekRow.empty(W48, "news", "Acme")]
    assert [total.mentions for total in weekly_totals(rows)] == [0, 0]


def test_totals_sum_sources_and_compare_weeks(acme: Session) -> None:
    totals = weekly_totals(weekly_figures(acme, weeks=3, brand="Acme", now=NOW))
    assert [(t.week_start, t.mentions, t.negative, t.scored, t.rated) for t in totals] == [
        (W46, 1, 0, 1, 1),
        (W47, 3, 1, 2, 2),
        (W48, 4, 3, 4, 3),
    ]
    third = totals[2]
    assert third.mean_score == pytest.approx((-0.6 + 0.0 - 1.0 - 0.5) / 4)
    assert third.mean_rating == pytest.approx(5 / 3)


def test_rows_carry_the_brand_of_their_source(acme: Session) -> None:
    rows = weekly_figures(acme, weeks=2, now=NOW)
    assert {row.source: row.brand for row in rows} == {
        "globex-news": "Globex",
        "news": "Acme",
        "reviews": "Acme",
    }


def test_report_weeks_end_with_the_current_week() -> None:
    assert report_weeks(3, NOW) == [W46, W47, W48]
    monday_morning_in_seoul = datetime.fromisoformat("2026-11-23T07:00:00+09:00")
    assert report_weeks(1, monday_morning_in_seoul) == [W47]


@pytest.mark.parametrize(
    ("weeks", "now"), [(0, NOW), (-1, NOW), (2, datetime(2026, 11, 25, 12, 0))]
)
def test_bad_ranges_are_refused(weeks: int, now: datetime) -> None:
    with pytest.raises(InvalidReportRangeError):
        report_weeks(weeks, now)


def test_last_complete_week_is_the_one_before() -> None:
    assert last_complete_week(NOW) == W47
    assert last_complete_week(datetime(2026, 11, 23, 0, 0, tzinfo=UTC)) == W47
    assert last_complete_week(datetime(2026, 11, 22, 23, 59, tzinfo=UTC)) == W46


@pytest.mark.parametrize(
    ("label", "monday"),
    [("2026-W48", W48), (" 2026-W01 ", date(2025, 12, 29)), ("2026-W53", date(2026, 12, 28))],
)
def test_parse_iso_week(label: str, monday: date) -> None:
    assert parse_iso_week(label) == monday
    assert iso_label(monday) == label.strip()


@pytest.mark.parametrize("label", ["2026-48", "2026-W5", "W48", "2025-W53", "2026-W00"])
def test_bad_iso_weeks_are_refused(label: str) -> None:
    with pytest.raises(InvalidReportRangeError, match=label.strip()):
        parse_iso_week(label)


def test_week_bounds_are_utc_mondays() -> None:
    assert week_bounds(W47, 2) == (
        datetime(2026, 11, 16, tzinfo=UTC),
        datetime(2026, 11, 30, tzinfo=UTC),
    )
