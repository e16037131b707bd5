"""Syndicated copies: the same text on another source is linked, not alerted twice.

A review syndicated to a partner shop, or a post quoted whole by a news feed, has the
same `text_fingerprint` (storage.repository.text_fingerprint) as the mention already
alerted. The copy gets an alert row in status ``grouped`` that names the original, so
it is counted and kept, and no second Slack message goes out.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.candidate import Candidate
from storage.models import Alert, Mention

# An original: (mention id, source id) of the first mention with that text.
Original = tuple[int, int]


def alerted_originals(session: Session, fingerprints: set[str]) -> dict[str, Original]:
    """The earliest alerted mention for each fingerprint, among stored alerts."""
    if not fingerprints:
        return {}
    rows = session.execute(
        select(Mention.text_fingerprint, Mention.id, Mention.source_id)
        .join(Alert, Alert.mention_id == Mention.id)
        .where(Mention.text_fingerprint.in_(fingerprints))
        .order_by(Mention.id)
    )
    originals: dict[str, Original] = {}
    for fingerprint, mention_id, source_id in rows:
        if fingerprint is not None:
            originals.setdefault(fingerprint, (mention_id, source_id))
    return originals


def split_syndicated(
    session: Session, batch: Sequence[Candidate]
) -> tuple[list[Candidate], list[tuple[Candidate, int]]]:
    """(candidates to alert, [(copy, original mention id)]).

    A candidate is a copy when an earlier mention with its fingerprint, from another
    source, was alerted before or comes earlier in this batch.
    """
    fingerprints = {c.mention.text_fingerprint for c in batch if c.mention.text_fingerprint}
    originals = alerted_originals(session, fingerprints)
    keep: list[Candidate] = []
    copies: list[tuple[Candidate, int]] = []
    for candidate in sorted(batch, key=lambda c: c.mention.id):
        fingerprint = candidate.mention.text_fingerprint
        original = originals.get(fingerprint) if fingerprint else None
        if original is not None and original[1] != candidate.mention.source_id:
            copies.append((candidate, original[0]))
            continue
        keep.append(candidate)
        if fingerprint and original is None:
            originals[fingerprint] = (candidate.mention.id, candidate.mention.source_id)
    return keep, copies
