#!/usr/bin/env bash
# Builds what bench/run.py runs, for one profile:
#   bench/build.sh release   (make bench)       everything optimised, into places of its own:
#     target/<triple>/release/{phasekit-server,get,decrypt,instructions,soak,rotate}, the
#     phasekit wheel into
#     .venv/bench-python, the Node addon into target/bench/node/ (loaded through
#     NAPI_RS_NATIVE_LIBRARY_PATH, so node/'s debug addon and generated files stay untouched),
#     the Go driver into target/bench/go/phasekit-bench-go (linked with the release static
#     library of phasekit-ffi, from a copy of the module under target/bench/go/src/, so go/lib
#     keeps the debug library the Go suite links)
#   bench/build.sh debug     (make bench-smoke)  the Rust drivers (get, decrypt, soak, rotate) and the Go driver
#     (target/bench/go/debug/, linked with go/lib's debug library); the server, the wheel in
#     .venv/python, node/'s addon and go/lib come from `make server python node go`
#   bench/build.sh go-driver LIBRARY OUT_DIR  (bench/profile.sh)  the Go driver alone, linked
#     with the static library LIBRARY, into OUT_DIR/phasekit-bench-go
# release and debug make sure the official SDKs are installed: phase-dev into
# .venv/interop-python (as tests/interop/python/run.sh does) and @phase.dev/phase-node in
# node/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: bench/build.sh release|debug|go-driver LIBRARY OUT_DIR"
profile="${1:?$usage}"
TARGET="${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
CARGO="${CARGO:-cargo}"
GO="${GO:-go}"
python="${PYTHON:-python3}"
quiet=(--quiet --disable-pip-version-check)

# The official SDKs, pinned by the interop suites' own manifests.
install_sdks() {
  local sdk_venv=.venv/interop-python
  [ -x "$sdk_venv/bin/python" ] || "$python" -m venv "$sdk_venv"
  "$sdk_venv/bin/python" -m pip install "${quiet[@]}" -r tests/interop/python/requirements.txt
  if [ ! -f node/node_modules/.package-lock.json ] || [ node/package-lock.json -nt node/node_modules/.package-lock.json ]; then
    (cd node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# build_go_driver SOURCE_DIR OUT_DIR: the Go driver (bench/drivers/go) into
# OUT_DIR/phasekit-bench-go. The old binary goes first: the go command decides whether to link
# again from the Go inputs alone, and would keep a binary linked with an older static library.
build_go_driver() {
  local out="$2"
  case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
  mkdir -p "$out"
  rm -f "$out/phasekit-bench-go"
  (cd "$1" && "$GO" build -trimpath -o "$out/phasekit-bench-go" .)
}

# build_go_driver_with LIBRARY OUT_DIR: cgo takes the library from the binding's own
# lib/<GOOS>_<GOARCH>/, so the driver is built from a copy of the module (with its include/)
# and the driver in the checkout's relative layout (OUT_DIR/src/), whose lib/ holds LIBRARY;
# go/lib keeps the library the Go suite links.
build_go_driver_with() {
  local src="$2/src" file lib
  lib="$src/go/lib/$("$GO" env GOOS)_$("$GO" env GOARCH)"
  rm -rf "$src"
  mkdir -p "$lib" "$src/bench/drivers"
  for file in go/go.mod go/*.go; do
    case "$file" in *_test.go) ;; *) cp "$file" "$src/go/" ;; esac
  done
  cp -R go/include "$src/go/"
  cp -R bench/drivers/go "$src/bench/drivers/"
  ln -f "$1" "$lib/libphasekit_ffi.a" 2>/dev/null || cp -f "$1" "$lib/libphasekit_ffi.a"
  build_go_driver "$src/bench/drivers/go" "$2"
}

case "$profile" in
  debug)
    install_sdks
    "$CARGO" build --quiet --target "$TARGET" -p phasekit-bench --bin get --bin decrypt \
      --bin instructions --bin soak --bin rotate
    ls go/lib/*/libphasekit_ffi.a >/dev/null 2>&1 || { echo "bench/build.sh: go/lib/ has no library (make go)" >&2; exit 1; }
    build_go_driver bench/drivers/go target/bench/go/debug
    ;;
  release)
    install_sdks
    "$CARGO" build --quiet --release --target "$TARGET" -p phasekit-server \
      -p phasekit-bench --bin phasekit-server --bin get --bin decrypt --bin instructions \
      --bin soak --bin rotate
    venv=.venv/bench-python
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install "${quiet[@]}" "maturin==1.16.0"
    rm -rf target/bench/wheels
    "$venv/bin/maturin" build --quiet --release --target "$TARGET" -m python/Cargo.toml \
      -o target/bench/wheels
    "$venv/bin/python" -m pip install "${quiet[@]}" --force-reinstall --no-deps target/bench/wheels/phasekit-*.whl
    out="$PWD/target/bench/node"
    mkdir -p "$out"
    # --no-js and --dts into target/: node/binding.js and node/index.d.ts are not rewritten.
    (cd node && npx napi build --platform --release --target "$TARGET" --output-dir "$out" \
      --no-js --dts index.d.ts >/dev/null)
    # Only the static library (cgo's input): the cdylib and rlib would be a second fat-LTO
    # link that nothing here uses.
    "$CARGO" rustc --quiet --release --target "$TARGET" -p phasekit-ffi --lib --crate-type staticlib
    build_go_driver_with "target/$TARGET/release/libphasekit_ffi.a" target/bench/go
    ;;
  go-driver)
    [ $# -eq 3 ] && [ -f "$2" ] || { echo "$usage" >&2; exit 2; }
    build_go_driver_with "$2" "$3"
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
