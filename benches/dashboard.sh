#!/usr/bin/env bash
# Benchmark of the business council's dashboard at 20,000 businesses with
# two years of contacts, ~500 recruitment needs and ~1,500 open placements
# (the demo data): /dashboard (every track, every key figure with its chart
# and table, the latest updates; the live figures computed from the records
# and cached until a command changes what they count) and the public
# /strategi page, with one client (p50/p99) and at 64 connections
# (requests/s), next to a bare actix-web hello-world in the same run. Also
# the first, uncached dashboard (the live figures computed from scratch).
# Usage:
#   benches/dashboard.sh [BUSINESSES] [DURATION]     (defaults 20000, 15s)
# Needs: wrk (apt-get install wrk), sqlite3, a release build:
#   cargo build --release --bin erhverv --example hello_world
set -euo pipefail
N=${1:-20000}
DUR=${2:-15s}
BIN=${ERHVERV_BIN:-target/release/erhverv}
HELLO=${HELLO_BIN:-target/release/examples/hello_world}
DIR=$(mktemp -d)
PORT=18094
HPORT=18095
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT

echo "seeding $N businesses…" >&2
ERHVERV_LOG=warn "$BIN" --data-dir "$DIR" seed --businesses "$N" >&2
ERHVERV_LOG=warn ERHVERV_COOKIE_SECURE=false ERHVERV_OUTBOX_WORKER=false "$BIN" --data-dir "$DIR" serve --bind 127.0.0.1:$PORT >/dev/null 2>&1 &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
JAR="$DIR/cookies"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$TOKEN" -d "username=raad&password=erhverv-demo&next=/" "http://127.0.0.1:$PORT/login"
COOKIE=$(awk '$6=="erhverv_session"{print $6"="$7}' "$JAR")
for q in "count(*) FROM contact" "count(*) FROM recruitment_need" \
  "count(*) FROM placement WHERE status IN ('planned','active')" "count(*) FROM initiative" \
  "count(*) FROM initiative_update" "count(*) FROM key_figure"; do
  echo "== SELECT $q: $(sqlite3 "$DIR/erhverv.db" "SELECT $q")"
done
DASH="http://127.0.0.1:$PORT/dashboard"
PUBLIC="http://127.0.0.1:$PORT/strategi"
echo "== first dashboard (live figures computed): $(curl -s -o "$DIR/dash.html" -w '%{time_total}' -H "Cookie: $COOKIE" "$DASH") s"
CHARTS=$(grep -c '<svg' "$DIR/dash.html" || true)
[ "$CHARTS" -ge 7 ] || { echo "expected a chart per key figure, got $CHARTS" >&2; exit 1; }
echo "== $CHARTS charts, $(wc -c < "$DIR/dash.html") bytes"
for url in "$DASH" "$PUBLIC"; do
  wrk -t1 -c1 -d3s -H "Cookie: $COOKIE" "$url" >/dev/null   # warm-up
  echo "== one client: $url"
  wrk -t1 -c1 -d"$DUR" --latency -H "Cookie: $COOKIE" "$url"
  echo "== 64 connections: $url"
  wrk -t2 -c64 -d"$DUR" --latency -H "Cookie: $COOKIE" "$url"
done

"$HELLO" 127.0.0.1:$HPORT &
sleep 1
wrk -t2 -c64 -d5s "http://127.0.0.1:$HPORT/" >/dev/null
echo "== bare actix-web hello-world"
wrk -t2 -c64 -d"$DUR" --latency "http://127.0.0.1:$HPORT/"
