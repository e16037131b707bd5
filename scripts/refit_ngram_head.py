"""Fit an n-gram head for a trained model (again, if it has one), keeping its encoder.

    .venv/bin/python scripts/refit_ngram_head.py MODEL_DIR OUT_DIR --data DIR \
        --kinds ko_movies ko_products [--balance 1] [--negative-bias 0] \
        [--encoder-weight W] [--evaluate]

OUT_DIR is a copy of MODEL_DIR with a new ``ngram_head.safetensors``
(`sentiment.training.refit_ngram_head`), fitted on what the model trained on of each data
kind named (`sentiment.data.DATA_KINDS`, found in ``--data``: the training side of its
seeded split, at its train sizes), so nothing its evaluation uses is fitted. The
encoder's weight in the vote is ``--encoder-weight``, else the current head's.
``--balance R`` first keeps, per source, at most R texts of the commoner label for each
of the rarer (`sentiment.ngram_training.balance_labels`). ``--negative-bias`` raises
P(negative)'s log-odds by that much, the calibration ``scripts/calibrate_model.py`` makes
in an encoder's output layer. ``--evaluate`` writes the evaluation report again, on the
model's own held-out split.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sentiment.data import DATA_KINDS
from sentiment.training import evaluate_changed_model, refit_ngram_head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, required=True, help="directory of the data files")
    parser.add_argument("--kinds", nargs="+", choices=[k.name for k in DATA_KINDS], required=True)
    parser.add_argument("--balance", type=float, default=None, metavar="RATIO")
    parser.add_argument("--negative-bias", type=float, default=0.0)
    parser.add_argument("--encoder-weight", type=float, default=None)
    parser.add_argument("--evaluate", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    change = refit_ngram_head(
        args.model,
        args.out,
        args.data,
        args.kinds,
        balance=args.balance,
        negative_bias=args.negative_bias,
        encoder_weight=args.encoder_weight,
    )
    seconds = time.monotonic() - started
    print(f"fitted the head on {change['texts']} texts in {seconds:.0f} s")
    if args.evaluate:
        evaluate_changed_model(args.out, args.model, {"ngram_head": change})


if __name__ == "__main__":
    main()
