"""Process start, as serverless functions and command-line tools live (bench/README.md,
"Process start"): the wall time from spawning a process to its exit, where the process loads
the SDK (Python import, Node import/require, the Go and Rust programs' start), builds a client,
gets every secret once, prints a line of JSON (count and checksum) and exits. For Python and
Node that process is drivers/start.py or drivers/start.mjs, which load nothing but the SDK
(the benchmark's drivers import an argument parser that costs more than phasekit's import);
the Rust and Go programs are their drivers with `--mode cold --iterations 1`. Next to it, to say where a start goes: the bare runtime (`python -c
pass`, `node -e ""`) and the SDK's load alone. bench/run.py calls `measure_start` per size of
START_SIZES and `goals`/`report` for RESULTS.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from typing import Any, Callable, Optional

import run

START_SIZES = (10, 1000)
CLIENTS = ("rust", "python", "node", "go", "phase-dev", "phase-node")
GOAL_SIZE = 10
GOAL_VS = 5.0  # phasekit's binding against the official SDK of its language


def expected_checksum(secrets: list[dict[str, str]]) -> int:
    """What every driver prints as its checksum for these secrets: the UTF-8 bytes of their
    keys, values and comments."""
    return sum(len((s["key"] + s["value"] + s.get("comment", "")).encode()) for s in secrets)


def load_commands(d: Any) -> dict[str, list[str]]:
    """The bare runtime of a client and its SDK's load alone, as commands ({} for the Rust and
    Go programs, whose start is the program's)."""
    assert d.command is not None
    exe = d.command[0]
    node_dir = json.dumps(str(run.REPO / "node"))
    return {
        "python": {"runtime": [exe, "-c", "pass"], "load": [exe, "-c", "import phasekit"]},
        "phase-dev": {"load": [exe, "-c", "import phase"]},
        "node": {
            "runtime": [exe, "-e", ""],
            "load": [exe, "-e", f"require(require('path').join({node_dir}, 'index.js'))"],
        },
        "phase-node": {
            "load": [
                exe,
                "-e",
                f"import(require.resolve('@phase.dev/phase-node', {{ paths: [{node_dir}] }}))",
            ]
        },
    }.get(d.name, {})


# The start programs of the clients whose driver is a script (same options, nothing else loaded).
START_PROGRAMS = {"python_driver.py": "start.py", "node_driver.mjs": "start.mjs"}


def start_command(d: Any, url: str, world: Any) -> list[str]:
    """The command of one start of client `d`: its start program, or its driver."""
    command = run.driver_command(d, url, world, "cold", 1, 0)
    program = START_PROGRAMS.get(os.path.basename(command[1])) if len(command) > 1 else None
    if program:
        command = [command[0], str(run.HERE / "drivers" / program), *command[2:]]
    return command


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Milliseconds from spawn to exit, and what the process printed."""
    start = time.perf_counter()
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
        cwd=run.REPO,
    )
    took = (time.perf_counter() - start) * 1e3
    if proc.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return took, proc.stdout


def measure_start(
    url: str, world: Any, drivers: list[Any], repeats: int, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """`repeats` starts of every client, in an order rotated each round; at GOAL_SIZE also the
    bare runtimes and the SDKs' loads."""
    checksum = expected_checksum(run.make_secrets(world.size))
    clients = [d for d in drivers if d.name in CLIENTS and d.command is not None]
    samples = []
    for r in range(repeats):
        for d in run.rotated(clients, r):
            command = start_command(d, url, world)
            took, stdout = timed(command, d.env)
            out = json.loads(stdout.strip().splitlines()[-1])
            if (out["secrets"], out["checksum"]) != (world.size, checksum):
                raise RuntimeError(
                    f"process start: {d.name} read {out['secrets']} secrets, checksum "
                    f"{out['checksum']}; expected {world.size}, {checksum}"
                )
            samples.append(
                {
                    "size": world.size,
                    "client": d.name,
                    "kind": "start",
                    "ms": took,
                    "get_ms": out["times_ms"][0],
                }
            )
            if world.size == GOAL_SIZE:
                for kind, extra in load_commands(d).items():
                    samples.append(
                        {"size": 0, "client": d.name, "kind": kind, "ms": timed(extra, d.env)[0]}
                    )
    for d in clients:
        s = run.summarize(
            [x["ms"] for x in samples if x["client"] == d.name and x["kind"] == "start"]
        )
        log(
            f"  start {world.size:>5} {d.name:<13} median {s.median:8.1f} ms ({s.min:.1f}–{s.max:.1f})"
        )
    return samples


def summary(
    samples: list[dict[str, Any]], size: int, client: str, kind: str = "start"
) -> Optional[Any]:
    values = [
        x["ms"]
        for x in samples
        if x["client"] == client
        and x["kind"] == kind
        and x["size"] == (size if kind == "start" else 0)
    ]
    return run.summarize(values) if values else None


