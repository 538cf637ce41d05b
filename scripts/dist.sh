#!/usr/bin/env bash
# make dist: the release artifacts of this Linux x86_64 host, into dist/, built the way the
# release pipeline (.github/workflows/release.yml) builds them for every platform:
#   dist/python/  the abi3 wheels for manylinux_2_17 x86_64 (glibc 2.17+) and musllinux_1_2
#                 x86_64, and the sdist
#   dist/npm/     the main npm package and the platform packages linux-x64-gnu (glibc 2.17+)
#                 and linux-x64-musl, each with its addon
#   dist/goproxy/ the Go module as a file-based module proxy, with the stripped static library
#                 for linux/amd64 (glibc 2.17+)
# Release builds, portable through zig (maturin --zig, cargo-zigbuild), in a target directory
# of their own (target/dist/) so that the debug builds of the tests stay valid. The tools go
# into .venv/dist. Pass a list of parts to build fewer: scripts/dist.sh python node go
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
parts=("${@:-python node go}")
parts=(${parts[*]})
tools=.venv/dist
export CARGO_TARGET_DIR="$repo/target/dist"
quiet=(--quiet --disable-pip-version-check)

[ -x "$tools/bin/python" ] || python3 -m venv "$tools"
"$tools/bin/python" -m pip install "${quiet[@]}" -r scripts/dist-requirements.txt
# zig and cargo-zigbuild from PyPI, on PATH for maturin and napi-rs.
zig_dir=$("$tools/bin/python" -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')
export PATH="$repo/$tools/bin:$zig_dir:$PATH"
rustup target add x86_64-unknown-linux-musl >/dev/null

timed() {
  local started=$SECONDS
  "$@"
  echo "dist: $(( SECONDS - started )) s for: ${*:1:6}"
}

python_dist() {
  local maturin=(maturin build --quiet --release --zig -m python/Cargo.toml -o dist/python)
  rm -rf dist/python
  timed "${maturin[@]}" --target x86_64-unknown-linux-gnu --compatibility manylinux2014
  timed "${maturin[@]}" --target x86_64-unknown-linux-musl --compatibility musllinux_1_2
  timed maturin sdist -m python/Cargo.toml -o dist/python
}

node_dist() {
  local napi=(node/node_modules/.bin/napi build --cwd node --platform --release -x --output-dir "$CARGO_TARGET_DIR/node" --no-js --dts index.d.ts --strip)
  [ -f node/node_modules/.package-lock.json ] || (cd node && npm ci --no-audit --no-fund --loglevel=error)
  rm -rf dist/npm "$CARGO_TARGET_DIR/node"
  # The versioned target: glibc 2.17 symbols, like the manylinux2014 wheel.
  timed "${napi[@]}" --target x86_64-unknown-linux-gnu.2.17
  timed "${napi[@]}" --target x86_64-unknown-linux-musl
  scripts/pack-node.sh dist/npm "$CARGO_TARGET_DIR"/node/phasekit.*.node
}

go_dist() {
  local triple=x86_64-unknown-linux-gnu
  rm -rf dist/goproxy
  # The static library alone (no cdylib: one fat-LTO link, not two), for glibc 2.17 like the rest.
  timed cargo-zigbuild rustc --quiet --release -p phasekit-ffi --lib --crate-type staticlib --target "$triple.2.17"
  scripts/go-module.sh dist/goproxy "v$(python3 scripts/version.py)" \
    "linux_amd64=$CARGO_TARGET_DIR/$triple/release/libphasekit_ffi.a"
}

for part in "${parts[@]}"; do
  case "$part" in
    python) python_dist ;;
    node) node_dist ;;
    go) go_dist ;;
    *) echo "dist: unknown part $part (python, node, go)" >&2; exit 2 ;;
  esac
done
ls -l dist/python dist/npm 2>/dev/null || true
