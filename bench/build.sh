#!/usr/bin/env bash
# Builds what bench/run.py runs, for one profile:
#   bench/build.sh release   (make bench)       everything optimised, into places of its own:
#     target/<triple>/release/{phasekit-server,get,decrypt}, the phasekit wheel into
#     .venv/bench-python, the Node addon into target/bench/node/ (loaded through
#     NAPI_RS_NATIVE_LIBRARY_PATH, so node/'s debug addon and generated files stay untouched)
#   bench/build.sh debug     (make bench-smoke)  the Rust drivers only; the server, the wheel
#     in .venv/python and node/'s addon come from `make server python node`
# Both make sure the official SDKs are installed: phase-dev into .venv/interop-python (as
# tests/interop/python/run.sh does) and @phase.dev/phase-node in node/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:?usage: bench/build.sh release|debug}"
TARGET="${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
CARGO="${CARGO:-cargo}"
python="${PYTHON:-python3}"
quiet=(--quiet --disable-pip-version-check)

# The official SDKs, pinned by the interop suites' own manifests.
sdk_venv=.venv/interop-python
[ -x "$sdk_venv/bin/python" ] || "$python" -m venv "$sdk_venv"
"$sdk_venv/bin/python" -m pip install "${quiet[@]}" -r tests/interop/python/requirements.txt
if [ ! -f node/node_modules/.package-lock.json ] || [ node/package-lock.json -nt node/node_modules/.package-lock.json ]; then
  (cd node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

case "$profile" in
  debug)
    "$CARGO" build --quiet --target "$TARGET" -p phasekit-bench --bin get --bin decrypt
    ;;
  release)
    "$CARGO" build --quiet --release --target "$TARGET" -p phasekit-server \
      -p phasekit-bench --bin phasekit-server --bin get --bin decrypt
    venv=.venv/bench-python
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install "${quiet[@]}" "maturin==1.16.0"
    rm -rf target/bench/wheels
    "$venv/bin/maturin" build --quiet --release --target "$TARGET" -m python/Cargo.toml \
      -o target/bench/wheels
    "$venv/bin/python" -m pip install "${quiet[@]}" --force-reinstall --no-deps target/bench/wheels/phasekit-*.whl
    out="$PWD/target/bench/node"
    mkdir -p "$out"
    # --no-js and --dts into target/: node/index.js and node/index.d.ts are not rewritten.
    (cd node && npx napi build --platform --release --target "$TARGET" --output-dir "$out" \
      --no-js --dts index.d.ts >/dev/null)
    ;;
  *)
    echo "usage: bench/build.sh release|debug" >&2
    exit 2
    ;;
esac
