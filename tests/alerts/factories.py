"""Small factories for the rows the alerts stage reads: Source, Mention, Score."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models import Mention, Score, Source

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


def make_source(session: Session | None = None, **overrides: Any) -> Source:
    values: dict[str, Any] = {
        "name": f"acme-reviews-{next(_ids)}",
        "kind": "schemaorg",
        "url": "https://reviews.example.com/acme",
        "brand": "Acme",
        "every_seconds": 3600,
    }
    source = Source(**(values | overrides))
    if session is not None:
        session.add(source)
        session.flush()
    return source


def make_mention(
    session: Session | None = None, source: Source | None = None, **overrides: Any
) -> Mention:
    number = next(_ids)
    values: dict[str, Any] = {
        "source": source or make_source(session),
        "external_id": f"review-{number}",
        "url": f"https://reviews.example.com/acme/{number}",
        "author": "Dana",
        "title": None,
        "text": "The order arrived broken and nobody answers my emails.",
        "rating": None,
        "lang": "en",
        "published_at": NOW,
        "fetched_at": NOW,
        "content_hash": f"hash-{number}",
    }
    mention = Mention(**(values | overrides))
    if session is not None:
        session.add(mention)
        session.flush()
    return mention


def make_score(
    session: Session | None = None, mention: Mention | None = None, **overrides: Any
) -> Score:
    mention = mention or make_mention(session)
    prob_negative = overrides.pop("prob_negative", 0.93)
    rest = (1.0 - prob_negative) / 2
    values: dict[str, Any] = {
        "mention": mention,
        "model": "starter-test",
        "label": "negative" if prob_negative >= 0.5 else "neutral",
        "prob_negative": prob_negative,
        "prob_neutral": rest,
        "prob_positive": rest,
        "score": -prob_negative,
        "confidence": max(prob_negative, rest),
        "content_hash": mention.content_hash,
        "scored_at": NOW,
    }
    score = Score(**(values | overrides))
    mention.needs_score = False
    if session is not None:
        session.add(score)
        session.flush()
    return score
