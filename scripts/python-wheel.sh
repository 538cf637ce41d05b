#!/usr/bin/env bash
# Builds the phasekit wheel (abi3, debug profile for speed) and installs it into .venv/python.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
venv=.venv/python
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin==1.16.0"
rm -f target/wheels/phasekit-*.whl
"$venv/bin/maturin" build --quiet --target "$TARGET" -m python/Cargo.toml -o target/wheels
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/phasekit-*.whl
