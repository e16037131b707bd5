"""What the buttons do to stored alerts, without Slack in between."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from alerts.actions import (
    Actor,
    acknowledge,
    assign,
    describe_elapsed,
    next_step,
    not_negative,
    resolve,
    scored_text,
)
from alerts.exceptions import AlertNotFoundError, InteractionError
from alerts.playbook import load_playbook
from alerts.service import create_alerts
from config.settings import BrandConfig, Settings
from storage.db import session_scope
from storage.models import Alert, Feedback
from tests.alerts.factories import NOW, make_mention, make_score, make_source

PLAYBOOK = load_playbook()
DANA = Actor("U0DANA", "dana")
LATER = NOW + timedelta(minutes=20)


def new_alert(url: str, text: str = "Broken on arrival.") -> int:
    with session_scope(url) as session:
        make_score(
            session, make_mention(session, make_source(session), text=text), prob_negative=0.9
        )
        create_alerts(session, Settings(brand=BrandConfig(name="Acme")), now=NOW)
        return int(session.scalars(select(Alert.id).order_by(Alert.id.desc())).first() or 0)


def test_walking_every_step_resolves_at_the_end(alerts_db: str) -> None:
    alert_id = new_alert(alerts_db)
    with session_scope(alerts_db) as session:
        results = [next_step(session, alert_id, DANA, LATER, PLAYBOOK) for _ in PLAYBOOK.steps]
        alert = session.get(Alert, alert_id)
        assert alert is not None
        assert (alert.status, alert.current_step, alert.resolved_at) == ("resolved", 8, LATER)
        assert results[-1].log.startswith("🏁 <@U0DANA> resolved this alert")
        assert next_step(session, alert_id, DANA, LATER, PLAYBOOK).changed is False


def test_deadlines_follow_the_step_and_severity(alerts_db: str) -> None:
    alert_id = new_alert(alerts_db)  # P3
    with session_scope(alerts_db) as session:
        acknowledge(session, alert_id, DANA, LATER, PLAYBOOK)
        next_step(session, alert_id, DANA, LATER, PLAYBOOK)
        alert = session.get(Alert, alert_id)
        assert alert is not None
        assert (alert.current_step, alert.due_at) == (3, NOW + timedelta(days=1))


def test_assign_refuses_what_is_not_a_user_id(alerts_db: str) -> None:
    alert_id = new_alert(alerts_db)
    with session_scope(alerts_db) as session, pytest.raises(InteractionError):
        assign(session, alert_id, DANA, "<!channel>", LATER, PLAYBOOK)


def test_assigning_the_same_owner_twice_logs_once(alerts_db: str) -> None:
    alert_id = new_alert(alerts_db)
    with session_scope(alerts_db) as session:
        first = assign(session, alert_id, DANA, "U0OWNER", LATER, PLAYBOOK)
        second = assign(session, alert_id, DANA, "U0OWNER", LATER, PLAYBOOK)
    assert (first.changed, second.changed) == (True, False)


def test_not_negative_twice_stores_one_correction(alerts_db: str) -> None:
    alert_id = new_alert(alerts_db)
    with session_scope(alerts_db) as session:
        not_negative(session, alert_id, DANA, LATER)
        assert not_negative(session, alert_id, DANA, LATER).changed is False
        assert len(session.scalars(select(Feedback)).all()) == 1


def test_unknown_alert_is_an_error(alerts_db: str) -> None:
    with session_scope(alerts_db) as session, pytest.raises(AlertNotFoundError):
        resolve(session, 424242, DANA, LATER)


def test_resolving_without_acknowledging_counts_the_resolve_as_acknowledgement(
    alerts_db: str,
) -> None:
    alert_id = new_alert(alerts_db)
    with session_scope(alerts_db) as session:
        result = resolve(session, alert_id, DANA, LATER)
        alert = session.get(Alert, alert_id)
        assert alert is not None and alert.acknowledged_at == LATER
    assert result.log.endswith("Time to acknowledge 20 min, to resolve 20 min.")


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(0, "0 min"), (59, "59 min"), (65, "1 h 05 min"), (60 * 24 * 2 + 240, "2 d 4 h")],
)
def test_elapsed_time_in_words(minutes: int, words: str) -> None:
    assert describe_elapsed(timedelta(minutes=minutes)) == words


def test_feedback_text_is_what_the_scorer_read() -> None:
    assert scored_text("Broken", "It arrived broken.") == "Broken. It arrived broken."
    assert scored_text("It arrived", "It arrived broken.") == "It arrived broken."
    assert scored_text(None, " x ") == "x"
