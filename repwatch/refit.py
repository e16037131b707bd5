"""Refit from the corrections of the people who answer alerts: per brand, guarded.

What is learned (sentiment.correction): a residual n-gram head on top of the models,
and the P(negative) threshold at which this brand's complaints page. From the last
``sentiment.refit.window``:

* corrections on mentions of the brand's sources: "missed complaint" (negative) is a
  complaint, "not negative" is not; each counts ``CORRECTION_WEIGHT`` times, and a
  mention's newest correction is the one that counts;
* the newest star-rated mentions (1-2 stars a complaint, 4-5 not: their authors' own
  verdict), up to ``max_rated_mentions``, so that a few corrections cannot pull the
  head away from what the brand's reviews say.

One mention in four (by a hash of its id) is held out. The head is fitted on the rest
with the models' own log-odds (text alone, no stars, no earlier refit) as offset, and
the threshold chosen there. Then the held-out mentions are decided twice: as now (the
refit in use, or none and ``rules.negative_threshold``) and with the new refit. A refit
whose held-out accuracy is lower is refused: logged and stored with its figures, and
the one in use stays. Workers pick up a newly accepted refit at their next pass.
"""

from __future__ import annotations

import hashlib
import logging
import math
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.actions import scored_text
from config.settings import Settings
from storage.db import advisory_lock, session_scope
from storage.models import Feedback, Mention, ModelRefit, Source

if TYPE_CHECKING:
    from sentiment.correction import Correction
    from sentiment.results import TextScorer

log = logging.getLogger(__name__)

CORRECTION_WEIGHT = 5.0  # a person's correction outweighs a star rating
HELD_OUT_SHARE = 0.25
MIN_HELD_OUT = 8
_EPS = 1e-7
REFIT_LOCK_CLASS = 0x72777266  # "rwrf": the advisory lock class of refits


@dataclass(frozen=True)
class RefitText:
    """One mention a refit learns from or is checked on."""

    mention_id: int
    text: str
    lang: str | None
    negative: bool
    corrected: bool  # by a person (else by its stars)


@dataclass(frozen=True)
class RefitOutcome:
    """What a refit did: "skipped", "accepted" or "refused", and why."""

    status: str
    message: str
    refit_id: int | None = None
    figures: dict[str, Any] | None = None


