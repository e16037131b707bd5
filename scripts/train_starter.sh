#!/usr/bin/env bash
# Rebuild the shipped starter model (sentiment/starter_model/) from the shared data.
# Needs the train extra: pip install -e '.[train]'. About 35 minutes on one CPU thread.
# Usage: scripts/train_starter.sh [DATA_DIR] [OUT_DIR]
set -euo pipefail

data_dir="${1:-../shared/data/sentiment}"
out_dir="${2:-sentiment/starter_model}"

export HF_HUB_OFFLINE=1
exec repwatch model train \
  --data "$data_dir" --out "$out_dir" \
  --max-length 64 --seed 13 --epochs 1 --batch-size 16 --learning-rate 5e-5 \
  --train-size en_tweets=12000 --train-size ko_movies=12000 \
  --validation-size ko_movies=3000 --threads 1 --checkpoint-every 200
