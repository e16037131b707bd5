"""Incidents and source health of the report week, read from the database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from reports.health import load_source_health
from reports.incidents import incident_title, load_incidents
from tests.reports.conftest import W46, W48, at


def test_incidents_open_during_the_week(week: Session) -> None:
    incidents = load_incidents(week, W48, "Acme")
    assert [(i.kind, i.severity, i.source, i.mentions, i.new) for i in incidents] == [
        ("spike", "P1", "forum", 8, False),
        ("similar", "P2", "shop", 3, True),
    ]
    spike, similar = incidents
    assert spike.title == "spike of negative mentions on forum"
    assert (spike.status, spike.time_to_acknowledge, spike.time_to_resolve) == ("open", None, None)
    assert similar.title == "similar complaints: leak, lid"
    assert similar.time_to_acknowledge == timedelta(minutes=30)
    assert similar.time_to_resolve == timedelta(days=1, hours=2)
    assert len(load_incidents(week, W48, None)) == 3  # with Globex's


def test_incidents_stay_in_the_report_until_resolved(week: Session) -> None:
    assert [i.opened_at for i in load_incidents(week, W46, "Acme")] == [at(10)]
    later = load_incidents(week, W48 + timedelta(weeks=4), "Acme")
    assert [(i.opened_at, i.status, i.new) for i in later] == [
        (at(20), "open", False),
        (at(30, 8), "open", False),
    ]
    assert load_incidents(week, W46 - timedelta(weeks=1), "Acme") == []


def test_incident_titles() -> None:
    assert incident_title("spike", [], None) == "spike of negative mentions"
    assert incident_title("spike", ["fire"], "forum") == "spike of negative mentions on forum: fire"
    words = ["a", "b", "c", "d", "e"]
    assert incident_title("similar", words, "shop") == "similar complaints: a, b, c, d"
    assert incident_title("similar", [], None) == "similar complaints"


def test_source_health_of_the_week(week: Session) -> None:
    health = {h.source: h for h in load_source_health(week, W48, "Acme")}
    assert list(health) == ["blog", "forum", "shop"]
    forum, blog, shop = health["forum"], health["blog"], health["shop"]
    assert (forum.status, forum.runs, forum.failed_runs, forum.errors) == ("broken", 2, 2, 5)
    assert forum.last_error == "parse failed: <html> page"
    assert (blog.status, blog.runs, blog.needs_attention) == ("quiet", 0, True)
    assert (shop.runs, shop.new_items, shop.errors, shop.last_error) == (3, 6, 0, None)
    assert (forum.needs_attention, shop.needs_attention) == (True, False)


def test_source_health_of_an_empty_database(db_session: Session) -> None:
    assert load_source_health(db_session, W48, None) == []
