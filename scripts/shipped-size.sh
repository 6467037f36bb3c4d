#!/usr/bin/env bash
# Prints what a browser downloads for CloudShell, raw and gzipped (gzip -9), against the
# budgets: the app's wasm plus JS at most 450 KB gzip, xterm.js and its addons at most 150 KB.
# Usage: scripts/shipped-size.sh            -> builds the release front end first
#        scripts/shipped-size.sh --no-build -> measures target/site as it is
# The release front end is what `cargo leptos build --release` ships (wasm-opt included).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SITE="${LEPTOS_SITE_ROOT:-$ROOT/target/site}"
APP_BUDGET=450000
XTERM_BUDGET=150000

if [ "${1:-}" != "--no-build" ]; then
  (cd "$ROOT" && cargo leptos build --release --frontend-only)
fi

gz() { gzip -9 -c "$1" | wc -c; }
total_raw=0
total_gz=0
row() { # row FILE: prints one line and adds it to the group's totals
  local raw zipped
  raw=$(wc -c < "$1")
  zipped=$(gz "$1")
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + zipped))
  printf '  %-44s %9d B  %8d B gzip\n' "${1#"$SITE"/}" "$raw" "$zipped"
}
verdict() { # verdict LABEL BUDGET
  local state="within"
  [ "$total_gz" -le "$2" ] || state="OVER"
  printf '  %-44s %9d B  %8d B gzip  (%s the %d KB budget)\n' "= $1" "$total_raw" "$total_gz" "$state" $(($2 / 1000))
  total_raw=0
  total_gz=0
}

echo "App (wasm + JS glue):"
row "$SITE/pkg/cloudshell.wasm"
row "$SITE/pkg/cloudshell.js"
verdict "app" "$APP_BUDGET"
echo "xterm.js and its addons:"
for f in xterm.mjs xterm.css addon-fit.mjs addon-search.mjs addon-web-links.mjs; do
  row "$SITE/xterm/$f"
done
verdict "xterm" "$XTERM_BUDGET"
echo "Not budgeted:"
row "$SITE/pkg/cloudshell.css"
total_raw=0
total_gz=0
for f in "$SITE"/fonts/*-latin-400-normal.woff2; do row "$f"; done
echo "  (fonts: each is fetched only when a terminal uses it; bold and Latin Extended alike)"
