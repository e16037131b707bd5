#!/usr/bin/env bash
# Install (if needed) and run the offline demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/repwatch demo "$@"