def held_out(mention_id: int) -> bool:
    digest = hashlib.sha256(f"refit\x00{mention_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < HELD_OUT_SHARE


def refit_texts(session: Session, settings: Settings, since: datetime) -> list[RefitText]:
    """The brand's corrections and newest star-rated mentions since `since`."""
    brand = settings.brand.name
    corrections = session.execute(
        select(Feedback, Mention)
        .join(Mention, Feedback.mention_id == Mention.id)
        .join(Source, Mention.source_id == Source.id)
        .where(Source.brand == brand, Feedback.created_at >= since)
        .order_by(Feedback.created_at)
    ).all()
    texts: dict[int, RefitText] = {}
    for feedback, mention in corrections:  # oldest first: the newest correction wins
        texts[mention.id] = RefitText(
            mention.id, feedback.text, mention.lang, feedback.corrected_label == "negative", True
        )
    rated = session.scalars(
        select(Mention)
        .join(Source, Mention.source_id == Source.id)
        .where(
            Source.brand == brand,
            Mention.fetched_at >= since,
            (Mention.rating <= 2) | (Mention.rating >= 4),
        )
        .order_by(Mention.fetched_at.desc(), Mention.id.desc())
        .limit(settings.sentiment.refit.max_rated_mentions)
    ).all()
    for mention in rated:
        if mention.id not in texts and mention.rating is not None:
            text = scored_text(mention.title, mention.text)
            texts[mention.id] = RefitText(
                mention.id, text, mention.lang, mention.rating <= 2, False
            )
    return list(texts.values())


def active_refit(session: Session, brand: str, model: str) -> ModelRefit | None:
    """The newest accepted refit of this brand for this model, if any."""
    query = (
        select(ModelRefit)
        .where(ModelRefit.brand == brand, ModelRefit.model == model, ModelRefit.accepted)
        .order_by(ModelRefit.created_at.desc(), ModelRefit.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def latest_refit_time(settings: Settings) -> datetime | None:
    """When the brand's newest refit (accepted or refused) was stored."""
    with session_scope(settings.database_url) as session:
        query = select(ModelRefit.created_at).where(ModelRefit.brand == settings.brand.name)
        return session.scalars(query.order_by(ModelRefit.created_at.desc()).limit(1)).first()


def refit_lock(database_url: str, brand: str) -> AbstractContextManager[bool]:
    """Try PostgreSQL's lock on refitting `brand` and hold it for the block; yields
    whether it was free. Two workers starting together would otherwise both find no
    recent refit and both fit one."""
    # Two-number form: a class for refits, and the brand's CRC-32 as a signed int4.
    brand_key = zlib.crc32(brand.encode("utf-8")) - 2**31
    return advisory_lock(database_url, REFIT_LOCK_CLASS, brand_key, wait=False)


def base_model_id(scorer: TextScorer) -> str:
    """The scorer's model id without the refit it runs with."""
    correction, scorer.correction = scorer.correction, None
    try:
        return scorer.model_id
    finally:
        scorer.correction = correction


def correction_of(refit: ModelRefit) -> Correction:
    from sentiment.correction import Correction
    from sentiment.ngram_head import NgramHead

    assert refit.head is not None
    return Correction(NgramHead.from_bytes(refit.head, f"refit {refit.id}"), f"refit-{refit.id}")


def apply_active_refit(
    settings: Settings, scorer: TextScorer, in_use: int | None = None
) -> tuple[Settings, int | None]:
    """Put the brand's accepted refit (if any) on the scorer; return the settings whose
    rules carry its threshold, and its id. The refit `in_use` is not loaded again."""
    with session_scope(settings.database_url) as session:
        refit = active_refit(session, settings.brand.name, base_model_id(scorer))
        if refit is None:
            scorer.correction = None
            return settings, None
        if refit.id != in_use or scorer.correction is None:
            scorer.correction = correction_of(refit)
        return with_threshold(settings, refit.threshold), refit.id


def with_threshold(settings: Settings, threshold: float | None) -> Settings:
    if threshold is None:
        return settings
    rules = settings.rules.model_copy(update={"negative_threshold": threshold})
    return settings.model_copy(update={"rules": rules})


def refit(
    settings: Settings,
    load_scorer: Callable[[], TextScorer],
    now: datetime,
    *,
    scheduled: bool = False,
) -> RefitOutcome:
    """Fit, check and store one refit for the configured brand (see the module docstring).

    The scorer is loaded (`load_scorer`) only when there is enough to learn from. A
    `scheduled` refit is skipped when another worker stored one in the last half interval,
    and any refit while another of the brand runs (``refit_lock``).
    """
    with refit_lock(settings.database_url, settings.brand.name) as held:
        if not held:
            return _skipped(f"refit of {settings.brand.name!r} skipped: another is running")
        return _refit(settings, load_scorer, now, scheduled=scheduled)


def _refit(
    settings: Settings, load_scorer: Callable[[], TextScorer], now: datetime, *, scheduled: bool
) -> RefitOutcome:
    config = settings.sentiment.refit
    brand = settings.brand.name
    last = latest_refit_time(settings)
    if scheduled and last is not None and now - last < config.every / 2:
        return _skipped(f"refit of {brand!r} skipped: another was stored at {last.isoformat()}")
    with session_scope(settings.database_url) as session:
        texts = refit_texts(session, settings, now - config.window)
    corrections = sum(text.corrected for text in texts)
    if corrections < config.min_corrections:
        return _skipped(
            f"refit of {brand!r} skipped: {corrections} correction(s) in the last "
            f"{config.window.days} days, {config.min_corrections} needed"
        )
    scorer = load_scorer()
    model = base_model_id(scorer)
    with session_scope(settings.database_url) as session:
        current = active_refit(session, brand, model)
        current_head = correction_of(current).head if current else None
        current_threshold = current.threshold if current and current.threshold else None
    train = [text for text in texts if not held_out(text.mention_id)]
    check = [text for text in texts if held_out(text.mention_id)]
    if len(check) < MIN_HELD_OUT or len({text.negative for text in train}) < 2:
        return _skipped(
            f"refit of {brand!r} skipped: {len(check)} held-out and {len(train)} training "
            f"mentions, too few to check a refit (or one kind only)"
        )
    figures, head, threshold = _fit_and_check(
        scorer, train, check, settings, current_head, current_threshold
    )
    accepted = figures["accuracy_after"] >= figures["accuracy_before"]
    reason = (
        f"held-out accuracy {figures['accuracy_before']:.3f} -> {figures['accuracy_after']:.3f} "
        f"on {len(check)} mentions ({figures['held_out_corrections']} corrected); "
        f"threshold {figures['threshold_before']:.2f} -> {threshold:.2f}"
    )
    with session_scope(settings.database_url) as session:
        row = ModelRefit(
            brand=brand,
            model=model,
            created_at=now,
            accepted=accepted,
            reason=reason if accepted else f"refused: {reason} (lower)",
            threshold=threshold,
            head=head.to_bytes(),
            figures=figures,
        )
        session.add(row)
        session.flush()
        refit_id = row.id
    if accepted:
        log.info("refit %d of %r accepted: %s", refit_id, brand, reason)
        return RefitOutcome("accepted", f"refit {refit_id} accepted: {reason}", refit_id, figures)
    log.warning("refit %d of %r refused, the one in use stays: %s", refit_id, brand, reason)
    return RefitOutcome("refused", f"refit {refit_id} refused: {reason}", refit_id, figures)


def _skipped(message: str) -> RefitOutcome:
    log.info(message)
    return RefitOutcome("skipped", message)


def _fit_and_check(
    scorer: TextScorer,
    train: list[RefitText],
    check: list[RefitText],
    settings: Settings,
    current_head: Any,
    current_threshold: float | None,
) -> tuple[dict[str, Any], Any, float]:
    from sentiment.correction import (
        LabelledText,
        alert_accuracy,
        choose_threshold,
        fit_residual_head,
    )

    probs = _text_probabilities(scorer, [*train, *check])
    train_probs, check_probs = probs[: len(train)], probs[len(train) :]
    examples = [
        LabelledText(
            text.text,
            text.negative,
            CORRECTION_WEIGHT if text.corrected else 1.0,
            math.log(p["positive"] + _EPS) - math.log(p["negative"] + _EPS),
        )
        for text, p in zip(train, train_probs, strict=True)
    ]
    head = fit_residual_head(examples)
    trained = _p_negative(head, train, train_probs)
    threshold = choose_threshold(
        trained,
        [text.negative for text in train],
        max_false_alarms=settings.sentiment.refit.max_false_alarms,
    )
    wanted = [text.negative for text in check]
    before_threshold = current_threshold or settings.rules.negative_threshold
    before = _p_negative(current_head, check, check_probs)
    after = _p_negative(head, check, check_probs)
    figures = {
        "train": len(train),
        "train_corrections": sum(text.corrected for text in train),
        "held_out": len(check),
        "held_out_corrections": sum(text.corrected for text in check),
        "threshold_before": before_threshold,
        "threshold_after": threshold,
        "accuracy_before": alert_accuracy(before, wanted, before_threshold),
        "accuracy_after": alert_accuracy(after, wanted, threshold),
        **_rates("before", before, wanted, before_threshold),
        **_rates("after", after, wanted, threshold),
    }
    return figures, head, threshold


def _text_probabilities(scorer: TextScorer, texts: list[RefitText]) -> list[dict[str, float]]:
    """The models' own probabilities (no stars, no refit) for each text."""
    from sentiment.results import ScoreInput

    correction, scorer.correction = scorer.correction, None
    try:
        results = scorer.score([ScoreInput(text.text, lang=text.lang) for text in texts])
    finally:
        scorer.correction = correction
    return [result.probs for result in results]


def _p_negative(head: Any, texts: list[RefitText], probs: list[dict[str, float]]) -> list[float]:
    """P(negative) with `head` (None: the models alone), as the scorer would give it."""
    from sentiment.preprocess import clean_text

    if head is None:
        return [p["negative"] for p in probs]
    votes = head.log_odds([clean_text(text.text) for text in texts])
    return [head.combine(p, float(v))["negative"] for p, v in zip(probs, votes, strict=True)]


def _rates(
    when: str, p_negative: list[float], wanted: list[bool], threshold: float
) -> dict[str, Any]:
    complaints = [
        p >= threshold for p, negative in zip(p_negative, wanted, strict=True) if negative
    ]
    praise = [
        p >= threshold for p, negative in zip(p_negative, wanted, strict=True) if not negative
    ]
    return {
        f"complaints_paged_{when}": _share(complaints),
        f"others_paged_{when}": _share(praise),
    }


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None
