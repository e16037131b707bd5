"""Evaluate a trained model again on the held-out split its training run used.

    .venv/bin/python scripts/evaluate_held_out.py MODEL_DIR [--data DIR] [--int8]

The split comes from the model's ``training_config.json`` (seed, sizes, data
directory; ``--data`` when the same files now live elsewhere), so no example it
trained on is scored. ``--int8`` scores it as repwatch does on a CPU by default
(``sentiment.quantize`` unset: int8 weights, one scale per output channel). Prints
the headline figure per data kind beside the TF-IDF baseline's.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sentiment.training import TrainConfig, evaluate_split, split_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--data", type=Path, help="where the training data is now")
    parser.add_argument("--int8", action="store_true", help="score with int8 weights")
    args = parser.parse_args()
    config = TrainConfig.of_trained(args.model, args.data)
    report = evaluate_split(str(args.model), split_for(config), config, print, quantize=args.int8)
    for row in report["summary"]:
        print(
            f"{row['kind']:12} n={row['n']:6} {row['metric']}: model {row['model']:.4f}"
            f"  baseline {row['baseline']:.4f}"
        )


if __name__ == "__main__":
    main()
