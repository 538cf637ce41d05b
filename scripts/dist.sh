#!/usr/bin/env bash
# make dist: release artifacts into dist/, built the way the release pipeline
# (.github/workflows/release.yml) builds them on each platform's runner. On a Linux x86_64 host,
# with no settings, the artifacts of that host:
#   dist/python/  the abi3 wheels for manylinux_2_17 x86_64 (glibc 2.17+) and musllinux_1_2
#                 x86_64, and the sdist
#   dist/npm/     the main npm package and the platform packages linux-x64-gnu, linux-arm64-gnu
#                 (glibc 2.17+) and linux-x64-musl, each with its addon
#   dist/goproxy/ the Go module as a file-based module proxy, with the stripped static
#                 libraries for linux/amd64 and linux/arm64 (glibc 2.17+)
# Other targets through the environment (what the release pipeline sets per runner):
#   PYTHON_TARGETS  "triple:compatibility ..."   default "x86_64-unknown-linux-gnu:manylinux2014
#                                                 x86_64-unknown-linux-musl:musllinux_1_2"
#   NODE_TARGETS    "triple ..."                  default "x86_64-unknown-linux-gnu.2.17
#                                                 x86_64-unknown-linux-musl aarch64-unknown-linux-gnu.2.17"
#   GO_TARGETS      "triple ..."                  default "x86_64-unknown-linux-gnu.2.17
#                                                 aarch64-unknown-linux-gnu.2.17"
# A triple with a glibc suffix (.2.17) or for another operating system than the host's is
# built through zig (maturin --zig, cargo-zigbuild); a native one with the host's compiler.
# Release builds, in a target directory of their own (target/dist/), so that the debug builds
# of the tests stay valid. The tools go into .venv/dist.
#   scripts/dist.sh [python] [sdist] [node] [npm] [go]     the parts (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(python sdist node npm go)
PYTHON_TARGETS=${PYTHON_TARGETS:-"x86_64-unknown-linux-gnu:manylinux2014 x86_64-unknown-linux-musl:musllinux_1_2"}
NODE_TARGETS=${NODE_TARGETS:-"x86_64-unknown-linux-gnu.2.17 x86_64-unknown-linux-musl aarch64-unknown-linux-gnu.2.17"}
GO_TARGETS=${GO_TARGETS:-"x86_64-unknown-linux-gnu.2.17 aarch64-unknown-linux-gnu.2.17"}
tools=.venv/dist
export CARGO_TARGET_DIR="$repo/target/dist"
host=$(rustc -vV | sed -n 's/^host: //p')
python=${PYTHON:-python3}
version=$("$python" scripts/version.py)

# maturin, zig and cargo-zigbuild from PyPI, on PATH for maturin and napi-rs; only installed
# when a part needs them (a native Node build on macOS or Windows does not).
tools_ready=
ensure_tools() {
  [ -z "$tools_ready" ] || return 0
  [ -x "$tools/bin/python" ] || "$python" -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/dist-requirements.txt
  local zig_dir
  zig_dir=$("$tools/bin/python" -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')
  export PATH="$repo/$tools/bin:$zig_dir:$PATH"
  tools_ready=1
}

timed() {
  local started=$SECONDS
  "$@"
  echo "dist: $((SECONDS - started)) s for ${*:1:4} ... $(printf '%s\n' "$@" | grep -m1 -- '-linux\|-darwin\|-windows' || true)"
}

# The triple cargo builds for (without a glibc suffix), and whether zig builds it.
triple_of() { echo "${1%%.*}"; }
through_zig() { [ "$1" != "$(triple_of "$1")" ] || [ "$(triple_of "$1")" != "$host" ]; }
add_target() { rustup target add "$(triple_of "$1")" >/dev/null; }

python_dist() {
  local target compatibility zig
  ensure_tools
  mkdir -p dist/python
  for spec in $PYTHON_TARGETS; do
    target=${spec%%:*}
    compatibility=${spec#*:}
    add_target "$target"
    # Linux wheels always through zig: it links against glibc 2.17's symbols (manylinux2014).
    zig=()
    case "$target" in *-linux-*) zig=(--zig) ;; esac
    timed maturin build --quiet --release "${zig[@]}" --target "$target" --compatibility "$compatibility" \
      -m python/Cargo.toml -o dist/python
  done
}

sdist_dist() {
  ensure_tools
  mkdir -p dist/python
  timed maturin sdist -m python/Cargo.toml -o dist/python
}

node_dist() {
  local napi=(node/node_modules/.bin/napi build --cwd node --platform --release --strip
    --output-dir "$CARGO_TARGET_DIR/node" --no-js --dts index.d.ts)
  [ -f node/node_modules/.package-lock.json ] || (cd node && npm ci --no-audit --no-fund --loglevel=error)
  for target in $NODE_TARGETS; do
    add_target "$target"
    if through_zig "$target"; then
      ensure_tools
      timed "${napi[@]}" -x --target "$target"
    else
      timed "${napi[@]}" --target "$target"
    fi
  done
}

npm_dist() {
  rm -rf dist/npm
  scripts/pack-node.sh dist/npm "$CARGO_TARGET_DIR"/node/phasekit.*.node
}

# GOOS_GOARCH of a Rust triple.
go_platform() {
  local triple
  triple=$(triple_of "$1")
  local arch=${triple%%-*} os
  case "$triple" in
    *-linux-*) os=linux ;; *-apple-darwin) os=darwin ;; *-windows-*) os=windows ;;
    *) echo "dist: no Go platform for $triple" >&2; return 1 ;;
  esac
  case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
  echo "${os}_$arch"
}

go_dist() {
  local libraries=() triple build
  for target in $GO_TARGETS; do
    add_target "$target"
    triple=$(triple_of "$target")
    # The static library alone (no cdylib: one fat-LTO link, not two).
    build=(rustc --quiet --release -p phasekit-ffi --lib --crate-type staticlib --target)
    if through_zig "$target"; then
      ensure_tools
      timed cargo-zigbuild "${build[@]}" "$target"
    else
      timed cargo "${build[@]}" "$target"
    fi
    libraries+=("$(go_platform "$target")=$CARGO_TARGET_DIR/$triple/release/libphasekit_ffi.a")
  done
  rm -rf dist/goproxy
  scripts/go-module.sh dist/goproxy "v$version" "${libraries[@]}"
}

for part in "${parts[@]}"; do
  case "$part" in
    python) python_dist ;;
    sdist) sdist_dist ;;
    node) node_dist ;;
    npm) npm_dist ;;
    go) go_dist ;;
    *) echo "dist: unknown part $part (python, sdist, node, npm, go)" >&2; exit 2 ;;
  esac
done
find dist -maxdepth 2 -type f -printf '%p %s bytes\n' | sort
