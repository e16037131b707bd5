#!/usr/bin/env bash
# Install repwatch and its test tools into .venv/ at the repository root.
# PyTorch 2.13.0 (CPU) goes in first: a plain `torch` requirement would pull a multi-GB
# CUDA build. Rerunning is cheap: the install is skipped while pyproject.toml is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv
STAMP="$VENV/.repwatch-installed"
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
    exit 0
fi
echo "==> creating $VENV and installing repwatch (first time takes a few minutes)"
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "torch==2.13.0"
"$VENV/bin/python" -m pip install --quiet -e ".[dev]"
echo "$WANT" > "$STAMP"
echo "==> installed: $VENV/bin/repwatch"
