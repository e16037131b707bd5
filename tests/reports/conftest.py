"""A small, hand-computed week for the report tests: ISO week 2026-W48 seen from the Monday
after it (2026-11-30 10:00 UTC), brand Acme, with mentions, alerts, incidents and crawl runs.

Expected figures are written next to the rows that make them; the tests repeat them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from storage.models import Source
from tests.reports.factories import (
    make_alert,
    make_incident,
    make_mention,
    make_run,
    make_source,
)

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday of W49
W46, W47, W48 = date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)
HOSTILE = 'My kettle is leaking from the lid <script>alert("x")</script> & worse'
HOSTILE_AUTHOR = "<b>Mallory</b>"


Moment = Callable[..., datetime]


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment of November 2026 (UTC); W48 runs from the 23rd to the 29th."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class WeekData:
    shop: Source
    forum: Source
    blog: Source


# W48's negative mentions: (source, day, score, rating, text, url, author).
NEGATIVES = [
    ("shop", 23, -0.9, 1, "The lid leaks. Awful kettle.", "https://shop.example/1", "Dana"),
    ("shop", 24, -0.8, 1, "Leaking base, I want a refund.", "https://shop.example/2", None),
    ("forum", 25, -0.85, None, HOSTILE, "javascript:alert(1)", HOSTILE_AUTHOR),
    ("forum", 25, -0.6, None, "Support never answered my email. Terrible support.", None, None),
    ("forum", 26, -0.95, None, "고객센터 연락이 안 돼요. 고객센터 최악입니다.", None, None),
    ("shop", 27, -0.5, 2, "고객센터는 전화를 안 받아요", "https://shop.example/6", None),
]  # fmt: skip
POSITIVES = [
    (27, "Great kettle, boils fast."),
    (28, "Lovely kettle, quiet."),
    (28, "The kettle looks nice."),
    (29, "Kettle arrived on time."),
]
W47_SCORES = [
    (16, "negative", -0.4),
    (17, "positive", 0.6),
    (18, "neutral", 0.0),
    (19, "positive", 0.6),
]


def add_mentions(session: Session, sources: dict[str, Source], when: Moment) -> None:
    """W48: 10 Acme mentions, 6 negative (shop 3 of 7, forum 3 of 3); mean score -0.125,
    mean rating 24/7. W47: 4 shop mentions, 1 negative, mean score 0.2, no ratings.
    Themes of W48: leak (3 mentions), 고객센터 (2)."""
    for name, day, score, rating, text, url, author in NEGATIVES:
        make_mention(session, sources[name], when(day), label="negative", score=score,
                     rating=rating, text=text, url=url, author=author)  # fmt: skip
    for day, text in POSITIVES:
        make_mention(session, sources["shop"], when(day), label="positive", score=0.8, rating=5,
                     text=text)  # fmt: skip
    for day, label, score in W47_SCORES:
        make_mention(session, sources["shop"], when(day), label=label, score=score,
                     text="A kettle for tea.")  # fmt: skip
    make_mention(session, sources["globex-news"], when(24), label="negative", score=-0.9,
                 text="Globex lid leaks too.")  # fmt: skip


def add_alerts(session: Session, shop: Source, forum: Source, globex: Source, when: Moment) -> None:
    """W48 alerts of Acme (SLA to acknowledge: P1 15m, P2 1h, P3 4h, P4 24h):

    P1 acked in 10m (in time), resolved in 2h10m;  P1 acked in 30m (late), resolved in 4h;
    P2 acked in 20m (in time);  P3 never acked, target passed (late), overdue now;
    P4 raised Sunday 23:00, target Monday 23:00 not passed yet (no outcome);
    a grouped P2 (never paged, left out).  Acknowledge: median 20m, p90 28m;
    resolve: median 3h05m, p90 3h49m;  within SLA 2 of 4.
    Overdue now: that P3 and a W47 P2; a Globex alert and resolved ones do not count.
    """
    make_alert(session, shop, "P1", when(23, 10), acknowledged_at=when(23, 10, 10),
               resolved_at=when(23, 12, 10), due_at=when(23, 10, 15))  # fmt: skip
    make_alert(session, forum, "P1", when(24, 9), acknowledged_at=when(24, 9, 30),
               resolved_at=when(24, 13), due_at=when(24, 9, 15))  # fmt: skip
    make_alert(
        session, shop, "P2", when(25, 8), acknowledged_at=when(25, 8, 20), due_at=when(30, 12)
    )
    make_alert(session, forum, "P3", when(26, 0), due_at=when(26, 4))
    make_alert(session, shop, "P4", when(29, 23), due_at=when(30, 23))
    make_alert(session, shop, "P2", when(25, 9), status="grouped")
    make_alert(session, shop, "P2", when(17), due_at=when(17, 13))
    make_alert(session, globex, "P1", when(24), due_at=when(24, 0, 15))


def add_incidents(
    session: Session, shop: Source, forum: Source, globex: Source, when: Moment
) -> None:
    """Open during W48: a new similar-complaints incident on shop (acknowledged after 30m,
    resolved after 1d 2h) and a spike on forum open since W47. Not in W48: one resolved in
    W47, one opened in W49, and Globex's."""
    leak = make_incident(session, shop, when(24, 9), theme=["leak", "lid"], mentions=3,
                         resolved_at=when(25, 11))  # fmt: skip
    make_alert(session, shop, "P2", when(24, 9), acknowledged_at=when(24, 9, 30), kind="incident",
               incident=leak)  # fmt: skip
    make_incident(session, forum, when(20), kind="spike", severity="P1", mentions=8)
    make_incident(session, shop, when(10), resolved_at=when(18))
    make_incident(session, shop, when(30, 8))
    make_incident(session, globex, when(24))


def add_runs(session: Session, shop: Source, forum: Source, when: Moment) -> None:
    """W48: shop 3 good runs (6 new items); forum 2 failed runs with 5 errors. A failed
    forum run in W47 does not count."""
    for day in (23, 25, 27):
        make_run(session, shop, when(day), new_items=2)
    make_run(session, forum, when(24), failed=True, errors=2, error="HTTP 503")
    make_run(session, forum, when(26), failed=True, errors=3, error="parse failed: <html> page")
    make_run(session, forum, when(18), failed=True, errors=9, error="old error")


def build_week(session: Session, shift: timedelta = timedelta(0)) -> WeekData:
    """The whole data set, `shift` later (whole weeks keep the weekdays); `blog` is an
    Acme source that went quiet."""

    def when(day: int, hour: int = 12, minute: int = 0) -> datetime:
        return at(day, hour, minute) + shift

    shop, forum = make_source(session, "shop"), make_source(session, "forum")
    blog = make_source(session, "blog")
    forum.status, blog.status, shop.status = "broken", "quiet", "ok"
    globex = make_source(session, "globex-news", brand="Globex")
    add_mentions(session, {"shop": shop, "forum": forum, "globex-news": globex}, when)
    add_alerts(session, shop, forum, globex, when)
    add_incidents(session, shop, forum, globex, when)
    add_runs(session, shop, forum, when)
    session.flush()
    return WeekData(shop, forum, blog)


@pytest.fixture
def week(db_session: Session) -> Session:
    """`db_session` holding the hand-computed week."""
    build_week(db_session)
    return db_session
