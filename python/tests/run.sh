#!/usr/bin/env bash
# Runs the phasekit Python binding's suite against a local phasekit-server.
# Uses <repo>/.venv/python (created if missing), installs the test requirements, builds the
# abi3 wheel with maturin into target/wheels and force-reinstalls it, then runs pytest from
# the repository root. Expects the server binary to be built already (the Makefile does):
#   cargo build -p phasekit-server --target x86_64-unknown-linux-gnu
# ($PHASEKIT_SERVER_BIN overrides where conftest.py looks for it.)
# Extra arguments are passed to pytest. Exits with pytest's exit status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/.venv/python"
python="${PYTHON:-python3}"
target="${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
"${pip[@]}" -r "$here/requirements.txt"

cd "$repo"
TARGET="$target" scripts/python-wheel.sh

# No __pycache__, .pytest_cache or .mypy_cache in the work tree.
export PYTHONDONTWRITEBYTECODE=1
export MYPY_CACHE_DIR="$repo/target/mypy-cache"

# The hand-written stub must describe the module as built: mypy's stubtest compares every name,
# signature and default (python/stubtest-allowlist.txt lists what exists for type checkers only).
"$venv/bin/python" -m mypy.stubtest phasekit --allowlist python/stubtest-allowlist.txt
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests "$@"
