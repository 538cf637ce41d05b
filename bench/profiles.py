#!/usr/bin/env python3
"""Profiles behind the missed goals of the client benchmark; run by bench/profile.sh, which
builds what it runs (release with debug information, in target/profile/).

    python3 bench/profiles.py --bin-dir DIR --python-path DIR --node-addon FILE
        --go-driver FILE [--tool perf|callgrind] [--top N] [SCENARIO ...]

Each scenario runs one benchmark driver (bench/drivers/, bench/src/bin/) against
phasekit-server with the benchmark's own 1,000- or 5,000-secret world (bench/run.py makes it),
under `perf record` (CPU samples with DWARF call stacks, or every page fault for the memory
scenarios) or, where perf cannot record, valgrind's callgrind (instructions). It prints the
top inclusive functions and where the samples go, and writes target/bench/profile/NAME.json
and target/bench/profile.json (all scenarios), which bench/run.py cites in RESULTS.md.

Where the samples go: each sample counts for the bucket of the innermost frame of its stack
that names one (BUCKETS: X25519, JSON decoding, the binding's result objects, ...), so the
buckets add up to 100%; allocator, kernel and generic library frames name none and count for
the code that called them.

Only the samples of the driver's timed gets count: the driver's result line gives their total
length, which ends with the last sample. CPU milliseconds per get add up every thread of the
process, so they can exceed the get's wall time (threads in parallel) or fall short of it
(waiting for the server).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
import run  # noqa: E402  (bench/run.py: the worlds, the server, the driver arguments)
import soak  # noqa: E402  (bench/soak.py: the soak of make bench)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = REPO / "target" / "bench" / "profile"
SUMMARY = REPO / "target" / "bench" / "profile.json"
HZ = 999  # CPU samples per second and thread (perf's cpu-clock; an odd rate avoids lockstep)


# --------------------------------------------------------------------------------------------
# Buckets

# (bucket, symbol pattern, shared-object pattern): the symbol pattern is matched at the start
# of a frame's symbol (after leading "<", "&" and "mut "), the shared-object pattern anywhere
# in the path of the file the frame's code is in. A sample goes to the bucket of the innermost
# frame that matches one of BUCKETS (for that frame, the first that matches); only when none
# does, to the bucket of the innermost frame that matches one of FALLBACKS (code known by the
# file it is in, and the entry frames of threads), so that a V8 or CPython function called by
# the binding counts for the binding.
BUCKETS: list[tuple[str, str, str]] = [
    (
        "X25519",
        r"aws_lc_\w*_[Xx]25519|Lcurve25519|curve25519|crypto_scalarmult|"
        r"phasekit::crypto::x25519",
        "",
    ),
    (
        "XChaCha20-Poly1305, BLAKE2b, other crypto",
        r"aws_lc_|phasekit::crypto::(aead|digest)|crypto_(aead|generichash|stream|onetime)|"
        r"blake2|chacha|poly1305|sodium",
        "",
    ),
    (
        "decryption: ciphertext parsing, memo, copies",
        r"phasekit::secrets::|phasekit::crypto::|base64::|phasekit::secret_string::",
        "",
    ),
    ("session and keys (token, keyring)", r"phasekit::keyring::|phasekit::token::", ""),
    (
        "results encoded in Rust for a binding (Go: the answer structs, Node: JSON rows)",
        r"serde_json::ser::|serde_core::ser::|serde::ser::|phasekit_ffi::|phasekit_node::types::",
        "",
    ),
    ("JSON decoding", r"serde_json::|serde_core::|serde::|phasekit::api::", ""),
    ("reference index (resolve)", r"phasekit::client::resolve::", ""),
    (
        "client construction, TLS roots, HTTP",
        r"reqwest::|hyper::|hyper_util::|h2::|http::|rustls|webpki|tokio::net::|mio::|"
        r"phasekit::transport::|phasekit::tls::",
        "",
    ),
    ("core: rest of get", r"phasekit::", ""),
    (
        "Node: garbage collection, finalizers of result objects",
        r"v8::internal::(Heap|Scavenger|MarkCompact|MinorMarkSweep|MinorMarkCompact|"
        r"ConcurrentMarking|Sweeper|GCTracer|ScavengeJob|MemoryAllocator)|"
        r"node_napi_env__::DrainFinalizerQueue|v8impl::Reference::Finalize|"
        r"napi::bindgen_runtime::raw_finalize",
        "",
    ),
    (
        "Node: the result in JavaScript (its JSON text, JSON.parse, Secret objects)",
        r"phasekit_node::|napi::|napi_|v8impl::|node_napi_env|v8::String|v8::Object|"
        r"v8::Function|v8::internal::Utf8|v8::internal::Factory|v8::internal::JsonParser|"
        r"v8::internal::Builtin_JsonParse|Builtins_JsonParse",
        "",
    ),
    ("Node: the driver's JavaScript (checksum)", r"JS:|LazyCompile:|Function:", ""),
    ("Python: result objects (pyo3)", r"_phasekit::|pyo3::|pyo3_", ""),
    (
        "Go: garbage collection",
        r"runtime\.(gcBgMarkWorker|gcDrain|scanobject|markroot|gcStart|bgsweep|sweepone|"
        r"greyobject|findObject|wbBuf|gcMark)",
        "",
    ),
    (
        "Go: copying the answer into Secrets (native.go; encoding/json for the settings)",
        r"encoding/json\.|github\.com/phasekit/phasekit/go\.",
        "",
    ),
    (
        "Go: runtime (allocation, cgo calls, scheduler)",
        r"runtime\.|runtime/cgo|_cgo_|crosscall",
        "",
    ),
    ("tokio runtime (scheduling, wake-ups)", r"tokio::", ""),
    ("threads: start, stop, stacks", r"std::thread::|std::sys::thread|pthread_create", ""),
]
FALLBACKS: list[tuple[str, str, str]] = [
    ("Node: the driver's JavaScript (checksum)", r"", r"\[JIT\]|perf-\d+\.map"),
    ("Node: V8 and libuv (other)", r"", r"/node$"),
    ("Python: interpreter (the driver's checksum, calls)", r"", r"libpython|/python3"),
    ("threads: start, stop, stacks", r"clone3|start_thread|__pthread|pthread_", ""),
]
UNATTRIBUTED = "other (allocator, kernel, loader, unresolved stacks)"

Pattern = tuple[str, "re.Pattern[str]", Optional["re.Pattern[str]"]]


def _compile(table: list[tuple[str, str, str]]) -> list[Pattern]:
    return [(name, re.compile(sym), re.compile(dso) if dso else None) for name, sym, dso in table]


TIERS = [_compile(BUCKETS), _compile(FALLBACKS)]

# Entry frames every sample of a thread has, and generic library code (iterators, closures,
# allocation): no line of their own in the top list.
GENERIC = re.compile(
    r"(_start|main|\(below main\)|__libc_start\w*|start_thread|clone3?|\[unknown\]|0x[0-9a-f]+$|"
    r"std::(?!.*drop_in_place)|core::(?!ptr::drop_in_place)|alloc::|"
    r"Box<dyn core::ops::function|Py_BytesMain|Py_RunMain|pymain_|_PyRun_|PyRun_|run_mod|"
    r"run_eval|PyEval_EvalCode|node::Start|node::NodeMainInstance|uv_run|"
    r"node::SpinEventLoop|__rust_begin_short_backtrace|runtime\.(main|goexit))"
)


def normalize(symbol: str) -> str:
    s = symbol.lstrip("<&")
    return s[4:] if s.startswith("mut ") else s


def bucket_of(stack: list[tuple[str, str]]) -> str:
    """The bucket of the innermost frame (stack[0] is the leaf) that names one."""
    for tier in TIERS:
        for symbol, dso in stack:
            s = normalize(symbol)
            for name, pattern, in_dso in tier:
                if (in_dso is None or in_dso.search(dso)) and (
                    not pattern.pattern or pattern.match(s)
                ):
                    return name
    return UNATTRIBUTED


# --------------------------------------------------------------------------------------------
# perf


@dataclass
class Sample:
    pid: int
    tid: int
    time: float
    period: int
    stack: list[tuple[str, str]] = field(default_factory=list)  # (symbol, file), leaf first


HEADER = re.compile(r"^(.+?)\s+(\d+)/(\d+)\s+(\d+\.\d+):\s+(\d+)\s")
FRAME = re.compile(r"^\s+[0-9a-f]+ (.+) \(([^()]*)\)$")


def perf_samples(data: Path, inline: bool) -> list[Sample]:
    """Every sample of a `perf record -g` file with its stack. Inlined frames only with
    `inline`: perf resolves them with addr2line, which takes minutes on the debug information
    of the node binary."""
    text = subprocess.run(
        ["perf", "script", "-i", str(data), "-F", "comm,pid,tid,time,period,ip,sym,dso"]
        + ([] if inline else ["--no-inline"]),
        capture_output=True,
        text=True,
        errors="replace",
        check=True,
    ).stdout
    samples: list[Sample] = []
    current: Optional[Sample] = None
    inlined: list[str] = []  # frames inlined into the next real one, which names the file
    for line in text.splitlines():
        if not line.strip():
            current = None
        elif not line[0].isspace():
            m = HEADER.match(line)
            if m:
                current = Sample(int(m[2]), int(m[3]), float(m[4]), int(m[5]))
                samples.append(current)
                inlined = []
        elif current is not None and (f := FRAME.match(line)):
            if f[2] == "inlined":
                inlined.append(f[1])
            else:
                current.stack.extend((symbol, f[2]) for symbol in inlined)
                current.stack.append((f[1], f[2]))
                inlined = []
    return samples


def summarize(samples: list[Sample], top: int, unit: str) -> dict[str, Any]:
    total = sum(s.period for s in samples) or 1
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    for s in samples:
        for frame in {symbol for symbol, _ in s.stack}:
            inclusive[frame] += s.period
        if s.stack:
            own[s.stack[0][0]] += s.period
        buckets[bucket_of(s.stack)] += s.period
    return {
        "unit": unit,
        "samples": len(samples),
        "total": total,
        "top": [
            {"function": f, "inclusive": 100 * n / total, "self": 100 * own.get(f, 0) / total}
            for f, n in inclusive.most_common()
            if not GENERIC.match(normalize(f))
        ][:top],
        "buckets": {k: 100 * v / total for k, v in buckets.most_common()},
    }


# --------------------------------------------------------------------------------------------
# callgrind


# "  1,234 (12.34%)  file:function [object]": the file has no "::", the function may.
CALLGRIND_LINE = re.compile(
    r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(?:[^\s:]*:(?!:))?(.+?)(?:\s+\[[^\]]*\])?\s*$"
)


def callgrind_summary(out: Path, top: int) -> dict[str, Any]:
    """callgrind_annotate's inclusive and self lists. Callgrind counts instructions and keeps
    no stack per event, so the buckets come from each function's self cost."""

    def annotate(inclusive: bool) -> list[tuple[str, float]]:
        text = subprocess.run(
            [
                "callgrind_annotate",
                f"--inclusive={'yes' if inclusive else 'no'}",
                "--threshold=100",
                "--auto=no",  # no annotated source lines after the function list
                str(out),
            ],
            capture_output=True,
            text=True,
            errors="replace",
            check=True,
        ).stdout
        rows = []
        for line in text.splitlines():
            m = CALLGRIND_LINE.match(line)
            if m and "PROGRAM TOTALS" not in line:
                rows.append((m[3], float(m[2])))
        return rows

    # A function can be listed once per source file its code comes from (inlining): self
    # costs add up, inclusive costs overlap (the largest stands for the function).
    inclusive_by_name: dict[str, float] = {}
    for function, share in annotate(True):
        inclusive_by_name[function] = max(share, inclusive_by_name.get(function, 0.0))
    inclusive = sorted(inclusive_by_name.items(), key=lambda kv: -kv[1])
    own: Counter[str] = Counter()
    for function, share in annotate(False):
        own[function] += share
    buckets: Counter[str] = Counter()
    for function, share in own.items():
        buckets[bucket_of([(function, "")])] += share
    return {
        "unit": "instructions",
        "samples": 0,
        "total": 0,
        "top": [
            {"function": f, "inclusive": p, "self": own.get(f, 0.0)}
            for f, p in inclusive
            if not GENERIC.match(normalize(f))
        ][:top],
        "buckets": dict(buckets.most_common()),
    }


