#!/usr/bin/env bash
# Builds the phasekit wheel (abi3, debug profile for speed) into target/wheels and installs it
# into .venv/python. When cargo finds nothing to rebuild, the wheel holds the same extension as
# the installed one and nothing is reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
venv=.venv/python
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
[ -x "$venv/bin/maturin" ] || "${pip[@]}" "maturin==1.16.0"
rm -f target/wheels/phasekit-*.whl
"$venv/bin/maturin" build --quiet --target "$TARGET" -m python/Cargo.toml -o target/wheels
wheel=$(echo target/wheels/phasekit-*.whl)
stamp="$venv/.phasekit-wheel"
# The wheel's record of file hashes changes exactly when one of its files does.
record=$("$venv/bin/python" -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read(next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))).decode())' "$wheel" | sha256sum)
if [ "$record" != "$(cat "$stamp" 2>/dev/null)" ] || ! "$venv/bin/python" -c 'import phasekit' 2>/dev/null; then
  "${pip[@]}" --force-reinstall --no-deps "$wheel"
  echo "$record" >"$stamp"
fi
