#!/usr/bin/env bash
# Import time and peak memory (max RSS) of `erhverv import` for a generated
# CVR-shaped CSV. Usage: benches/import.sh [ROWS]   (default 20000)
# Needs a release build: cargo build --release --bin erhverv
set -euo pipefail
N=${1:-20000}
BIN=${ERHVERV_BIN:-target/release/erhverv}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
"$BIN" --data-dir "$DIR" demo-csv "$DIR/cvr.csv" --businesses "$N" >&2
ls -l "$DIR/cvr.csv" | awk '{printf "file: %.1f MB\n", $5/1e6}'
"$BIN" --data-dir "$DIR" migrate >/dev/null
for run in first second; do
  /usr/bin/time -f "$run import: %e s wall, max RSS %M KiB" \
    env ERHVERV_LOG=warn "$BIN" --data-dir "$DIR" import "$DIR/cvr.csv" 2>&1 | grep -E "imported:|import:"
done
