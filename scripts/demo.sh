#!/usr/bin/env bash
# make demo: start the local Phase-compatible server from the demo seed (an app with
# Development/Staging/Production and a service account), run the Rust, Python, Node and Go
# quickstarts with the service account's token, then stop the server. It builds nothing:
# `make demo` builds what it runs first (`make demo-build`).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
BIN_DIR="target/$TARGET/debug"
GO_QUICKSTART="target/demo/go-quickstart"

for built in "$BIN_DIR/phasekit-server" "$BIN_DIR/examples/quickstart" .venv/python/bin/python \
  examples/node/node_modules/phasekit "$GO_QUICKSTART"; do
  [ -e "$built" ] || { echo "demo: $built is missing; run 'make demo', which builds it" >&2; exit 1; }
done

source scripts/lib/local-server.sh
start_local_server "$BIN_DIR/phasekit-server" tests/server/seeds/demo.json "$(mktemp -d)" demo-sa-token
echo "Local Phase server on $PHASE_HOST (demo seed; service account token in PHASE_SERVICE_TOKEN)"

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
"$GO_QUICKSTART" demo-app Development
