#!/usr/bin/env bash
# Search latency in one run (BENCHMARKS.md, "Search"): the fixed query set
# of `erhverv bench-search` on the embedded index in process, end to end
# through a running portal's GET /api/v1/search (tantivy, every facet; with
# an API token), and straight to a real Meilisearch 1.50 server holding the
# same documents. One query at a time.
#
#   benches/search_e2e.sh [BUSINESSES] [ROUNDS]      (defaults 20000, 20)
#   SEEDED=D benches/search_e2e.sh 1000000 5         (D seeded before: it is reindexed)
#   SKIP_MEILI=1 …                                     (no Meilisearch part: loading a
#                                                       million documents into it takes long)
#
# Needs a release build (cargo build --release --bin erhverv) and the
# Meilisearch binary at ../shared/tools/meilisearch/ (or MEILI_BIN_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
ROUNDS=${2:-20}
BIN=${ERHVERV_BIN:-target/release/erhverv}
MEILI_BIN=${MEILI_BIN_PATH:-../shared/tools/meilisearch/meilisearch}
PORT=18098
MPORT=18099
DIR=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT
export ERHVERV_LOG=warn
unset MEILI_URL DATABASE_URL ERHVERV_DATABASE_URL

if [ -n "${SEEDED:-}" ]; then
  cp -r "$SEEDED" "$DIR/d"
else
  echo "seeding $N businesses…" >&2
  "$BIN" --data-dir "$DIR/d" seed --businesses "$N" >&2
fi
"$BIN" --data-dir "$DIR/d" reindex >&2
# The portal serves a copy: the in-process run opens the same index.
cp -r "$DIR/d" "$DIR/portal"
ERHVERV_COOKIE_SECURE=false ERHVERV_OUTBOX_WORKER=false ERHVERV_API_REQUESTS_PER_MINUTE=1000000000 \
  "$BIN" --data-dir "$DIR/portal" serve --bind 127.0.0.1:$PORT >/dev/null 2>&1 &
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 150); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done
JAR="$DIR/cookies"
csrf() { grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//'; }
T=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | csrf)
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$T" -d "username=admin&password=erhverv-demo&next=/" "$BASE/login"
T=$(curl -s -c "$JAR" -b "$JAR" "$BASE/admin/api-tokens" | csrf)
TOKEN=$(curl -s -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$T" \
  -d "name=Benchmark&businesses=read" "$BASE/admin/api-tokens" | grep -o 'value="erh_[0-9a-f]*"' | sed 's/value="//;s/"//')
[ -n "$TOKEN" ] || { echo "no token made" >&2; exit 1; }

if [ -n "${SKIP_MEILI:-}" ]; then
  echo "== $N businesses, $ROUNDS rounds"
  ERHVERV_BENCH_TOKEN="$TOKEN" "$BIN" --data-dir "$DIR/d" bench-search --rounds "$ROUNDS" --portal "$BASE"
  exit 0
fi
MEILI_KEY="bench-master-key-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
"$MEILI_BIN" --http-addr 127.0.0.1:$MPORT --master-key "$MEILI_KEY" --db-path "$DIR/meili" \
  --dump-dir "$DIR/dumps" --no-analytics --env development >/dev/null 2>&1 &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$MPORT/health" >/dev/null && break; sleep 0.2; done

echo "== $N businesses, $ROUNDS rounds"
ERHVERV_BENCH_TOKEN="$TOKEN" MEILI_KEY="$MEILI_KEY" "$BIN" --data-dir "$DIR/d" bench-search \
  --rounds "$ROUNDS" --portal "$BASE" --compare-meili "http://127.0.0.1:$MPORT"
