#!/usr/bin/env bash
# Runs the official Phase Node SDK against phasekit-server.
# Needs the server binary: `cargo build -p phasekit-server --target x86_64-unknown-linux-gnu`
# (or set PHASEKIT_SERVER_BIN). Exits with node --test's status.
set -euo pipefail
# A relative PHASEKIT_SERVER_BIN means relative to where run.sh was started.
if [ -n "${PHASEKIT_SERVER_BIN:-}" ]; then
  PHASEKIT_SERVER_BIN="$(realpath -m "$PHASEKIT_SERVER_BIN")"
  export PHASEKIT_SERVER_BIN
fi
cd "$(dirname "$0")"

# npm prints its summary on stdout; errors still reach stderr.
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
else
  npm install --no-audit --no-fund --loglevel=error >/dev/null
fi

status=0
node --test || status=$?
exit "$status"
