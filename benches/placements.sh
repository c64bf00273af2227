#!/usr/bin/env bash
# Benchmark of the placement pages at 20,000 businesses and ~1,500 open
# placements (the demo data): the placement list (100 rows, each a read
# written to the audit log) and a business page with its capacity table,
# with one client (p50/p99) and at 64 connections (requests/s), next to a
# bare actix-web hello-world in the same run. Usage:
#   benches/placements.sh [BUSINESSES] [DURATION]     (defaults 20000, 15s)
# Needs: wrk (apt-get install wrk), a release build:
#   cargo build --release --bin erhverv --example hello_world
set -euo pipefail
N=${1:-20000}
DUR=${2:-15s}
BIN=${ERHVERV_BIN:-target/release/erhverv}
HELLO=${HELLO_BIN:-target/release/examples/hello_world}
DIR=$(mktemp -d)
PORT=18092
HPORT=18093
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT

echo "seeding $N businesses…" >&2
ERHVERV_LOG=warn "$BIN" --data-dir "$DIR" seed --businesses "$N" >&2
ERHVERV_LOG=warn ERHVERV_COOKIE_SECURE=false ERHVERV_OUTBOX_WORKER=false "$BIN" --data-dir "$DIR" serve --bind 127.0.0.1:$PORT >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
JAR="$DIR/cookies"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$TOKEN" -d "username=konsulent&password=erhverv-demo&next=/" "http://127.0.0.1:$PORT/login"
COOKIE=$(awk '$6=="erhverv_session"{print $6"="$7}' "$JAR")
OPEN=$(sqlite3 "$DIR/erhverv.db" "SELECT count(*) FROM placement WHERE status IN ('planned','active')")
BUSINESS=$(sqlite3 "$DIR/erhverv.db" "SELECT business_id FROM placement WHERE kind <> 'fleksjob' AND status = 'active' GROUP BY business_id ORDER BY count(*) DESC LIMIT 1")
LIST="http://127.0.0.1:$PORT/placements?view=active"
PAGE="http://127.0.0.1:$PORT/businesses/$BUSINESS"
ROWS=$(curl -s -H "Cookie: $COOKIE" "$LIST" | grep -c '<td><a href="/placements/' || true)
[ "$ROWS" = 100 ] || { echo "expected 100 rows, got $ROWS" >&2; exit 1; }
curl -s -H "Cookie: $COOKIE" "$PAGE" | grep -q 'id="capacity"' || { echo "no capacity table" >&2; exit 1; }
echo "== $OPEN open placements; business page $BUSINESS"
for url in "$LIST" "$PAGE"; do
  wrk -t1 -c1 -d3s -H "Cookie: $COOKIE" "$url" >/dev/null   # warm-up
  echo "== one client: $url"
  wrk -t1 -c1 -d"$DUR" --latency -H "Cookie: $COOKIE" "$url"
  echo "== 64 connections: $url"
  wrk -t2 -c64 -d"$DUR" --latency -H "Cookie: $COOKIE" "$url"
done
echo "== audit entries written by the reads"
sqlite3 "$DIR/erhverv.db" "SELECT count(*) FROM audit_event WHERE action = 'read'"

"$HELLO" 127.0.0.1:$HPORT &
sleep 1
wrk -t2 -c64 -d5s "http://127.0.0.1:$HPORT/" >/dev/null
echo "== bare actix-web hello-world"
wrk -t2 -c64 -d"$DUR" --latency "http://127.0.0.1:$HPORT/"
