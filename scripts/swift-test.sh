#!/usr/bin/env bash
# The Swift binding's checks (`make test-swift`):
# 1. the committed Swift sources, header and modulemap are what bindings/swift/generate.sh
#    (uniffi, plus its cancellation edit) makes of the library now; WatchSequence.swift, written
#    by hand, is left out;
# 2. inside a Debian trixie root with Debian's Swift toolchain (scripts/swift-root.sh, made when
#    absent), against the local server started here on the host (same network namespace):
#    - bindings/swift is built with its XCTest suite (bindings/swift/Tests/PhasekitTests),
#    - tests/swift-consumer, a package that depends on bindings/swift by path, is built (both in
#      Swift 6 language mode, warnings as errors) and run,
#    - the XCTest suite runs.
# The Rust library is the host's debug build ($FFI_DIR), linked statically.
# Needs $UNIFFI_BINDGEN, $FFI_DIR and $PHASEKIT_SERVER_BIN (the Makefile sets them).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
: "${UNIFFI_BINDGEN:?}" "${FFI_DIR:?}" "${PHASEKIT_SERVER_BIN:?}"
started=$(date +%s)

fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
bindings/swift/generate.sh "$fresh"
# Swift written by hand next to the generated files (see bindings/swift/README.md).
cp bindings/swift/Sources/Phasekit/WatchSequence.swift "$fresh/Sources/Phasekit/"
if ! diff -ru bindings/swift/Sources "$fresh/Sources"; then
    echo "bindings/swift/Sources is out of date: run \`make swift\` and commit the result" >&2
    exit 1
fi
rm -rf "$fresh"
echo "Swift sources, header and modulemap are current"

scripts/swift-root.sh create

# The server's files must be visible inside the root: under target/ (start_local_server's
# EXIT trap stops the server and removes the directory).
work="$repo/target/swift-test"
rm -rf "$work"
mkdir -p "$work"
seed="$repo/tests/server/seeds/bindings.json"
# shellcheck source=lib/local-server.sh
source scripts/lib/local-server.sh
start_local_server "$PHASEKIT_SERVER_BIN" "$seed" "$work" sa-token

log="$repo/target/swift-test.log"
export PHASEKIT_LIB_DIR="$repo/$FFI_DIR" PHASEKIT_TEST_SERVER="$work/server.json" PHASEKIT_TEST_SEED="$seed"
status=0
scripts/swift-root.sh run -e PHASEKIT_LIB_DIR -e PHASEKIT_TEST_SERVER -e PHASEKIT_TEST_SEED \
    -e PHASE_HOST -e PHASE_SERVICE_TOKEN -C "$repo" -- sh -ec '
    step() { echo "== $*"; date +%s >/tmp/step; }
    took() { echo "== took $(( $(date +%s) - $(cat /tmp/step) )) s"; }
    step "swift build --build-tests (bindings/swift)"
    swift build --package-path bindings/swift --scratch-path target/swift/phasekit --build-tests
    took
    # Swift 6 language mode (strict concurrency) for the consumer and, through -Xswiftc, for
    # bindings/swift too (it builds in Swift 5 mode otherwise): no warning allowed.
    step "tests/swift-consumer: build (Swift 6 language mode, warnings as errors), run against the local server"
    swift build --package-path tests/swift-consumer --scratch-path target/swift/consumer \
        -Xswiftc -swift-version -Xswiftc 6 -Xswiftc -warnings-as-errors
    target/swift/consumer/debug/SecretsConsumer
    took
    step "swift test (bindings/swift)"
    swift test --package-path bindings/swift --scratch-path target/swift/phasekit --skip-build
    took
' >"$log" 2>&1 || status=$?
# The steps, the consumer's report, failed assertions and XCTest's total.
grep -E "^== |^consumer: |: error: |^Test Case .* failed|Executed [0-9]+ tests?, with" "$log" |
    awk '/Executed/ { last = $0; next } { print } END { if (last) print last }' || true
if [ "$status" -ne 0 ]; then
    tail -n 60 "$log"
    echo "swift: failed (log: target/swift-test.log)" >&2
    exit "$status"
fi
passed="$(grep -cE "^Test Case '.*' passed" "$log" || true)"
echo "swift: $passed XCTest tests passed and the consumer package ran (log: target/swift-test.log; $(($(date +%s) - started)) s in all)"
