#!/usr/bin/env bash
# Benchmark of the JSON API with a token: GET /api/v1/businesses?district=…
# (50 rows) and GET /api/v1/search?q=… at 64 connections (requests/s, p99)
# next to a bare actix-web hello-world in the same run, and the business
# list's CSV export of every business (time, rows, and the server's peak
# resident memory before and after). Every API call is audited (one audit
# row per call, group-committed), and the token's rate limit is lifted for
# the run (ERHVERV_API_REQUESTS_PER_MINUTE).
# Usage:
#   benches/api.sh [BUSINESSES] [DURATION]      (defaults 20000, 15s)
# Needs: wrk, a release build:
#   cargo build --release --bin erhverv --example hello_world
set -euo pipefail
N=${1:-20000}
DUR=${2:-15s}
BIN=${ERHVERV_BIN:-target/release/erhverv}
HELLO=${HELLO_BIN:-target/release/examples/hello_world}
DIR=$(mktemp -d)
PORT=18096
HPORT=18097
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT

echo "seeding $N businesses…" >&2
ERHVERV_LOG=warn "$BIN" --data-dir "$DIR" seed --businesses "$N" >&2
echo "indexing for search…" >&2
ERHVERV_LOG=warn "$BIN" --data-dir "$DIR" reindex >&2
ERHVERV_LOG=warn ERHVERV_COOKIE_SECURE=false ERHVERV_OUTBOX_WORKER=false \
  ERHVERV_API_REQUESTS_PER_MINUTE=1000000000 \
  "$BIN" --data-dir "$DIR" serve --bind 127.0.0.1:$PORT >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
BASE="http://127.0.0.1:$PORT"
JAR="$DIR/cookies"
csrf() { grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//'; }
T=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | csrf)
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$T" -d "username=admin&password=erhverv-demo&next=/" "$BASE/login"
T=$(curl -s -c "$JAR" -b "$JAR" "$BASE/admin/api-tokens" | csrf)
TOKEN=$(curl -s -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$T" \
  -d "name=Benchmark&businesses=read&needs=read" "$BASE/admin/api-tokens" | grep -o 'value="erh_[0-9a-f]*"' | sed 's/value="//;s/"//')
[ -n "$TOKEN" ] || { echo "no token made" >&2; exit 1; }
AUTH="Authorization: Bearer $TOKEN"
LIST="$BASE/api/v1/businesses?district=norrebro&limit=50"
SEARCH="$BASE/api/v1/search?q=hotel"
ROWS=$(curl -s -H "$AUTH" "$LIST" | grep -o '"id":' | wc -l)
[ "$ROWS" -ge 50 ] || { echo "expected 50 businesses, got $ROWS" >&2; exit 1; }
echo "== $ROWS ids in the first list page"
for url in "$LIST" "$SEARCH"; do
  wrk -t1 -c1 -d3s -H "$AUTH" "$url" >/dev/null   # warm-up
  echo "== one client: $url"
  wrk -t1 -c1 -d"$DUR" --latency -H "$AUTH" "$url"
  echo "== 64 connections: $url"
  wrk -t2 -c64 -d"$DUR" --latency -H "$AUTH" "$url"
done
echo "== audit rows written: $(sqlite3 "$DIR/erhverv.db" "SELECT count(*) FROM audit_event WHERE action='api_call'")"

# The export on a freshly started server, so its peak memory is the
# export's own and not the load test's.
kill $SERVER; wait $SERVER 2>/dev/null || true
ERHVERV_LOG=warn ERHVERV_COOKIE_SECURE=false ERHVERV_OUTBOX_WORKER=false \
  "$BIN" --data-dir "$DIR" serve --bind 127.0.0.1:$PORT >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
T=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | csrf)
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$T" -d "username=admin&password=erhverv-demo&next=/" "$BASE/login"
curl -s -o /dev/null -b "$JAR" "$BASE/businesses"   # the list once, as a user would first
HWM() { awk '/VmHWM/{print $2" "$3}' /proc/$SERVER/status; }
echo "== server peak RSS before the export: $(HWM)"
START=$(date +%s.%N)
curl -s -b "$JAR" "$BASE/businesses/export.csv?status=all" -o "$DIR/export.csv"
END=$(date +%s.%N)
echo "== CSV export: $(($(wc -l < "$DIR/export.csv") - 1)) rows, $(du -h "$DIR/export.csv" | cut -f1), $(echo "$END - $START" | bc) s"
echo "== server peak RSS after the export: $(HWM)"

"$HELLO" 127.0.0.1:$HPORT &
sleep 1
wrk -t2 -c64 -d5s "http://127.0.0.1:$HPORT/" >/dev/null
echo "== bare actix-web hello-world"
wrk -t2 -c64 -d"$DUR" --latency "http://127.0.0.1:$HPORT/"