# --------------------------------------------------------------------------------------------
# Scenarios


@dataclass
class Scenario:
    name: str
    what: str
    client: str  # rust, python, node, or decrypt
    size: int = run.GOAL_SIZE
    mode: str = "warm"
    iterations: int = 200
    event: str = "cpu"  # cpu (time) or page-faults (memory)


SCENARIOS = [
    Scenario("rust-cold", "Rust core, cold get", "rust", mode="cold", iterations=40),
    Scenario("rust-warm", "Rust core, warm get", "rust"),
    Scenario("node-cold", "Node binding, cold get", "node", mode="cold", iterations=40),
    Scenario("node-warm", "Node binding, warm get", "node"),
    Scenario("python-warm", "Python binding, warm get", "python"),
    Scenario("go-warm", "Go binding, warm get", "go"),
    Scenario("decrypt", "decryption on all cores (the decrypt benchmark)", "decrypt"),
    Scenario(
        "node-memory",
        "Node binding, page faults of a warm client's gets",
        "node",
        iterations=3,
        event="page-faults",
    ),
    Scenario(
        "node-memory-5000",
        "Node binding, page faults of a warm client's gets",
        "node",
        size=5000,
        iterations=2,
        event="page-faults",
    ),
    Scenario(
        "go-memory",
        "Go binding, page faults of a warm client's gets",
        "go",
        iterations=3,
        event="page-faults",
    ),
    Scenario(
        "go-soak",
        "Go binding, the soak with and without glibc's per-thread caches",
        "go",
        event="soak",
    ),
]

