#!/usr/bin/env bash
# Train the bundled Korean model (docs/model-card.md) from scratch on 1 CPU thread:
# masked-word pre-training on the training texts, fine-tuning, then the n-gram head (~100 min in all).
# Interrupted runs resume from their last checkpoint when started again.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
.venv/bin/repwatch model train --base-model scratch --out "${OUT:-training-runs/ko-scratch}" \
  --train-size en_reviews=0 --train-size en_tweets=0 \
  --validation-size en_reviews=0 --validation-size en_tweets=0 \
  --pretrain-epochs ${PRETRAIN_EPOCHS:-8} --epochs 3 --group-by-length --ngram-head \
  --batch-size 64 --learning-rate 3e-4 --max-length 64 --threads "${THREADS:-1}" \
  --checkpoint-every 500 --data "${DATA:-../shared/data/sentiment}"
