#!/usr/bin/env bash
# Benchmark of the business list page (signed in, 20 rows, a filter
# applied) next to a bare actix-web hello-world, in the same run with the
# same load tool (wrk, 2 threads, 64 connections), plus the server's resident
# memory at steady state. Usage:
#   benches/list_page.sh [BUSINESSES] [DURATION]      (defaults 20000, 15s)
#   DATA_DIR=D benches/list_page.sh 1000000 15s       (D seeded before)
# Needs: wrk (apt-get install wrk), a release build:
#   cargo build --release --bin erhverv --example hello_world
set -euo pipefail
N=${1:-20000}
DUR=${2:-15s}
BIN=${ERHVERV_BIN:-target/release/erhverv}
HELLO=${HELLO_BIN:-target/release/examples/hello_world}
PORT=18090
HPORT=18091
if [ -n "${DATA_DIR:-}" ]; then
  # An already seeded data directory (a million businesses take minutes).
  DIR=$DATA_DIR
  trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
else
  DIR=$(mktemp -d)
  trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT
  echo "seeding $N businesses…" >&2
  ERHVERV_LOG=warn "$BIN" --data-dir "$DIR" seed --businesses "$N" >&2
fi
ERHVERV_LOG=warn ERHVERV_COOKIE_SECURE=false "$BIN" --data-dir "$DIR" serve --bind 127.0.0.1:$PORT >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
# Sign in as the demo consultant, as a browser would.
JAR="$DIR/cookies"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$TOKEN" -d "username=konsulent&password=erhverv-demo&next=/" "http://127.0.0.1:$PORT/login"
COOKIE=$(awk '$6=="erhverv_session"{print $6"="$7}' "$JAR")
URL="http://127.0.0.1:$PORT/businesses?district=norrebro&sort=name&page=3"
ROWS=$(curl -s -H "Cookie: $COOKIE" "$URL" | grep -c '<td><a href="/businesses/' || true)
[ "$ROWS" = 20 ] || { echo "expected 20 rows, got $ROWS" >&2; exit 1; }
wrk -t2 -c64 -d5s -H "Cookie: $COOKIE" "$URL" >/dev/null   # warm-up
echo "== list page: $URL ($N businesses)"
wrk -t2 -c64 -d"$DUR" --latency -H "Cookie: $COOKIE" "$URL"
echo "== resident memory of erhverv after the run (steady state)"
ps -o rss= -p $SERVER | awk '{printf "%.1f MiB\n", $1/1024}'

"$HELLO" 127.0.0.1:$HPORT &
sleep 1
wrk -t2 -c64 -d5s "http://127.0.0.1:$HPORT/" >/dev/null
echo "== bare actix-web hello-world"
wrk -t2 -c64 -d"$DUR" --latency "http://127.0.0.1:$HPORT/"