# The soak scenario: its length, and glibc's per-thread caches (tcache: up to 7 freed chunks of
# each of 64 sizes up to 1 KiB, kept by each thread that allocates) turned off.
SOAK_SECONDS = 180
NO_TCACHE = {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=0"}


def soak_profile(b: Builds, server: run.Server) -> dict[str, Any]:
    """The Go soak of `make bench`, shorter, once as it runs and once without glibc's per-thread
    caches: how much of its growth in RSS and in malloc's bytes in use those caches are (they
    count as in use, fill up over time on each of Go's threads that call into the core, and are
    bounded)."""
    out: dict[str, Any] = {"seconds": SOAK_SECONDS}
    for variant, env in (("as_run", {}), ("no_tcache", NO_TCACHE)):
        go = run.Driver("go", "Go", "phasekit", "go", [str(b.go_driver)], env)
        with tempfile.TemporaryDirectory(prefix="phasekit-soak-") as tmp:
            result = soak.run_soak(
                server, Path(tmp), [go], "release", SOAK_SECONDS, print, bin_dir=b.bin_dir
            )
        r = result["bindings"]["go"]
        if r.get("failed"):
            raise RuntimeError(f"go-soak ({variant}) failed: {r['failed']}")
        f = soak.figures(result, r)
        out[variant] = {
            "growth_mb": f["growth_mb"],
            "in_use_growth_mb": f["parts_growth_mb"].get("heap_kb"),
            "in_use_by_window": soak.by_window(result, r["heap_kb"]),
            "threads": f["threads"],
        }
    return out


@dataclass
class Builds:
    bin_dir: Path  # get, decrypt, phasekit-server
    python_path: Path  # a directory holding the phasekit package
    node_addon: Path
    go_driver: Path


def driver_command(
    sc: Scenario, b: Builds, world: run.World, url: str, named_js: bool = True
) -> tuple[list, dict]:
    env = {}
    if sc.client == "rust":
        command = [str(b.bin_dir / "get")]
    elif sc.client == "go":
        command = [str(b.go_driver)]
    elif sc.client == "python":
        command = [sys.executable, str(HERE / "drivers" / "python_driver.py"), "--sdk", "phasekit"]
        env["PYTHONPATH"] = str(b.python_path)
    else:
        # Names of JIT-compiled JavaScript in /tmp/perf-PID.map, and interpreted frames on the
        # native stack, so that samples in the driver's code have a name (V8 also writes an
        # isolate-*-v8.log into the working directory).
        names = ["--perf-basic-prof", "--interpreted-frames-native-stack"] if named_js else []
        command = [
            shutil.which("node") or "node",
            *names,
            str(HERE / "drivers" / "node_driver.mjs"),
            "--sdk",
            "phasekit",
        ]
        env["NAPI_RS_NATIVE_LIBRARY_PATH"] = str(b.node_addon)
    command += [
        "--url",
        url,
        "--token",
        world.token,
        "--app",
        run.APP,
        "--app-id",
        world.app_id,
        "--env",
        run.ENV,
        "--mode",
        sc.mode,
        "--iterations",
        str(sc.iterations),
    ]
    return command, env


def recorder(tool: str, sc: Scenario, data: Path) -> list[str]:
    if tool == "callgrind":
        return [
            "valgrind",
            "--tool=callgrind",
            "--trace-children=no",
            f"--callgrind-out-file={data}",
        ]
    event = ["-e", "page-faults", "-c", "1"] if sc.event == "page-faults" else ["-F", str(HZ)]
    # DWARF stacks: neither the Rust libraries nor node keep frame pointers.
    return ["perf", "record", "-q", *event, "--call-graph", "dwarf,16384", "-o", str(data), "--"]


def timed_samples(samples: list[Sample], result: dict[str, Any], with_first: bool) -> list:
    """The samples of the timed gets (and of the warm client's first get: memory counts from
    the baseline on), which end with the last sample."""
    if not samples:
        return samples
    length_s = (sum(result["times_ms"]) + (result["first_ms"] or 0 if with_first else 0)) / 1e3
    end = max(s.time for s in samples)
    return [s for s in samples if s.time >= end - length_s]


def bench_gets(size: int) -> list[str]:
    """The warm process of `make bench` at this size: 1 untimed get, then the timed ones."""
    return ["--warmup", "1", "--iterations", "10" if size <= run.GOAL_SIZE else "4"]


def with_gets(command: list[str], gets: list[str]) -> list[str]:
    out = list(command)
    at = out.index("--iterations")
    del out[at : at + 2]
    return out + gets


# glibc raises its mmap threshold to the size of each large block freed (up to 32 MiB) and its
# trim threshold to twice that, so once a large answer (the response body, the record list) has
# been freed, later ones come from the arenas and freed pages stay resident. Fixed thresholds
# (setting either turns the adjustment off) show what that retention costs.
FIXED_THRESHOLDS = {"MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"}


def rss_added_mb(command: list[str], env: dict[str, str], runs: int = 3) -> float:
    """Median peak − baseline RSS of the driver, in MB, as the benchmark reports it."""
    added = []
    for _ in range(runs):
        proc = subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, **env}, check=True
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        added.append((result["peak_rss_kb"] - result["baseline_rss_kb"]) / 1024)
    return statistics.median(added)


