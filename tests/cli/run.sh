#!/usr/bin/env bash
# Runs the command line's suite (tests/cli) against a local phasekit-server. Expects the
# `phasekit` binary and the server to be built already (`make test-cli` does); PHASEKIT_BIN and
# PHASEKIT_SERVER_BIN say where they are. The suite's Python packages go into .venv/cli, the
# official Phase CLI (for the side-by-side tests) into .venv/phase-cli. Extra arguments are
# passed to pytest; exits with its status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"

install() {
    local venv=$1 requirements=$2
    [[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
}
install "$repo/.venv/cli" "$here/requirements.txt"
install "$repo/.venv/phase-cli" "$here/phase-cli-requirements.txt"
export PHASE_CLI_BIN="$repo/.venv/phase-cli/bin/phase"

cd "$repo"
export PYTHONDONTWRITEBYTECODE=1
exec "$repo/.venv/cli/bin/python" -m pytest -q -p no:cacheprovider "$here" "$@"
