#!/usr/bin/env bash
# make demo: start the local Phase-compatible server from the demo seed (an app with
# Development/Staging/Production and a service account), run every quickstart that exists
# with the service account's token, then stop the server. The Go quickstart needs the library in
# go/lib/ (`make demo` runs `make go` first).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
BIN_DIR="target/$TARGET/debug"

cargo build --quiet --target "$TARGET" -p phasekit-server -p phasekit --example quickstart
TARGET="$TARGET" scripts/python-wheel.sh
TARGET="$TARGET" scripts/node-addon.sh
(cd examples/node && npm install --no-audit --no-fund --loglevel=error >/dev/null)

work="$(mktemp -d)"
"$BIN_DIR/phasekit-server" --port 0 --seed tests/server/seeds/demo.json --tokens-out "$work/server.json" >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 100); do
  [ -s "$work/server.json" ] && break
  sleep 0.1
done
[ -s "$work/server.json" ] || { echo "the server did not start:"; cat "$work/server.log"; exit 1; }

read -r url token < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["url"], d["tokens"]["demo-sa-token"])' "$work/server.json")
export PHASE_HOST="$url" PHASE_SERVICE_TOKEN="$token"
echo "Local Phase server on $url (demo seed; service account token in PHASE_SERVICE_TOKEN)"

for env in Development Production; do
  echo
  echo "== Rust quickstart: demo-app/$env"
  "$BIN_DIR/examples/quickstart" demo-app "$env"
done

echo
echo "== Python quickstart: demo-app/Staging"
.venv/python/bin/python examples/python/quickstart.py demo-app Staging

echo
echo "== Node quickstart: demo-app/Production"
node examples/node/quickstart.mjs demo-app Production

echo
echo "== Go quickstart: demo-app/Development"
(cd go && go run ./examples/quickstart demo-app Development)
