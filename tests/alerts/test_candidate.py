"""The alert key of a mention: one owner, the same in Python and in SQL."""

from __future__ import annotations

from sqlalchemy import select

from alerts.candidate import mention_alert_key, mention_alert_key_column
from storage.db import session_scope
from storage.models import Mention
from tests.alerts.factories import make_mention


def test_the_sql_key_is_the_python_key(alerts_db: str) -> None:
    with session_scope(alerts_db) as session:
        mention = make_mention(session, text="The charger caught fire.")
        stmt = select(mention_alert_key_column()).where(Mention.id == mention.id)

        assert session.scalar(stmt) == mention_alert_key(mention.id) == f"mention:{mention.id}"
