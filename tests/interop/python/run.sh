#!/usr/bin/env bash
# Runs the official Phase Python SDK (phase-dev) against a local phasekit-server.
# Expects the server binary to be built already (see conftest.py for where it is looked up):
#   cargo build -p phasekit-server --target x86_64-unknown-linux-gnu
# Extra arguments are passed to pytest. Exits with pytest's exit code.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
venv="$repo/.venv/interop-python"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

cd "$repo"
exec "$venv/bin/python" -m pytest -q "$here" "$@"
