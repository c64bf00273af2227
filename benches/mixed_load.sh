#!/usr/bin/env bash
# Mixed load (BENCHMARKS.md, "Mixed load"): seeds the demo data (40
# consultants and BUSINESSES businesses with their contacts, needs and
# placements), starts `erhverv serve` on SQLite or on PostgreSQL, and runs
# benches/mixed_load.rs against it: 40 consultants browsing the list with
# filters, searching, opening businesses and logging contacts, and 4
# businesses sending the public form, all at once. Prints requests/s,
# p50/p99 per kind of request, errors and the server's peak memory.
#
#   benches/mixed_load.sh [BUSINESSES] [sqlite|postgres] [SECONDS]   (defaults 20000 sqlite 60)
#   SEEDED_DIR=D benches/mixed_load.sh …   (D seeded and reindexed before, with the same
#                                            database: no seed, nothing removed afterwards)
#
# PostgreSQL: the server of $PG_URL (default postgres://postgres@127.0.0.1:5432),
# in a database erhverv_bench_mixed made afresh. Needs a release build:
#   cargo build --release --bin erhverv && cargo bench --bench mixed_load --no-run
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
DB=${2:-sqlite}
SECONDS_=${3:-60}
BIN=${ERHVERV_BIN:-target/release/erhverv}
PORT=${PORT:-18095}
if [ -n "${SEEDED_DIR:-}" ]; then
  # Seeded and indexed before (a million take many minutes on PostgreSQL):
  # its data directory, and on PostgreSQL the database erhverv_bench_mixed.
  DIR=$SEEDED_DIR
  trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
else
  DIR=$(mktemp -d)
  trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT
fi

export ERHVERV_LOG=warn
unset MEILI_URL MEILI_KEY DATABASE_URL ERHVERV_DATABASE_URL
if [ "$DB" = postgres ]; then
  PG=${PG_URL:-postgres://postgres@127.0.0.1:5432}
  if [ -z "${SEEDED_DIR:-}" ]; then
    psql "$PG/postgres" -Atqc "DROP DATABASE IF EXISTS erhverv_bench_mixed" >/dev/null
    psql "$PG/postgres" -Atqc "CREATE DATABASE erhverv_bench_mixed" >/dev/null
  fi
  export ERHVERV_DATABASE_URL="$PG/erhverv_bench_mixed"
  export ERHVERV_DB_MAX_CONNECTIONS=${ERHVERV_DB_MAX_CONNECTIONS:-16}
fi

if [ -z "${SEEDED_DIR:-}" ]; then
  echo "seeding $N businesses on $DB…" >&2
  start=$(date +%s)
  "$BIN" --data-dir "$DIR" seed --businesses "$N" >&2
  # The index built before the run, so the server isn't working through the
  # seed's queue while it is measured.
  "$BIN" --data-dir "$DIR" reindex >&2
  echo "seeded and indexed in $(( $(date +%s) - start )) s" >&2
fi

# One address sends the form many times a minute here: the per-address
# limits and the fill timer are lifted for the run.
ERHVERV_COOKIE_SECURE=false ERHVERV_NEED_MIN_FILL_SECONDS=0 \
  ERHVERV_NEED_SUBMISSIONS_PER_HOUR=100000000 ERHVERV_LOGIN_ATTEMPTS=1000 \
  ERHVERV_NEED_RECEIPTS_PER_ADDRESS=100000000 ERHVERV_NEED_RECEIPTS_PER_CVR=100000000 \
  "$BIN" --data-dir "$DIR" serve --bind "127.0.0.1:$PORT" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/health" >/dev/null
echo "== $N businesses, $DB, ${SECONDS_} s"
cargo bench -q --bench mixed_load -- "http://127.0.0.1:$PORT" \
  --consultants 40 --public 4 --seconds "$SECONDS_" --pid "$SERVER"
echo "resident memory of erhverv after the run: $(ps -o rss= -p $SERVER | awk '{printf "%.1f MiB", $1/1024}')"
