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
# uniffi's Swift async calls ignore task cancellation (mozilla/uniffi-rs#2771): the awaiting
# task keeps waiting for the Rust future, which runs to its end. These edits make a cancelled
# task cancel the future (uniffi's rust_future_cancel: the pending poll returns, `complete`
# reports CALL_CANCELLED, and freeing the future drops it, which aborts the core's work) and
# throw `CancellationError`. Each edit must apply exactly as often as expected, so a uniffi
# upgrade that changes the template fails here instead of silently losing cancellation.
python3 - "$work/Phasekit.swift" <<'PATCH'
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()

def edit(old, new, count=1, regex=False):
    global text
    found = len(re.findall(old, text)) if regex else text.count(old)
    if found != count:
        sys.exit(f"generate.sh: expected {count} of {old!r} in the generated Swift, found {found}")
    text = re.sub(old, new, text) if regex else text.replace(old, new)

edit("""    freeFunc: (UInt64) -> (),
    liftFunc: (F) throws -> T,
""", """    freeFunc: (UInt64) -> (),
    cancelFunc: @convention(c) (UInt64) -> (),
    liftFunc: (F) throws -> T,
""")
edit("""    var pollResult: Int8;
    repeat {
        pollResult = await withUnsafeContinuation {
            pollFunc(
                rustFuture,
                { handle, pollResult in
                    uniffiFutureContinuationCallback(handle: handle, pollResult: pollResult)
                },
                uniffiContinuationHandleMap.insert(obj: $0)
            )
        }
    } while pollResult != UNIFFI_RUST_FUTURE_POLL_READY
""", """    // (generate.sh) A cancelled task cancels the future: the pending poll returns at once.
    await withTaskCancellationHandler {
        var pollResult: Int8
        repeat {
            pollResult = await withUnsafeContinuation {
                pollFunc(
                    rustFuture,
                    { handle, pollResult in
                        uniffiFutureContinuationCallback(handle: handle, pollResult: pollResult)
                    },
                    uniffiContinuationHandleMap.insert(obj: $0)
                )
            }
        } while pollResult != UNIFFI_RUST_FUTURE_POLL_READY
    } onCancel: {
        cancelFunc(rustFuture)
    }
""")
calls = text.count("try  await uniffiRustCallAsync(")
edit(r"( *)freeFunc: ffi_phasekit_ffi_rust_future_free_(\w+),\n",
     r"\g<0>\1cancelFunc: ffi_phasekit_ffi_rust_future_cancel_\2,\n", count=calls, regex=True)
edit('fatalError("Cancellation not supported yet")', "throw CancellationError()")
open(path, "w", encoding="utf-8").write(text)
PATCH
cp "$work/Phasekit.swift" "$out/Sources/Phasekit/Phasekit.swift"
cp "$work/PhasekitFFI.h" "$out/Sources/PhasekitFFI/PhasekitFFI.h"
cp "$work/PhasekitFFI.modulemap" "$out/Sources/PhasekitFFI/module.modulemap"