# A process that does what the Node driver's warm process does (load the addon, one client,
# gets reading every field), and reports what its RSS growth is made of: file-backed pages
# (code of the addon and of node first run by the gets) and anonymous memory, the latter split
# into malloc's arenas (drivers/node_memory.mjs: the core's allocations) and the rest (V8's
# heap pages, stacks), and V8's heap by space (physical size, at its peak): the young
# generation, where each get's result is made, and the rest. With "gc", a full collection
# after each get (node --expose-gc) shows what the JS objects of earlier results keep alive.
NODE_MEMORY_PROBE = r"""
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import v8 from "node:v8";
const [pkg, memory, url, token, app, env, gets, collect] = process.argv.slice(1);
const { Client } = createRequire(pkg)("./index.js");
const { arenasKb: arenas } = await import(pathToFileURL(memory));
const status = () => Object.fromEntries(readFileSync("/proc/self/status", "ascii").split("\n")
  .map((l) => l.split(/:\s+/)).filter((kv) => kv.length === 2)
  .map(([k, v]) => [k, parseInt(v, 10)]));
const spaces = () => {
  let young = 0, rest = 0;
  for (const s of v8.getHeapSpaceStatistics())
    if (["new_space", "new_large_object_space"].includes(s.space_name))
      young += s.physical_space_size;
    else rest += s.physical_space_size;
  return { young: young / 1024, rest: rest / 1024 };
};
const base = status(), baseArenas = arenas(), baseSpaces = spaces();
const client = new Client({ token, host: url });
let peakYoung = baseSpaces.young, peakRest = baseSpaces.rest, n = 0, secrets = [];
for (let i = 0; i < Number(gets); i++) {
  secrets = await client.get({ app, env });
  for (const s of secrets) n += s.key.length + s.value.length + s.comment.length;
  const now = spaces();
  peakYoung = Math.max(peakYoung, now.young);
  peakRest = Math.max(peakRest, now.rest);
  if (collect === "gc") globalThis.gc();
}
const end = status();
console.log(JSON.stringify({ rss_added_kb: end.VmHWM - base.VmRSS,
  anon_added_kb: end.RssAnon - base.RssAnon, file_added_kb: end.RssFile - base.RssFile,
  heap_added_kb: peakYoung + peakRest - baseSpaces.young - baseSpaces.rest,
  young_added_kb: peakYoung - baseSpaces.young, arenas_added_kb: arenas() - baseArenas,
  secrets: secrets.length, chars: n }));
process.exit(0);
"""


