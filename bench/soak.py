"""The soak of the client benchmark: cost over time in every binding (bench/README.md, "Soak").

One process per binding (the Rust core, Python, Node, Go) runs for D seconds against the local
server, all four at the same time, each doing at once: a watch of the environment polling
every 10 ms, a client with a 100 ms in-memory cache read by 8 concurrent callers (threads; in
Node, async functions), every answer checked, and a sample of its own resident memory, threads
and open file descriptors every second. Meanwhile `rotate` (bench/src/bin/rotate.rs) changes
one secret every 2 s through a token that may write, keeping its length, so that the count and
checksum every reader expects stay true while each watch sees a change and each cache a new
value. bench/run.py calls `run_soak` at the end of its run and `goals`/`report` for RESULTS.md.
"""

from __future__ import annotations

import json
import statistics
import subprocess
from pathlib import Path
from typing import Any, Callable, Optional

import run
from startup import expected_checksum

BINDINGS = ("rust", "python", "node", "go")
SECRETS = 100  # a service's environment: what one process reads again and again
ROTATING_KEY = "SOAK_ROTATION"
WRITER_TOKEN = "soak-writer-token"
WATCH_INTERVAL_S = 0.01
CACHE_TTL_S = 0.1
CALLERS = 8
# Each caller pauses between gets, so that four processes on two cores leave CPU to the
# watches' polls and the server: a request handler's pace, not a CPU stress test.
PAUSE_S = 0.005
WRITE_EVERY_S = 2.0
GOAL_GROWTH_MB = 2.0


