#!/usr/bin/env bash
# Generates the Swift package's sources from the built library with uniffi, into the package
# directory given as $1:
#   Sources/Phasekit/Phasekit.swift              the Swift API (async/throws, PhaseError)
#   Sources/PhasekitFFI/PhasekitFFI.h            the C declarations it calls
#   Sources/PhasekitFFI/module.modulemap         the clang module of that header
# Sources/Phasekit/WatchSequence.swift is written by hand and left alone.
# Needs $UNIFFI_BINDGEN (the generator binary) and $FFI_DIR (where libphasekit_ffi.so is);
# `make swift` sets both. Runs from the repository root (uniffi reads bindings/ffi/uniffi.toml).
set -euo pipefail
out="$(realpath -m "$1")"
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$UNIFFI_BINDGEN" generate --no-format --library "$FFI_DIR/libphasekit_ffi.so" \
    --language swift --out-dir "$work"
mkdir -p "$out/Sources/Phasekit" "$out/Sources/PhasekitFFI"
cp "$work/Phasekit.swift" "$out/Sources/Phasekit/Phasekit.swift"
cp "$work/PhasekitFFI.h" "$out/Sources/PhasekitFFI/PhasekitFFI.h"
cp "$work/PhasekitFFI.modulemap" "$out/Sources/PhasekitFFI/module.modulemap"
