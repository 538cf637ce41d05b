# phasekit: one Rust core for Phase, bindings for Python, Node, Go and Swift.
# `make test` installs what it needs (Python packages go into .venv/) and runs every suite.

SHELL := /bin/bash
# One explicit target triple for every tool (cargo, maturin, napi) so that they share
# target/<triple>/ instead of rebuilding the core once per tool.
TARGET ?= $(shell rustc -vV | sed -n 's/^host: //p')
CARGO ?= cargo
CARGO_TARGET := --target $(TARGET)
PYTHON ?= python3

SERVER_BIN := target/$(TARGET)/debug/phasekit-server
export PHASEKIT_SERVER_BIN := $(CURDIR)/$(SERVER_BIN)
export PHASEKIT_CLI_BIN := $(CURDIR)/target/$(TARGET)/debug/examples/secrets

# The Go/Swift library (bindings/ffi): the static library cgo links, the shared one uniffi reads.
FFI_DIR := target/$(TARGET)/debug
UNIFFI_BINDGEN := $(FFI_DIR)/uniffi-bindgen
GO ?= go

.PHONY: test test-rust cli test-cli test-python python node test-node ffi ffi-header go test-go swift test-swift lint vectors vectors-check interop interop-python interop-node server serve surface demo demo-build version-check test-packages dist test-dist bench-x25519 fmt clean

## test: everything CI runs
test: lint version-check test-rust test-cli vectors-check interop test-python test-node test-go test-swift test-packages bench-smoke fuzz-smoke

ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

## lint: formatting, clippy with warnings denied, and actionlint on the GitHub workflows
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy $(CARGO_TARGET) --workspace --all-targets -- -D warnings
	$(GO) run $(ACTIONLINT)

## test-rust: the core's and the local server's tests (vectors, recorded real-server exchanges,
## client), and the files generated from the core's declarations are current
test-rust:
	$(CARGO) test $(CARGO_TARGET) -p phasekit -p phasekit-server -p phasekit-surface

## surface: rewrite the files generated from the core's declarations (bindings/surface)
surface:
	PHASEKIT_BLESS=1 $(CARGO) test $(CARGO_TARGET) -p phasekit-surface

## server: build the local Phase-compatible server and the Rust examples
server:
	$(CARGO) build $(CARGO_TARGET) -p phasekit-server -p phasekit --bins --examples

## serve: the local server with the demo seed, in the foreground until Ctrl-C (PORT=8080 picks
## the port); its URL and tokens are written to target/serve.json
PORT ?= 0
serve: server
	$(SERVER_BIN) --port $(PORT) --seed tests/server/seeds/demo.json --tokens-out target/serve.json

## cli: build the command line (`phasekit`, crate phasekit-cli)
cli:
	$(CARGO) build $(CARGO_TARGET) -p phasekit-cli

## test-cli: `phasekit` against the local server (tests/cli: every command, run's environment,
## exit codes and signals, .phase.json, export formats read back by standard parsers, and the
## official phase-cli side by side, the pip console script and the npm bin); the crate's unit tests
test-cli: server cli python node
	$(CARGO) test $(CARGO_TARGET) -p phasekit-cli
	PHASEKIT_BIN=$(CURDIR)/target/$(TARGET)/debug/phasekit tests/cli/run.sh

## interop: the official Phase SDKs (PyPI, npm) unmodified against the local server
interop: interop-python interop-node

interop-python: server
	tests/interop/python/run.sh

interop-node: server
	tests/interop/node/run.sh

## python: build the abi3 wheel and install it into .venv/python
python:
	TARGET=$(TARGET) scripts/python-wheel.sh

## test-python: the Python binding's suite against the local server
test-python: server
	python/tests/run.sh

# JavaScript and TypeScript written by hand (prettier style; generated files in .prettierignore).
NODE_SOURCES := "node/**/*.{mjs,js,ts,json}" "examples/node/*.{mjs,ts,json}" \
	"tests/nodesupport/*.js" "tests/interop/node/*.{js,json}"

## node: build the Node addon (debug) with its generated loader (binding.js) and index.d.ts
node:
	TARGET=$(TARGET) scripts/node-addon.sh

## test-node: the Node binding's suite against the local server (also proves that the
## committed binding.js/index.d.ts are what napi-rs generates)
test-node: server
	TARGET=$(TARGET) scripts/node-addon.sh --check
	node/node_modules/.bin/prettier --check $(NODE_SOURCES)
	cd node && node --test test/

## ffi: build the Go/Swift library (crate phasekit-ffi: staticlib for cgo, cdylib for uniffi)
ffi:
	$(CARGO) build $(CARGO_TARGET) -p phasekit-ffi

## ffi-header: regenerate go/include/phasekit.h with cbindgen
ffi-header:
	PHASEKIT_BLESS=1 $(CARGO) test $(CARGO_TARGET) -p phasekit-ffi --test header

