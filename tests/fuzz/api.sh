#!/usr/bin/env bash
# Schema-driven fuzzing of the JSON API: Schemathesis (PyPI) reads
# /api/openapi.json and sends generated requests — valid ones, invalid ones,
# wrong methods, missing auth — to every operation of a running demo, and
# checks that no answer is a 5xx, every status code and body is the one the
# document declares, invalid input is refused, and auth is enforced.
#
# One check is left out: `positive_data_acceptance` expects every request
# that fits the schema to succeed, but a schema cannot say "a CVR number
# whose modulus-11 check holds" or "an id that exists", so the server
# rightly answers 4xx to many of them (see tests/api/api.rs for those).
#
# Usage: tests/fuzz/api.sh [BINARY]   (default target/debug/erhverv)
set -euo pipefail
BIN=${1:-target/debug/erhverv}
EXAMPLES=${FUZZ_EXAMPLES:-30}
command -v schemathesis >/dev/null || python3 -m pip install -q 'schemathesis==4.32.5'
DIR=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT
ERHVERV_LOG=warn ERHVERV_API_REQUESTS_PER_MINUTE=1000000000 ERHVERV_OUTBOX_WORKER=false \
  "$BIN" --data-dir "$DIR" demo --businesses 300 --bind 127.0.0.1:$PORT >"$DIR/server.log" 2>&1 &
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 300); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done
curl -sf "$BASE/health" >/dev/null || { cat "$DIR/server.log"; exit 1; }
JAR="$DIR/cookies"
csrf() { grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//'; }
T=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | csrf)
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$T" \
  -d "username=admin&password=erhverv-demo&next=/" "$BASE/login"
T=$(curl -s -c "$JAR" -b "$JAR" "$BASE/admin/api-tokens" | csrf)
TOKEN=$(curl -s -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$T" \
  -d "name=Fuzz&businesses=write&contacts=write&needs=write&placements=write&initiatives=write" \
  "$BASE/admin/api-tokens" | grep -o 'value="erh_[0-9a-f]*"' | sed 's/value="//;s/"//')
[ -n "$TOKEN" ] || { echo "no API token could be made" >&2; exit 1; }
schemathesis run "$BASE/api/openapi.json" \
  -H "Authorization: Bearer $TOKEN" \
  --checks all --exclude-checks positive_data_acceptance \
  --max-examples "$EXAMPLES" --seed 20261201 --workers 1 \
  --no-color
if grep -q "panicked" "$DIR/server.log"; then
  echo "the server panicked:" >&2
  grep -A5 "panicked" "$DIR/server.log" >&2
  exit 1
fi
