"""Shift a trained model's P(negative): add a constant to its negative logit.

    .venv/bin/python scripts/calibrate_model.py MODEL_DIR OUT_DIR --negative-bias 0.75 [--evaluate]

The constant goes into the classifier's output bias, so the model needs no code to
apply it and stays a plain transformers checkpoint. It is the calibration of
P(negative) in docs/model-card.md: chosen on the product review set's dev split so that
the default ``negative_threshold`` (0.6) sits where that split pages most complaints
for its praise. With ``--evaluate``, the evaluation report is written again for the
shifted model, on the held-out split its training used (its ``training_config.json``).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from sentiment.training import evaluate_changed_model, save_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--negative-bias", type=float, required=True)
    parser.add_argument("--evaluate", action="store_true")
    args = parser.parse_args()
    network = AutoModelForSequenceClassification.from_pretrained(args.model, dtype=torch.float32)
    negative = network.config.label2id.get("negative")
    if negative is None:
        raise SystemExit(f"{args.model} has no 'negative' label: {network.config.id2label}")
    with torch.no_grad():
        network.classifier.bias[negative] += args.negative_bias
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    save_model(network, tokenizer, args.out)
    trained = args.model / "training_config.json"
    if trained.is_file():
        shutil.copy(trained, args.out / "training_config.json")
    (args.out / "calibration.json").write_text(
        json.dumps({"negative_logit_bias": args.negative_bias, "from": args.model.name}) + "\n"
    )
    if args.evaluate:
        evaluate_changed_model(args.out, args.model, {"negative_logit_bias": args.negative_bias})


if __name__ == "__main__":
    main()
