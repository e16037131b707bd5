"""Alerts: decide which mentions interrupt someone, render them, and send them from the outbox."""