# Where the Go package links this platform's library (git-ignored): go/lib/<GOOS>_<GOARCH>/.
GO_PLATFORM := $(shell $(GO) env GOOS)_$(shell $(GO) env GOARCH)
GO_LIB := go/lib/$(GO_PLATFORM)/libphasekit_ffi.a

## go: build the library and put it where the Go package links it ($(GO_LIB))
go: ffi
	mkdir -p $(dir $(GO_LIB))
	ln -f $(FFI_DIR)/libphasekit_ffi.a $(GO_LIB) 2>/dev/null || cp -f $(FFI_DIR)/libphasekit_ffi.a $(GO_LIB)

## test-go: the C header is current; gofmt, go vet and the Go suite (-race) against the local server
test-go: server go
	$(CARGO) test $(CARGO_TARGET) -p phasekit-ffi
	@unformatted="$$(cd go && gofmt -l .)"; [ -z "$$unformatted" ] || { echo "gofmt needed: $$unformatted"; exit 1; }
	cd go && $(GO) vet ./...
	@mkdir -p target
	@cd go && $(GO) test -race -count=1 -v ./... >$(CURDIR)/target/go-test.log 2>&1; status=$$?; \
		grep -E '^(ok|FAIL|--- FAIL|panic:)' $(CURDIR)/target/go-test.log; \
		[ $$status -eq 0 ] || { tail -n 80 $(CURDIR)/target/go-test.log; exit $$status; }; \
		echo "go: $$(grep -c -- '--- PASS' $(CURDIR)/target/go-test.log) tests passed (log: target/go-test.log)"

## swift: regenerate the Swift sources, C header and modulemap in bindings/swift/ (uniffi)
swift: ffi
	$(CARGO) build $(CARGO_TARGET) -p uniffi-bindgen
	UNIFFI_BINDGEN=$(UNIFFI_BINDGEN) FFI_DIR=$(FFI_DIR) bindings/swift/generate.sh bindings/swift

## test-swift: the committed Swift sources are current; in a Debian trixie root with Debian's
## Swift toolchain (target/swift-root, made when absent: `make swift-root`), the package's XCTest
## suite and a consumer package depending on it by path, against the local server
## (scripts/swift-test.sh)
test-swift: server ffi
	$(CARGO) build $(CARGO_TARGET) -p uniffi-bindgen
	UNIFFI_BINDGEN=$(UNIFFI_BINDGEN) FFI_DIR=$(FFI_DIR) scripts/swift-test.sh

.PHONY: swift-root
## swift-root: make the Debian trixie root with the Swift toolchain (target/swift-root) unless it
## is there; `scripts/swift-root.sh run -- swift ...` runs a command in it, `... remove` deletes it
swift-root:
	scripts/swift-root.sh create

## demo: start the local server from the demo seed and run the quickstarts (Rust, Python, Node, Go) against it
demo: demo-build
	TARGET=$(TARGET) scripts/demo.sh

GO_QUICKSTART := target/demo/go-quickstart

## demo-build: what the demo runs and nothing else (debug builds): the server and the Rust
## quickstart, the Python wheel, the Node addon with the example's packages, the Go quickstart
demo-build: python node
	$(CARGO) build $(CARGO_TARGET) -p phasekit-server --bin phasekit-server -p phasekit --example quickstart
	@cd examples/node && if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		npm ci --no-audit --no-fund --loglevel=error >/dev/null; fi
	$(MAKE) --no-print-directory go
	$(MAKE) --no-print-directory $(GO_QUICKSTART)

