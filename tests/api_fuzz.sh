#!/usr/bin/env bash
# A client we did not write: schemathesis generates requests from /v1/openapi.json of a running
# local server (started here on a free loopback port, stopped on exit) and runs every check it has:
# no 5xx, every answer as documented, every request the document allows accepted and every one it
# forbids refused (positive and negative data), auth honoured. tests/schemathesis.toml holds the
# real path ids and the few named exclusions.
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

# Real ids for the path parameters: a cart with a line, an order placed from another, a booking,
# the demo's kitchen account.
ids=$(python3 - "$base" "$token" <<'PY'
import json, sys, urllib.request, uuid
base = sys.argv[1] + "/v1/restaurants/trattoria-demo"

def call(method, path, body=None, key=False, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    if key:
        headers["idempotency-key"] = str(uuid.uuid4())
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(base + path, data, headers, method=method)) as answer:
        return json.load(answer)

def cart_with_a_line():
    token = call("POST", "/carts", {})["token"]
    call("POST", f"/carts/{token}/lines", {"item": "bruschetta", "quantity": 1})
    return token

placed = call("POST", "/orders", {"cart": cart_with_a_line(), "kind": {"type": "pickup"}, "customer": {"name": "Fuzz"}}, key=True)
import datetime
day = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
slot = call("GET", f"/reservations/slots?date={day}&party=2")["slots"][0]["starts_at"]
booked = call("POST", "/reservations", {"starts_at": slot, "party": 2, "contact": {"name": "Fuzz", "phone": "+49 30 1"}}, key=True)
kitchen = next(a["id"] for a in call("GET", "/staff", token=sys.argv[2]) if a["role"] == "staff")
print(cart_with_a_line(), placed["order"]["id"], booked["reservation"]["id"], kitchen)
PY
) || { cat "$data/server.log"; echo "could not make the cart, order and booking the fuzzing starts from" >&2; exit 1; }
read -r BISTRO_FUZZ_CART BISTRO_FUZZ_ORDER BISTRO_FUZZ_RESERVATION BISTRO_FUZZ_USER <<<"$ids"
export BISTRO_FUZZ_CART BISTRO_FUZZ_ORDER BISTRO_FUZZ_RESERVATION BISTRO_FUZZ_USER

.venv/bin/schemathesis --config-file tests/schemathesis.toml run "$base/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --phases examples,coverage,fuzzing \
  --max-examples "${BISTRO_FUZZ_EXAMPLES:-40}" \
  --seed 20261122 \
  --workers 1 \
  --suppress-health-check all \
  --warnings off