def length(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds >= 60 and seconds % 60 == 0 else f"{seconds} s"


def timing(seconds: int) -> tuple[int, int]:
    """(warm-up, window) in seconds: the samples before the warm-up's end do not count; growth
    is the median of the last window minus the median of the first window after warm-up."""
    return (60, 60) if seconds >= 300 else (max(1, seconds // 4), max(1, seconds // 4))


def soak_world(server: Any, workdir: Path) -> tuple[run.World, int, str]:
    """The soak's world: SECRETS secrets, one of them ROTATING_KEY, and a second service
    account that may write. Returns the world, the expected checksum and the writer's token."""
    secrets = run.make_secrets(SECRETS - 1) + [{"key": ROTATING_KEY, "value": f"rotation-{0:08}"}]
    seed = run.make_seed(secrets)
    seed["service_accounts"].append(
        {
            "name": "soak-writer",
            "role": "member",
            "access": {run.APP: [run.ENV]},
            "tokens": [{"name": WRITER_TOKEN}],
        }
    )
    answer = server.admin("PUT", "/_admin/world", seed)
    app = next(a for a in answer["state"]["apps"] if a["name"] == run.APP)
    world = run.World(
        SECRETS,
        answer["tokens"][run.TOKEN_NAME],
        app["id"],
        app["environments"][run.ENV],
        0.0,
        run.secrets_stats(secrets),
        workdir / "soak-secrets.json",
    )
    return world, expected_checksum(secrets), answer["tokens"][WRITER_TOKEN]


def soak_commands(drivers: list[Any], bin_dir: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """The soak program of each binding, launched as its benchmark driver is (same interpreter,
    venv, addon and environment)."""
    here = run.HERE / "drivers"
    out: dict[str, tuple[list[str], dict[str, str]]] = {}
    for d in drivers:
        if d.name not in BINDINGS or d.command is None:
            continue
        command = {
            "rust": [str(bin_dir / "soak")],
            "python": [d.command[0], str(here / "soak_python.py")],
            "node": [d.command[0], str(here / "soak_node.mjs")],
            "go": [d.command[0], "soak"],
        }[d.name]
        out[d.name] = (command, d.env)
    return out


def run_soak(
    server: Any,
    workdir: Path,
    drivers: list[Any],
    profile: str,
    seconds: int,
    log: Callable[[str], None],
    bin_dir: Optional[Path] = None,
) -> dict[str, Any]:
    """Every binding's soak at the same time, with the writer; their JSON results. The Rust
    soak program and the writer come from `bin_dir` (default: the benchmark's `profile`
    builds)."""
    bin_dir = bin_dir or run.REPO / "target" / run.TARGET / profile
    world, checksum, writer = soak_world(server, workdir)
    common = ["--url", server.url, "--app", run.APP, "--env", run.ENV]
    args = common + [
        "--token",
        world.token,
        "--seconds",
        str(seconds),
        "--callers",
        str(CALLERS),
        "--watch-interval",
        str(WATCH_INTERVAL_S),
        "--cache-ttl",
        str(CACHE_TTL_S),
        "--pause",
        str(PAUSE_S),
        "--expect-secrets",
        str(SECRETS),
        "--expect-checksum",
        str(checksum),
        "--rotating",
        ROTATING_KEY,
    ]
    rotate = bin_dir / "rotate"
    commands = {name: (c + args, env) for name, (c, env) in soak_commands(drivers, bin_dir).items()}
    # The writer's first change comes after WRITE_EVERY_S and its last a second before the end:
    # every change it makes happens while every watch runs.
    commands["rotate"] = (
        [str(rotate)]
        + common
        + ["--token", writer, "--key", ROTATING_KEY, "--every", str(WRITE_EVERY_S)]
        + ["--seconds", str(max(1, seconds - 1))],
        {},
    )
    log(
        f"bench: soak of {', '.join(n for n in commands if n != 'rotate')} for {seconds} s "
        f"({SECRETS} secrets, a write every {WRITE_EVERY_S:g} s)"
    )
    processes = {}
    for name, (command, env) in commands.items():
        stdout = open(workdir / f"soak-{name}.out", "w+")
        stderr = open(workdir / f"soak-{name}.err", "w+")
        processes[name] = (
            subprocess.Popen(
                command,
                stdout=stdout,
                stderr=stderr,
                env={**run.os.environ, **env},
                cwd=run.REPO,
            ),
            stdout,
            stderr,
        )
    results: dict[str, Any] = {}
    for name, (process, stdout, stderr) in processes.items():
        code = process.wait(timeout=seconds + 300)
        stdout.seek(0)
        stderr.seek(0)
        text, errors = stdout.read(), stderr.read()
        stdout.close()
        stderr.close()
        try:
            results[name] = json.loads(text.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            results[name] = {"failed": f"exit {code}: {(errors or text)[-800:]}"}
            continue
        if code != 0:
            results[name]["failed"] = f"exit {code}: {errors[-800:]}"
    warmup, window = timing(seconds)
    return {
        "seconds": seconds,
        "warmup": warmup,
        "window": window,
        "secrets": SECRETS,
        "callers": CALLERS,
        "watch_interval": WATCH_INTERVAL_S,
        "cache_ttl": CACHE_TTL_S,
        "pause": PAUSE_S,
        "write_every": WRITE_EVERY_S,
        "writer": results.pop("rotate"),
        "bindings": results,
    }


# The parts of a soak driver's memory it may sample each second besides its RSS, as a miss
# names them: malloc's bytes in use (Rust, through mallinfo2), V8's heap and malloc's arenas
# (Node, from process.memoryUsage() and /proc/self/smaps).
PARTS = {
    "heap_kb": "malloc's bytes in use",
    "v8_heap_kb": "V8's heap",
    "arenas_kb": "malloc's arenas (resident)",
}


def figures(soak: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    """One binding's figures: growth after warm-up (MB), threads and fds after warm-up, rate."""
    warmup, window = soak["warmup"], soak["window"]
    rss, threads, fds = r["rss_kb"], r["threads"], r["fds"]
    n = len(rss)  # sample i was taken i seconds after the start
    first = range(warmup, min(n, warmup + window))
    last = range(max(warmup, n - window), n)
    after = range(min(warmup, n - 1), n)

    def median_mb(values: list[int], where: range) -> float:
        return statistics.median(values[i] for i in where) / 1024 if where else 0.0

    def spread(values: list[int]) -> tuple[int, int]:
        kept = [values[i] for i in after]
        return (min(kept), max(kept)) if kept else (0, 0)

    # Flat: the fewest threads and descriptors of the last window are no more than the most of
    # the first one. One connection or worker thread more or less comes and goes (a pooled
    # connection replaced, a blocking thread started); what leaks raises the floor.
    flat = all(
        min(values[i] for i in last) <= max(values[i] for i in first)
        for values in (threads, fds)
        if first and last
    )
    return {
        "samples": n,
        "rss_start_mb": median_mb(rss, first),
        "rss_end_mb": median_mb(rss, last),
        "growth_mb": median_mb(rss, last) - median_mb(rss, first),
        # What the memory is made of, where the driver samples it (PARTS).
        "parts_growth_mb": {
            key: median_mb(r[key], last) - median_mb(r[key], first) for key in PARTS if r.get(key)
        },
        "rss_max_mb": max(rss) / 1024 if rss else 0.0,
        "threads": spread(threads),
        "fds": spread(fds),
        "flat": flat,
        "gets_per_s": r["gets"] / max(r["seconds"], 1e-9),
        "correct": not (r["wrong"] or r["errors"] or r["watch_wrong"] or r["watch_errors"]),
    }


def by_window(soak: dict[str, Any], values: list[int]) -> str:
    """Median (kB as MB) of each window of the run, in order: the trend behind the growth."""
    w = soak["window"]
    return ", ".join(
        f"{statistics.median(values[i : i + w]) / 1024:.1f}"
        for i in range(0, len(values) - w // 2, w)
    )


def problems(soak: dict[str, Any], bindings: list[str]) -> list[str]:
    """What makes the soak fail in any run: a binding that did not run through, a wrong answer
    or error, missing samples, no gets, no change seen by a watch, a writer that failed."""
    out = []
    writer = soak["writer"]
    if writer.get("failed") or writer.get("errors") or not writer.get("writes"):
        out.append(f"soak: the writer failed: {writer}")
    for name in bindings:
        r = soak["bindings"].get(name)
        if r is None or r.get("failed"):
            out.append(f"soak: {name} did not run through: {r and r.get('failed')}")
            continue
        bad = {k: r[k] for k in ("wrong", "errors", "watch_wrong", "watch_errors") if r[k]}
        if bad:
            out.append(f"soak: {name}: {bad}, first: {r['first_problem']}")
        if len(r["rss_kb"]) < soak["seconds"] or min(r["rss_kb"] + r["threads"] + r["fds"]) <= 0:
            out.append(f"soak: {name}: {len(r['rss_kb'])} samples in {soak['seconds']} s")
        if not r["gets"] or not r["watch_events"] or r["watch_events"] > writer.get("writes", 0):
            out.append(
                f"soak: {name}: {r['gets']} gets, {r['watch_events']} changes seen by the "
                f"watch for {writer.get('writes')} writes"
            )
    return out


def goals(
    soak: dict[str, Any], labels: dict[str, str], profiles: Optional[dict[str, Any]] = None
) -> tuple[list[tuple[str, str, bool, str]], list[str]]:
    rows, misses = [], []
    for name, r in soak.get("bindings", {}).items():
        if r.get("failed"):
            continue
        f = figures(soak, r)
        ok = f["growth_mb"] < GOAL_GROWTH_MB and f["flat"] and f["correct"]
        rows.append(
            (
                f"soak ({length(soak['seconds'])}, {soak['secrets']} secrets): RSS growth "
                f"<{GOAL_GROWTH_MB:g} MB, threads and fds flat, every answer correct",
                f"{labels.get(name, name)}: {f['growth_mb']:+.2f} MB, threads "
                f"{f['threads'][0]}–{f['threads'][1]}, fds {f['fds'][0]}–{f['fds'][1]}, "
                f"{r['gets']:,} gets and {r['watch_events']} changes, "
                f"{r['wrong'] + r['errors'] + r['watch_wrong'] + r['watch_errors']} wrong",
                ok,
                "",
            )
        )
        if not ok:
            misses.append(
                f"- **soak, {labels.get(name, name)}**: RSS {f['rss_start_mb']:.1f} MB after "
                f"warm-up, {f['rss_end_mb']:.1f} MB at the end ({f['growth_mb']:+.2f} MB); "
                f"threads {f['threads'][0]}–{f['threads'][1]}, fds {f['fds'][0]}–{f['fds'][1]}"
                f"{'' if f['flat'] else ' (more at the end than after warm-up, even at their fewest)'}; first "
                f"problem: {r['first_problem'] or 'none'}; median RSS of each "
                f"{soak['window']} s: {by_window(soak, r['rss_kb'])} MB"
                + "".join(
                    f"; {PARTS[key]} grew {grown:+.2f} MB over the same windows "
                    f"({by_window(soak, r[key])} MB)"
                    for key, grown in f["parts_growth_mb"].items()
                )
                + "."
                + soak_profile((profiles or {}).get(f"{name}-soak"))
            )
    return rows, misses


# glibc's per-thread cache at most: 7 chunks of each of its 64 sizes (32 to 1,040 bytes).
TCACHE_MB = 7 * sum(32 + 16 * i for i in range(64)) / 2**20


def soak_profile(p: Optional[dict[str, Any]]) -> str:
    """What `bench/profile.sh`'s soak of the binding with glibc's per-thread caches off says of
    its growth."""
    if not p:
        return ""
    as_run, off = p["soak"]["as_run"], p["soak"]["no_tcache"]
    return (
        f" Profile (`bench/profile.sh` {p['name']}, {p['recorded'][:10]}, code {p['commit']}; "
        f"{p['soak']['seconds']} s): as it runs, RSS {as_run['growth_mb']:+.2f} MB and malloc's "
        f"bytes in use {as_run['in_use_growth_mb']:+.2f} MB "
        f"({as_run['in_use_by_window']} MB); with glibc's per-thread caches off "
        f"(`GLIBC_TUNABLES=glibc.malloc.tcache_count=0`) RSS {off['growth_mb']:+.2f} MB and "
        f"bytes in use {off['in_use_growth_mb']:+.2f} MB "
        f"({off['in_use_by_window']} MB). Measured limit: the growth is those "
        f"caches filling (freed chunks each thread keeps, counted as in use) on the "
        f"{as_run['threads'][1]} threads that call into the core, at most 7 chunks of each of "
        f"64 sizes up to 1 KiB per thread (about {TCACHE_MB:.2f} MB, "
        f"{as_run['threads'][1] * TCACHE_MB:.1f} MB for all of them), not memory the core "
        f"holds."
    )


def report(soak: dict[str, Any], labels: dict[str, str]) -> list[str]:
    if not soak.get("bindings"):
        return []
    w = soak["writer"]
    L = [
        f"## Soak: {length(soak['seconds'])} in every binding",
        "",
        f"Each binding's process ran for {soak['seconds']} s, all at the same time, against the "
        f"local server with {soak['secrets']} secrets: a watch polling every "
        f"{1e3 * soak['watch_interval']:.0f} ms, a client with a {1e3 * soak['cache_ttl']:.0f} ms "
        f"in-memory cache read by {soak['callers']} concurrent callers (threads; async "
        f"functions in Node), each pausing {1e3 * soak['pause']:.0f} ms between gets, every "
        f"answer checked (count and checksum; every change the watch reports must be the "
        f"rotated secret). A writer changed one secret every {soak['write_every']:g} s "
        f"({w.get('writes', 0)} writes, {w.get('errors', 0)} failed). Each process sampled its "
        f"own RSS, threads and open file descriptors every second. **Growth** = median RSS of "
        f"the last {soak['window']} s minus the median of the {soak['window']} s after a "
        f"warm-up of {soak['warmup']} s; threads and fds: min–max after the warm-up, **flat** "
        f"when the fewest of the last {soak['window']} s are no more than the most of the "
        f"first {soak['window']} s after it (one connection or thread comes and goes; a leak "
        f"raises the floor).",
        "",
        "| binding | RSS after warm-up MB | RSS at the end MB | growth MB | peak MB | threads | "
        "fds | flat | gets/s | changes seen | wrong or failed |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for name, r in soak["bindings"].items():
        if r.get("failed"):
            L.append(f"| {labels.get(name, name)} | failed: {r['failed'][:200]} |")
            continue
        f = figures(soak, r)
        L.append(
            f"| {labels.get(name, name)} | {f['rss_start_mb']:.1f} | {f['rss_end_mb']:.1f} | "
            f"**{f['growth_mb']:+.2f}** | {f['rss_max_mb']:.1f} | {f['threads'][0]}–"
            f"{f['threads'][1]} | {f['fds'][0]}–{f['fds'][1]} | {'yes' if f['flat'] else 'no'} | "
            f"{f['gets_per_s']:,.0f} | {r['watch_events']} | "
            f"{r['wrong'] + r['errors'] + r['watch_wrong'] + r['watch_errors']} |"
        )
    L += [
        "",
        f"Median RSS of each {soak['window']} s (MB), from the start:",
        "",
    ]
    for name, r in soak["bindings"].items():
        if not r.get("failed"):
            L.append(f"- {labels.get(name, name)}: {by_window(soak, r['rss_kb'])}")
    parts = [(n, key, r) for n, r in soak["bindings"].items() for key in PARTS if r.get(key)]
    if parts:
        L += [
            "",
            "Next to it, what the memory is made of where the driver can tell: malloc's bytes "
            "handed out and not returned, over all arenas (`mallinfo2`, Rust); V8's heap and "
            "the resident pages of malloc's arenas (Node). When RSS grows and the bytes in use "
            "do not, the growth is memory malloc keeps (fragmentation, the high-water mark of "
            "concurrent gets), not a leak:",
            "",
        ]
        for name, key, r in parts:
            L.append(f"- {labels.get(name, name)}, {PARTS[key]}: {by_window(soak, r[key])}")
    L.append("")
    return L