# Linked again only when the library or a Go source changed (the go command would not notice a
# new library by itself).
$(GO_QUICKSTART): $(GO_LIB) $(wildcard go/*.go go/examples/quickstart/*.go) go/go.mod
	@mkdir -p $(@D)
	cd go && $(GO) build -o $(CURDIR)/$@ ./examples/quickstart

VERSION := $(shell $(PYTHON) scripts/version.py)

## version-check: every file that repeats the version (npm packages, lock files, the napi-rs
## loader) says what Cargo.toml's workspace version says; `scripts/version.py set X.Y.Z` sets it
version-check:
	$(PYTHON) scripts/version.py check

## test-packages: this platform's Python wheel, npm packages and Go module (the debug builds of
## the suites), installed the way users install them, in fresh places outside the repository,
## and used against the local server (tests/packages/); the Go module through a file-based
## module proxy
PACKAGES := target/packages
test-packages: server python node go
	tests/packages/check-python.sh target/wheels/phasekit-$(VERSION)-*.whl
	rm -rf $(PACKAGES)/npm $(PACKAGES)/goproxy
	scripts/pack-node.sh $(PACKAGES)/npm node/phasekit.*.node
	tests/packages/check-node.sh $(PACKAGES)/npm/phasekit-$(VERSION).tgz $(PACKAGES)/npm/phasekit-*-$(VERSION).tgz
	scripts/go-module.sh $(PACKAGES)/goproxy v$(VERSION) $(GO_PLATFORM)=$(FFI_DIR)/libphasekit_ffi.a
	tests/packages/check-go.sh $(PACKAGES)/goproxy v$(VERSION)

## dist: the release artifacts of this host (Linux x86_64) in dist/: Python wheels for
## manylinux_2_17 and musllinux_1_2 and the sdist, the npm main package and its linux-x64-gnu and
## linux-x64-musl packages (release builds, portable through zig; scripts/dist.sh)
dist:
	scripts/dist.sh

## test-dist: every artifact in dist/ installed as its users install it and used against the
## local server; those for another libc checked as files (scripts/test-dist.sh)
test-dist: server
	scripts/test-dist.sh

## vectors: regenerate tests/vectors/crypto.json with libsodium (PyNaCl, installed into .venv/)
vectors:
	$(PYTHON) tests/vectors/generate.py

## vectors-check: prove the committed vectors are exactly what libsodium produces
vectors-check:
	$(PYTHON) tests/vectors/generate.py --check

## bench-x25519: X25519 implementations side by side; fails if the core is below 95% of libsodium
bench-x25519:
	$(CARGO) run $(CARGO_TARGET) --release -p phasekit-bench --bin x25519

.PHONY: bench bench-smoke bench-cli valgrind
## bench: phasekit's clients against the official SDKs on the local server, release builds;
## writes bench/RESULTS.md (with the command line's figures of bench-cli; run it on a quiet machine)
bench: bench-cli valgrind
	TARGET=$(TARGET) bench/build.sh release
	TARGET=$(TARGET) $(PYTHON) bench/run.py

## bench-cli: `phasekit run -- true` (release build) against phase-cli's `phase run -- true` at
## 10 and 1,000 secrets on the local server; writes bench/CLI_RESULTS.md
bench-cli: server
	$(CARGO) build $(CARGO_TARGET) --release -p phasekit-cli
	@[ -x .venv/phase-cli/bin/python ] || $(PYTHON) -m venv .venv/phase-cli
	.venv/phase-cli/bin/python -m pip install --quiet --disable-pip-version-check -r tests/cli/phase-cli-requirements.txt
	$(PYTHON) bench/cli_run.py --phasekit target/$(TARGET)/release/phasekit

## bench-smoke: the benchmark on 10 secrets, every client, debug builds; no RESULTS.md
bench-smoke: server python node go valgrind
	TARGET=$(TARGET) bench/build.sh debug
	TARGET=$(TARGET) $(PYTHON) bench/run.py --smoke

## valgrind: callgrind counts the decryption goal in instructions (bench/callgrind.py);
## installed with apt-get (through sudo when not root) when missing
valgrind:
	@command -v valgrind >/dev/null || { \
		command -v apt-get >/dev/null || { echo "valgrind is missing (a Debian/Ubuntu package)" >&2; exit 1; }; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		echo "installing valgrind (apt-get)"; \
		$$sudo apt-get update -q >/dev/null && \
		$$sudo apt-get install -y -q --no-install-recommends valgrind >/dev/null; }

# Fuzzing: cargo-fuzz on stable Rust (no sanitizer: AddressSanitizer needs nightly) with its own
# target directory, so the main builds stay valid. Seeds are in fuzz/corpus/<target>/; what the
# fuzzer finds goes to target/fuzz/corpus/<target>/, crashes to fuzz/artifacts/<target>/.
.PHONY: fuzz fuzz-smoke cargo-fuzz
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_TARGETS ?= token_parse ph_decrypt wire_json references
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_FLAGS := --fuzz-dir fuzz --sanitizer none $(CARGO_TARGET) --target-dir $(CURDIR)/target/fuzz

# Installed only when missing (it takes minutes to compile).
cargo-fuzz:
	@$(CARGO) fuzz --version >/dev/null 2>&1 || \
		$(CARGO) install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked

## fuzz: every fuzz target for FUZZ_SECONDS seconds each (default 60), or only FUZZ_TARGETS;
## e.g. `nice -n 19 make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS=ph_decrypt`
fuzz: cargo-fuzz
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p target/fuzz/corpus/$$t && \
		$(CARGO) fuzz run $(FUZZ_FLAGS) $$t target/fuzz/corpus/$$t fuzz/corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || exit 1; \
	done

## fuzz-smoke: every fuzz target for FUZZ_SMOKE_SECONDS seconds (default 5) from its seeds, in
## `make test` (test-rust also replays every target's committed corpus through the same checks
## in core/tests/fuzz_corpus.rs).
fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
	rm -rf .venv go/lib
