"""Delivery tests run against the alerts tests' databases, fake Slack and a fake webhook."""

from tests.alerts.conftest import alerts_db, migrated_sqlite_file, sqlite_url
from tests.fakes.webhook_receiver import webhook_receiver

__all__ = ["alerts_db", "migrated_sqlite_file", "sqlite_url", "webhook_receiver"]
