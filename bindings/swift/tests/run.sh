#!/usr/bin/env bash
# The Swift binding's checks, on a machine without a Swift compiler:
# 1. the committed Swift sources, header and modulemap are what uniffi generates from the
#    library now (so they never drift from bindings/ffi); hand-written files are left out;
# 2. uniffi's Python bindings, generated from the same library by the same generator, pass a
#    smoke test against the local server (get, error mapping, async): the stand-in for running
#    the Swift package, which calls the same exported functions.
# Needs $UNIFFI_BINDGEN and $FFI_DIR (`make test-swift` sets them) and a built phasekit-server.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$repo"

fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
bindings/swift/generate.sh "$fresh"
# Swift written by hand next to the generated files (see README.md): not uniffi's output, so
# it is taken as it is rather than compared.
for file in Sources/Phasekit/WatchSequence.swift; do
    cp "bindings/swift/$file" "$fresh/$file"
done
if ! diff -ru bindings/swift/Sources "$fresh/Sources"; then
    echo "bindings/swift/Sources is out of date: run \`make swift\` and commit the result" >&2
    exit 1
fi
echo "Swift sources, header and modulemap are current"

python_out="target/uniffi-python"
rm -rf "$python_out"
mkdir -p "$python_out"
"$UNIFFI_BINDGEN" generate --no-format --library "$FFI_DIR/libphasekit_ffi.so" \
    --language python --out-dir "$python_out"
cp "$FFI_DIR/libphasekit_ffi.so" "$python_out/"

venv=.venv/uniffi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
export PYTHONDONTWRITEBYTECODE=1
PYTHONPATH="$repo/$python_out" exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$here" "$@"
