#!/usr/bin/env bash
# A client we did not write: schemathesis generates requests from /v1/openapi.json of a running
# local server (started here on a free loopback port, stopped on exit) and checks that no answer
# is a 5xx and that every answer matches the document (status, content type, body schema).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --quiet -p bistro-local
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data=$(mktemp -d)
target/debug/bistro-local --addr "127.0.0.1:$port" --data "$data" --rate-limit 0 >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS "$base/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$base/health" >/dev/null || { cat "$data/server.log"; echo "the local server did not start" >&2; exit 1; }

# Signed in as the demo owner, so the staff routes are explored too, not only their 401s.
token=$(curl -fsS -H 'content-type: application/json' \
  -d '{"email":"owner@demo.bistro","password":"demo-owner-password"}' \
  "$base/v1/restaurants/trattoria-demo/login" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

.venv/bin/schemathesis run "$base/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --header "Authorization: Bearer $token" \
  --phases examples,coverage,fuzzing \
  --max-examples "${BISTRO_FUZZ_EXAMPLES:-40}" \
  --seed 20261122 \
  --workers 1 \
  --suppress-health-check all \
  --warnings off