def node_memory(
    world: run.World,
    url: str,
    b: Builds,
    gets: int,
    collect: bool,
    env: dict[str, str] | None = None,
) -> dict:
    """Medians over 3 processes of NODE_MEMORY_PROBE's figures, in MB."""
    runs = []
    for _ in range(3):
        proc = subprocess.run(
            [shutil.which("node") or "node"]
            + (["--expose-gc"] if collect else [])
            + ["--input-type=module", "-e", NODE_MEMORY_PROBE, str(REPO / "node" / "package.json")]
            + [str(HERE / "drivers" / "node_memory.mjs")]
            + [url, world.token, run.APP, run.ENV, str(gets), "gc" if collect else "-"],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {}), "NAPI_RS_NATIVE_LIBRARY_PATH": str(b.node_addon)},
            check=True,
        )
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {
        k.replace("_kb", "_mb"): statistics.median(r[k] for r in runs) / 1024
        for k in runs[0]
        if k not in ("chars", "secrets")
    } | {"secrets": runs[0]["secrets"]}


def go_heap(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """The Go driver's own heap during the benchmark's gets, from the runtime's GC trace
    (GODEBUG=gctrace=1: one line per collection, "A->B->C MB, D MB goal"): how many
    collections ran and the largest heap and goal, in MB. What the Go heap cannot explain of
    the RSS is C memory (the core's malloc arenas) and the runtime's own."""
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **env, "GODEBUG": "gctrace=1"},
        check=True,
    )
    cycles = re.findall(r"(\d+)->(\d+)->(\d+) MB, (\d+) MB goal", proc.stderr)
    return {
        "collections": len(cycles),
        "heap_mb": max((float(c[1]) for c in cycles), default=0.0),
        "goal_mb": max((float(c[3]) for c in cycles), default=0.0),
    }


