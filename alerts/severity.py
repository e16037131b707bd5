"""Alert severities, P1 (wake someone up) to P4 (look at it today)."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def priority(self) -> int:
        """Outbox priority: 1 is sent first."""
        return int(self.value[1])
