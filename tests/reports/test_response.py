"""Response figures: percentiles, the SLA outcome of an alert, per-severity figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from alerts.playbook import load_playbook
from reports.response import (
    AlertTimes,
    load_alert_times,
    load_overdue,
    percentile,
    response_figures,
    sla_targets,
    within_sla,
)
from tests.reports.conftest import NOW, W47, W48, at

MINUTE = timedelta(minutes=1)
RAISED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def times(
    severity: str, ack: int | None = None, resolve: int | None = None, **kw: str
) -> AlertTimes:
    """An alert raised at RAISED, acknowledged / resolved that many minutes later."""
    return AlertTimes(
        severity=severity,
        created_at=RAISED,
        acknowledged_at=None if ack is None else RAISED + ack * MINUTE,
        resolved_at=None if resolve is None else RAISED + resolve * MINUTE,
        status=kw.get("status", "open"),
    )


def test_percentile_interpolates_between_ranks() -> None:
    values = [10 * MINUTE, 20 * MINUTE, 30 * MINUTE, 30 * MINUTE]
    assert percentile(values, 0.5) == 25 * MINUTE
    assert percentile(values, 0.9) == 30 * MINUTE
    assert percentile([10 * MINUTE, 20 * MINUTE, 40 * MINUTE], 0.9) == 36 * MINUTE
    assert percentile([5 * MINUTE], 0.9) == 5 * MINUTE
    assert percentile([], 0.5) is None


@pytest.mark.parametrize(
    ("alert", "now", "expected"),
    [
        (times("P1", ack=15), RAISED, True),  # exactly on target
        (times("P1", ack=16), RAISED, False),
        (times("P1", resolve=5), RAISED, True),  # resolved without an acknowledgement
        (times("P1"), RAISED + 10 * MINUTE, None),  # may still make it
        (times("P1"), RAISED + 16 * MINUTE, False),
        (times("P1", status="dismissed"), RAISED + 60 * MINUTE, None),
    ],
)
def test_within_sla(alert: AlertTimes, now: datetime, expected: bool | None) -> None:
    assert within_sla(alert, 15 * MINUTE, now) is expected


def test_sla_targets_come_from_the_playbooks_first_step() -> None:
    assert sla_targets(load_playbook()) == {
        "P1": 15 * MINUTE,
        "P2": 60 * MINUTE,
        "P3": 240 * MINUTE,
        "P4": 1440 * MINUTE,
    }


def test_figures_per_severity_and_overall() -> None:
    targets = sla_targets(load_playbook())
    alerts = [
        times("P1", ack=10, resolve=130),
        times("P1", ack=30, resolve=240),
        times("P2", ack=20),
        times("P3"),
    ]
    figures = response_figures(alerts, targets, RAISED + 5 * 60 * MINUTE)
    p1, p2, p3, p4 = figures.by_severity
    assert (p1.severity, p1.alerts, p1.acknowledged, p1.resolved) == ("P1", 2, 2, 2)
    assert (p1.acknowledge_median, p1.acknowledge_p90) == (20 * MINUTE, 28 * MINUTE)
    assert (p1.resolve_median, p1.resolve_p90) == (185 * MINUTE, 229 * MINUTE)
    assert (p1.within_sla, p1.sla_known, p1.within_sla_share, p1.sla) == (1, 2, 0.5, 15 * MINUTE)
    assert (p2.within_sla, p2.sla_known, p2.resolve_median) == (1, 1, None)
    assert (p3.within_sla, p3.sla_known, p3.within_sla_share) == (0, 1, 0.0)
    assert (p4.alerts, p4.within_sla_share, p4.acknowledge_median) == (0, None, None)
    overall = figures.overall
    assert (overall.alerts, overall.within_sla, overall.sla_known, overall.sla) == (4, 2, 4, None)
    assert overall.acknowledge_median == 20 * MINUTE


def test_no_alerts_give_empty_figures() -> None:
    figures = response_figures([], sla_targets(load_playbook()), RAISED)
    assert [stats.alerts for stats in figures.by_severity] == [0, 0, 0, 0]
    assert figures.overall.within_sla_share is None
    assert (figures.overdue, figures.overdue_count) == ([], 0)


def test_alerts_of_the_week_of_the_brand(week: Session) -> None:
    alerts = load_alert_times(week, W48, "Acme")
    # Six paged (the grouped one is left out; W47's and Globex's are not in it).
    assert sorted(alert.severity for alert in alerts) == ["P1", "P1", "P2", "P2", "P3", "P4"]
    assert len(load_alert_times(week, W48, None)) == 7
    assert [alert.severity for alert in load_alert_times(week, W47, "Acme")] == ["P2"]


def test_week_figures_from_the_database(week: Session) -> None:
    alerts = load_alert_times(week, W48, "Acme")
    figures = response_figures(alerts, sla_targets(load_playbook()), NOW)
    # Acknowledged after 10, 30, 20 and 30 (the incident's alert) minutes.
    overall = figures.overall
    assert (overall.acknowledge_median, overall.acknowledge_p90) == (25 * MINUTE, 30 * MINUTE)
    assert (overall.resolve_median, overall.resolve_p90) == (185 * MINUTE, 229 * MINUTE)
    assert [(s.within_sla, s.sla_known) for s in figures.by_severity] == [
        (1, 2),
        (2, 2),
        (0, 1),
        (0, 0),  # the P4's target (Monday 23:00) has not passed at NOW
    ]


def test_overdue_alerts_now(week: Session) -> None:
    overdue, count = load_overdue(week, NOW, "Acme")
    assert count == 2
    assert [(a.severity, a.source, a.current_step) for a in overdue] == [
        ("P2", "shop", 1),
        ("P3", "forum", 1),
    ]
    assert overdue[0].overdue_by == NOW - at(17, 13)
    assert overdue[1].overdue_by == NOW - at(26, 4)
    assert load_overdue(week, NOW, None)[1] == 3
    assert load_overdue(week, NOW, "Acme", limit=1) == (overdue[:1], 2)