# The split of a binding's warm get that the CPU profile cannot make: the call, reading key,
# value and comment of every secret (the bindings build those strings when they are read),
# and counting their UTF-8 bytes (the checksum of the drivers, which the Node and Python
# drivers time with the get, the Rust and Go drivers after it). Median ms over 40 gets.
NODE_SPLIT_PROBE = r"""
import { createRequire } from "node:module";
const [pkg, url, token, app, env] = process.argv.slice(1);
const { Client } = createRequire(pkg)("./index.js");
const client = new Client({ token, host: url });
await client.get({ app, env });
const t = { get_ms: [], read_ms: [], count_ms: [] };
for (let i = 0; i < 40; i++) {
  const t0 = performance.now();
  const secrets = await client.get({ app, env });
  const t1 = performance.now();
  const fields = secrets.map((s) => [s.key, s.value, s.comment]);
  const t2 = performance.now();
  let n = 0;
  for (const [k, v, c] of fields)
    n += Buffer.byteLength(k) + Buffer.byteLength(v) + Buffer.byteLength(c);
  const t3 = performance.now();
  t.get_ms.push(t1 - t0); t.read_ms.push(t2 - t1); t.count_ms.push(t3 - t2);
}
const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
console.log(JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]))));
process.exit(0);
"""
PYTHON_SPLIT_PROBE = r"""
import json, statistics, sys, time
import phasekit
url, token, app, env = sys.argv[1:5]
client = phasekit.Client(token, url)
client.get(app=app, env=env)
t = {"get_ms": [], "read_ms": [], "count_ms": []}
for _ in range(40):
    t0 = time.perf_counter()
    secrets = client.get(app=app, env=env)
    t1 = time.perf_counter()
    fields = [(s.key, s.value, s.comment) for s in secrets]
    t2 = time.perf_counter()
    n = sum(len(k.encode()) + len(v.encode()) + len(c.encode()) for k, v, c in fields)
    t3 = time.perf_counter()
    for k, d in (("get_ms", t1 - t0), ("read_ms", t2 - t1), ("count_ms", t3 - t2)):
        t[k].append(d * 1e3)
print(json.dumps({k: statistics.median(v) for k, v in t.items()}))
"""


