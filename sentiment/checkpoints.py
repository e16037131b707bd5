"""Training checkpoints: save every N steps, resume from the latest after an interruption.

A checkpoint holds the state of every training part (model, optimizer, scheduler), the
step reached, the recent losses and torch's random state, so a resumed run continues as
the uninterrupted one would have. Only the newest checkpoint of a folder is kept.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from sentiment.exceptions import TrainingError

Progress = Callable[[str], None]


@dataclass
class TrainingState:
    """What a checkpoint holds besides the parts: where in training we are."""

    step: int = 0
    total_steps: int = 0
    losses: list[float] = field(default_factory=list)


def latest_checkpoint(folder: Path) -> Path | None:
    """The newest ``step-N.pt`` in `folder`, if any."""
    found = sorted(folder.glob("step-*.pt"), key=lambda p: int(p.stem[5:]))
    return found[-1] if found else None


def save_checkpoint(folder: Path, parts: dict[str, Any], state: TrainingState) -> None:
    """Write a checkpoint atomically and drop the older ones."""
    folder.mkdir(parents=True, exist_ok=True)
    payload = {name: part.state_dict() for name, part in parts.items()}
    payload.update(
        step=state.step,
        total_steps=state.total_steps,
        losses=state.losses,
        rng=torch.get_rng_state(),
    )
    target = folder / f"step-{state.step}.pt"
    torch.save(payload, target.with_suffix(".tmp"))
    target.with_suffix(".tmp").replace(target)
    for old in folder.glob("step-*.pt"):
        if old != target:
            old.unlink()


def resume(
    folder: Path, parts: dict[str, Any], total_steps: int, progress: Progress
) -> TrainingState:
    """Load the latest checkpoint of `folder` into `parts`; a fresh state when there is none."""
    checkpoint = latest_checkpoint(folder)
    if checkpoint is None:
        return TrainingState(total_steps=total_steps)
    try:
        payload = torch.load(checkpoint, weights_only=True)
        if payload["total_steps"] != total_steps:
            raise TrainingError(
                f"{checkpoint} belongs to a run of {payload['total_steps']} steps, this one has "
                f"{total_steps}; use the same parameters or another output directory"
            )
        for name, part in parts.items():
            part.load_state_dict(payload[name])
    except (OSError, KeyError, RuntimeError, pickle.UnpicklingError) as exc:
        raise TrainingError(f"cannot resume from {checkpoint}: {exc}") from exc
    torch.set_rng_state(payload["rng"])
    progress(f"resuming from {checkpoint.name}")
    return TrainingState(int(payload["step"]), total_steps, list(payload["losses"]))


def report_progress(
    label: str, state: TrainingState, done_here: int, started: float, now: float, progress: Progress
) -> None:
    """One progress line: step, mean recent loss, speed and time left."""
    window = state.losses[-50:]
    rate = done_here / max(now - started, 1e-9)
    eta = (state.total_steps - state.step) / max(rate, 1e-9)
    progress(
        f"{label}step {state.step}/{state.total_steps} loss {sum(window) / len(window):.4f} "
        f"{rate:.2f} steps/s eta {eta / 60:.1f} min"
    )
