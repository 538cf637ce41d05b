#!/usr/bin/env bash
# Profiles behind the missed goals of the client benchmark (bench/README.md, "Profiles"):
#   bench/profile.sh [--no-build] [--tool perf|callgrind] [--top N] [SCENARIO ...]
# SCENARIOs (default: all): rust-cold rust-warm node-cold node-warm python-warm go-warm
#   decrypt node-memory node-memory-5000 go-memory go-soak
#
# Builds the server, the Rust driver, the decrypt benchmark, the Python and Node bindings and
# the static library of the Go binding in release with debug information into target/profile/
# (its own target directory: the benchmark's builds stay valid), stages the Python package in
# target/profile/python/ and the Node addon in target/profile/node/, links the Go driver in
# target/profile/go/ (bench/build.sh go-driver), then runs bench/profiles.py: each scenario under
# `perf record` (or valgrind's callgrind where perf cannot record), the top inclusive
# functions and where the samples go printed, everything into target/bench/profile/ and
# target/bench/profile.json (cited by bench/run.py in RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
CARGO="${CARGO:-cargo}"
python="${PYTHON:-python3}"
build=1
if [ "${1:-}" = "--no-build" ]; then
  build=0
  shift
fi

dir=target/profile
out="$dir/$TARGET/release"
if [ "$build" = 1 ]; then
  # Same code and optimisation as the benchmark's release builds (fat LTO, one codegen unit),
  # plus the debug information perf needs for names and DWARF stacks.
  export CARGO_PROFILE_RELEASE_DEBUG=true
  "$CARGO" build --quiet --release --target "$TARGET" --target-dir "$dir" -p phasekit-server \
    -p phasekit-bench --bin phasekit-server --bin get --bin decrypt --bin rotate
  "$CARGO" build --quiet --release --target "$TARGET" --target-dir "$dir" -p phasekit-python \
    -p phasekit-node --lib
  "$CARGO" rustc --quiet --release --target "$TARGET" --target-dir "$dir" -p phasekit-ffi --lib \
    --crate-type staticlib
  bench/build.sh go-driver "$out/libphasekit_ffi.a" "$dir/go"
  # The package as the wheel lays it out (python/python/phasekit plus the extension module),
  # and the addon under the name node/index.js loads through NAPI_RS_NATIVE_LIBRARY_PATH.
  rm -rf "$dir/python"
  mkdir -p "$dir/python" "$dir/node"
  cp -R python/python/phasekit "$dir/python/"
  cp "$out/lib_phasekit.so" "$dir/python/phasekit/_phasekit.abi3.so"
  cp "$out/libphasekit_node.so" "$dir/node/phasekit.linux-x64-gnu.node"
fi
for built in "$out/phasekit-server" "$out/get" "$out/decrypt" \
  "$dir/python/phasekit/_phasekit.abi3.so" "$dir/node/phasekit.linux-x64-gnu.node" \
  "$dir/go/phasekit-bench-go"; do
  [ -f "$built" ] || { echo "bench/profile.sh: $built is missing (run without --no-build)" >&2; exit 1; }
done
# node/'s npm packages are not needed: the addon loads by itself.
exec "$python" bench/profiles.py --bin-dir "$out" --python-path "$dir/python" \
  --node-addon "$dir/node/phasekit.linux-x64-gnu.node" --go-driver "$dir/go/phasekit-bench-go" "$@"