def get_inside(samples: list[dict[str, Any]], size: int, client: str) -> float:
    """The median of the driver's own timing of its client and get, in ms."""
    return float(
        run.statistics.median(
            x["get_ms"]
            for x in samples
            if (x["client"], x["size"], x["kind"]) == (client, size, "start")
        )
    )


def goals(
    samples: list[dict[str, Any]], labels: dict[str, str]
) -> tuple[list[tuple[str, str, bool, str]], list[str]]:
    rows, misses = [], []
    for binding, official in run.OFFICIAL_OF.items():
        ours, theirs = summary(samples, GOAL_SIZE, binding), summary(samples, GOAL_SIZE, official)
        if not ours or not theirs:
            continue
        ratio = theirs.median / ours.median
        ok = ratio >= GOAL_VS
        rows.append(
            (
                f"process start at {GOAL_SIZE} secrets ≥{GOAL_VS:g}× faster than {official}",
                f"{labels[binding]}: {ratio:.2f}× ({run.ms(ours.median)} ms, "
                f"{run.ms(ours.p25)}–{run.ms(ours.p75)}, vs {run.ms(theirs.median)} ms, "
                f"{run.ms(theirs.p25)}–{run.ms(theirs.p75)})",
                ok,
                "",
            )
        )
        if not ok:
            runtime = summary(samples, 0, binding, "runtime")
            load = summary(samples, 0, binding, "load")
            text = (
                f"- **process start vs {official}**: {ratio:.2f}× instead of ≥{GOAL_VS:g}× "
                f"({100 * (1 - ratio / GOAL_VS):.0f}% short)."
            )
            if runtime and load:
                text += (
                    f" Of its {run.ms(ours.median)} ms, the bare runtime takes "
                    f"{run.ms(runtime.median)} ms and loading the SDK "
                    f"{run.ms(max(0.0, load.median - runtime.median))} ms more; the bare "
                    f"runtime alone caps the ratio at {theirs.median / runtime.median:.1f}×."
                )
                inside = get_inside(samples, GOAL_SIZE, binding)
                rest = ours.median - load.median - inside
                text += (
                    f" The client and its get take {run.ms(inside)} ms of it, the process's "
                    f"exit and the start program's own lines {run.ms(rest)} ms."
                )
            misses.append(text)
    return rows, misses


def report(samples: list[dict[str, Any]], labels: dict[str, str], repeats: int) -> list[str]:
    if not samples:
        return []
    L = [
        "## Process start: load the SDK, new client, one get, exit",
        "",
        "Wall time from spawning a process to its exit (`time.perf_counter` around "
        "`subprocess.run`), where the process loads the SDK (Python `import`, Node "
        "`import`/`require`, the Rust and Go programs' own start), builds a client, gets every "
        "secret once, prints a line of JSON and exits: for Python and Node "
        "`bench/drivers/start.py` and `start.mjs`, which load nothing but the SDK, for Rust and "
        f"Go their benchmark driver with `--mode cold --iterations 1`. {repeats} starts per "
        "client and size, in an order rotated each round. \"the get inside\" is the process's "
        "own timing of client and get.",
        "",
    ]
    for size in sorted({x["size"] for x in samples if x["kind"] == "start"}):
        L += [
            f"### {size:,} secrets",
            "",
            "| client | median ms | p25–p75 | min–max | the get inside, median ms | "
            "vs phase-dev | vs phase-node |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        officials = {o: summary(samples, size, o) for o in ("phase-dev", "phase-node")}
        for client in CLIENTS:
            s = summary(samples, size, client)
            if not s:
                continue
            inside = get_inside(samples, size, client)
            vs = [
                f"{o.median / s.median:.1f}× faster" if o and name != client else "–"
                for name, o in officials.items()
            ]
            L.append(
                f"| {labels.get(client, client)} | **{run.ms(s.median)}** | {run.ms(s.p25)}–"
                f"{run.ms(s.p75)} | {run.ms(s.min)}–{run.ms(s.max)} | {run.ms(inside)} | "
                + " | ".join(vs)
                + " |"
            )
        L.append("")
    loads = [
        (c, summary(samples, 0, c, "runtime"), summary(samples, 0, c, "load")) for c in CLIENTS
    ]
    loads = [x for x in loads if x[2]]
    if loads:
        L += [
            f"Where a start at {GOAL_SIZE} secrets goes (medians, ms; the SDK's load alone is "
            "`python -c 'import …'` or `node -e` importing it):",
            "",
            "| client | bare runtime | SDK loaded | the whole start |",
            "|---|---:|---:|---:|",
        ]
        for client, runtime, load in loads:
            whole = summary(samples, GOAL_SIZE, client)
            L.append(
                f"| {labels.get(client, client)} | {run.ms(runtime.median) if runtime else '–'} | "
                f"{run.ms(load.median)} ({run.ms(load.min)}–{run.ms(load.max)}) | "
                f"{run.ms(whole.median) if whole else '–'} |"
            )
        L.append("")
    return L
