#!/usr/bin/env bash
# Screenshot a weekly report page in headless Chromium, at phone width by default.
#
#   scripts/screenshot_report.sh REPORT.html OUT.png [WIDTH] [HEIGHT]
#
# Needs Debian's `chromium` package (apt-get install -y chromium). The page is loaded
# from the file system with networking features off; the report has no external assets.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTH=420] [HEIGHT=2000]" >&2
    exit 2
fi
html=$(realpath "$1")
out=$(realpath -m "$2")
width=${3:-420}
height=${4:-2000}
browser=${CHROMIUM:-chromium}

if ! command -v "$browser" >/dev/null; then
    echo "$browser not found: apt-get install -y chromium" >&2
    exit 1
fi
if [[ ! -f $html ]]; then
    echo "no such report: $html" >&2
    exit 1
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size="$width,$height" \
    --screenshot="$out" "file://$html" 2>/dev/null
test -s "$out"
echo "$out"