def split(sc: Scenario, world: run.World, url: str, b: Builds) -> dict[str, float]:
    if sc.client == "node":
        command = [
            shutil.which("node") or "node",
            "--input-type=module",
            "-e",
            NODE_SPLIT_PROBE,
            str(REPO / "node" / "package.json"),
        ]
        env = {"NAPI_RS_NATIVE_LIBRARY_PATH": str(b.node_addon)}
    else:
        command = [sys.executable, "-c", PYTHON_SPLIT_PROBE]
        env = {"PYTHONPATH": str(b.python_path)}
    proc = subprocess.run(
        command + [url, world.token, run.APP, run.ENV],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def profile(
    sc: Scenario, tool: str, b: Builds, world: run.World, server: run.Server, top: int
) -> dict[str, Any]:
    url = server.url
    OUT.mkdir(parents=True, exist_ok=True)
    if sc.event == "soak":
        return {
            "name": sc.name,
            "what": sc.what,
            "tool": "soak",
            "size": soak.SECRETS,
            "soak": soak_profile(b, server),
            "recorded": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "commit": commit(),
        }
    data = OUT / f"{sc.name}.{'callgrind' if tool == 'callgrind' else 'perf'}.data"
    # perf would keep the previous recording as .old: these are tens of MB each.
    data.unlink(missing_ok=True)
    if sc.client == "decrypt":
        command = [str(b.bin_dir / "decrypt"), "--secrets", str(world.secrets_file), "--json"]
        # Calibrated measurements of ~0.3 s per candidate and round (~30 ms with --quick, for
        # callgrind's ~50× slower run).
        command += ["--rounds", "1", "--quick"] if tool == "callgrind" else ["--rounds", "3"]
        env: dict[str, str] = {}
    else:
        command, env = driver_command(sc, b, world, url)
        if tool == "callgrind":
            # ~50× slower: fewer gets. Callgrind cannot leave out the warm client's first get
            # (a cold one): 100 warm gets keep its share small.
            gets = 100 if sc.mode == "warm" else 4
            command[command.index("--iterations") + 1] = str(gets)
    proc = subprocess.run(
        recorder(tool, sc, data) + command,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=OUT,
    )
    for log in OUT.glob("isolate-*-v8.log"):
        log.unlink()
    if proc.returncode not in (0, 1) or not proc.stdout.strip():  # decrypt: 1 = goal missed
        raise RuntimeError(f"{sc.name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    info: dict[str, Any] = {"name": sc.name, "what": sc.what, "tool": tool, "size": sc.size}
    if tool == "callgrind":
        summary = callgrind_summary(data, top)
    else:
        rust_only = sc.client in ("rust", "decrypt")
        samples = perf_samples(data, inline=rust_only)
        for pid in {s.pid for s in samples}:
            Path(f"/tmp/perf-{pid}.map").unlink(missing_ok=True)  # node's JIT names, read
        if sc.client == "decrypt":
            # The "all cores (as get)" candidate: decrypt_records on the calling thread and the
            # chunks of its threads (inlined frames keep its name in both).
            samples = [s for s in samples if any("decrypt_records" in f for f, _ in s.stack)]
            info.update(
                fraction_of_limit=result["fraction_of_limit"],
                libsodium_scaling=result["libsodium_scaling"],
                single_thread_fraction=result["single_thread_fraction"],
            )
        else:
            samples = timed_samples(samples, result, with_first=sc.event == "page-faults")
            gets = len(result["times_ms"]) + (1 if sc.event == "page-faults" else 0)
            info.update(gets=gets, median_get_ms=statistics.median(result["times_ms"]))
        summary = summarize(samples, top, "page faults" if sc.event == "page-faults" else "ms")
        if sc.event == "cpu" and sc.client != "decrypt":
            info["cpu_ms_per_get"] = summary["total"] / 1e6 / max(1, info["gets"])
        if sc.event == "page-faults":
            info["faulted_mb"] = summary["total"] * os.sysconf("SC_PAGE_SIZE") / 2**20
    info.update(summary)
    if sc.event == "page-faults":
        # RSS as `make bench` measures it (its warm process's gets), once as it runs and once
        # with one malloc arena for all threads instead of one per thread that allocates.
        gets = bench_gets(sc.size)
        command, env = driver_command(sc, b, world, url, named_js=False)
        command = with_gets(command, gets)
        info["bench_gets"] = 2 + int(gets[-1])
        info["rss_added_mb"] = rss_added_mb(command, env)
        info["rss_added_mb_one_arena"] = rss_added_mb(command, {**env, "MALLOC_ARENA_MAX": "1"})
        info["rss_added_mb_fixed_thresholds"] = rss_added_mb(command, {**env, **FIXED_THRESHOLDS})
        # The same gets in the Rust driver: the core's own share, without a host runtime.
        rust, rust_env = driver_command(dataclasses.replace(sc, client="rust"), b, world, url)
        info["rust_rss_added_mb"] = rss_added_mb(with_gets(rust, gets), rust_env)
        if sc.client == "go":
            info["go_heap"] = go_heap(command, env)
        if sc.client == "node":
            info["memory"] = node_memory(world, url, b, info["bench_gets"], collect=False)
            info["memory_gc"] = node_memory(world, url, b, info["bench_gets"], collect=True)
            info["memory_fixed_thresholds"] = node_memory(
                world, url, b, info["bench_gets"], collect=False, env=FIXED_THRESHOLDS
            )
    elif sc.mode == "warm" and sc.client in ("node", "python") and tool == "perf":
        info["split"] = split(sc, world, url, b)
    info["recorded"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    info["commit"] = commit()
    (OUT / f"{sc.name}.json").write_text(json.dumps(info, indent=1))
    return info


def commit() -> str:
    """The checkout the profile ran, "-dirty" when it had changes."""
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=REPO
    )
    return described.stdout.strip()


def show(info: dict[str, Any]) -> None:
    if info["tool"] == "soak":
        for variant, f in info["soak"].items():
            if isinstance(f, dict):
                print(
                    f"== {info['name']} ({variant}, {info['soak']['seconds']} s): RSS growth "
                    f"{f['growth_mb']:+.2f} MB, malloc's bytes in use {f['in_use_growth_mb']:+.2f}"
                    f" MB ({f['in_use_by_window']}), threads {f['threads']}"
                )
        return
    unit = info["unit"]
    head = f"== {info['name']}: {info['what']} ({info['tool']}"
    if info["tool"] == "perf":
        head += f", {info['samples']:,} samples"
        if unit == "ms":
            head += f", {info['total'] / 1e6:,.0f} ms CPU"
    print(head + ")")
    if info.get("cpu_ms_per_get") is not None:
        print(
            f"   {info['gets']} timed gets of {info['size']:,} secrets: median "
            f"{info['median_get_ms']:.2f} ms wall, {info['cpu_ms_per_get']:.2f} ms CPU per get "
            f"(all threads)"
        )
    if "faulted_mb" in info:
        print(
            f"   {info['gets']} gets of {info['size']:,} secrets: {info['samples']:,} page faults "
            f"({info['faulted_mb']:.1f} MB first touched)\n"
            f"   with the benchmark's {info['bench_gets']} gets a client adds "
            f"{info['rss_added_mb']:.1f} MB RSS, {info['rss_added_mb_one_arena']:.1f} MB with "
            f"MALLOC_ARENA_MAX=1"
        )
    if "memory" in info:
        m, g = info["memory"], info["memory_gc"]
        print(
            f"   a process doing the same gets: +{m['rss_added_mb']:.1f} MB = anonymous "
            f"{m['anon_added_mb']:.1f} MB (malloc arenas {m['arenas_added_mb']:.1f} MB, V8's "
            f"heap {m['heap_added_mb']:.1f} MB, young generation {m['young_added_mb']:.1f} MB) "
            f"+ file-backed {m['file_added_mb']:.1f} MB; with a full GC after each get "
            f"+{g['rss_added_mb']:.1f} MB (young generation {g['young_added_mb']:.1f} MB)"
        )
    if "split" in info:
        t = info["split"]
        print(
            f"   without perf: get {t['get_ms']:.2f} ms, then reading key, value and comment "
            f"of every secret {t['read_ms']:.2f} ms, counting their bytes {t['count_ms']:.2f} ms"
        )
    if "fraction_of_limit" in info:
        print(
            f"   (this run: {info['fraction_of_limit']:.1%} of the X25519 limit, one thread "
            f"{info['single_thread_fraction']:.1%}, libsodium scales "
            f"{info['libsodium_scaling']:.2f}× over the cores)"
        )
    print("   inclusive    self  function")
    for row in info["top"]:
        function = row["function"]
        function = function if len(function) <= 110 else function[:107] + "..."
        print(f"   {row['inclusive']:8.1f}% {row['self']:6.1f}%  {function}")
    print(f"   where the {'page faults' if unit == 'page faults' else unit + ' of CPU'} go:")
    for bucket, share in info["buckets"].items():
        if share >= 0.05:
            print(f"   {share:8.1f}%  {bucket}")
    print(flush=True)


def perf_works() -> bool:
    """perf may be missing, or the container may refuse perf_event_open."""
    if not shutil.which("perf"):
        return False
    with tempfile.TemporaryDirectory() as tmp:
        probe = subprocess.run(
            ["perf", "record", "-q", "-o", f"{tmp}/probe.data", "--", "true"],
            capture_output=True,
        )
        return probe.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help=", ".join(s.name for s in SCENARIOS))
    # Absolute: the drivers run with the checkout as their directory, and node resolves a
    # relative NAPI_RS_NATIVE_LIBRARY_PATH from node/.
    parser.add_argument("--bin-dir", required=True, type=lambda p: Path(p).resolve())
    parser.add_argument("--python-path", required=True, type=lambda p: Path(p).resolve())
    parser.add_argument("--node-addon", required=True, type=lambda p: Path(p).resolve())
    parser.add_argument("--go-driver", required=True, type=lambda p: Path(p).resolve())
    parser.add_argument("--tool", choices=["perf", "callgrind"], default=None)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    chosen = [s for s in SCENARIOS if not args.scenarios or s.name in args.scenarios]
    unknown = set(args.scenarios) - {s.name for s in SCENARIOS}
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(sorted(unknown))}")
    tool = args.tool or ("perf" if perf_works() else "callgrind")
    if tool == "callgrind":
        if not shutil.which("valgrind"):
            sys.exit("profile: perf cannot record here and valgrind is not installed")
        # Page faults need perf.
        chosen = [s for s in chosen if s.event != "page-faults"]
    builds = Builds(args.bin_dir, args.python_path, args.node_addon, args.go_driver)
    print(f"profile: {tool}, scenarios {', '.join(s.name for s in chosen)}", flush=True)

    results = json.loads(SUMMARY.read_text()) if SUMMARY.is_file() else {}
    with tempfile.TemporaryDirectory(prefix="phasekit-profile-") as tmp:
        workdir = Path(tmp)
        server = run.Server(builds.bin_dir / "phasekit-server", workdir)
        try:
            for size in sorted({s.size for s in chosen}):
                world = run.seed_world(server, size, workdir)
                for sc in (s for s in chosen if s.size == size):
                    info = profile(sc, tool, builds, world, server, args.top)
                    show(info)
                    results[sc.name] = info
                    # After each: a failing scenario keeps the ones before it.
                    order = [known.name for known in SCENARIOS]
                    results = dict(
                        sorted(
                            results.items(),
                            key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order),
                        )
                    )
                    SUMMARY.write_text(json.dumps(results, indent=1))
        finally:
            server.stop()
    print(
        f"profile: {len(results)} profiles in {SUMMARY.relative_to(REPO)}; data in "
        f"{OUT.relative_to(REPO)}/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
