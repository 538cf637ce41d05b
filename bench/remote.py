"""Two scenarios of the client benchmark behind bench/latency_proxy.py (bench/README.md, "What
is measured", 9. and 10.); bench/run.py calls `measure`, `check` and `report`.

- **Remote console**: every request waits the same time (100 ms: a Console far away), every
  client reads cold. phasekit's clients read twice: by name (the environment's id comes from
  the `/secrets/tokens/` answer, so the listing waits for it: two round trips one after the
  other) and by the app's and the environment's ids (the core sends both requests at once:
  one round trip). Goal: a cold get by ids costs at most 0.6x a client with two sequential
  requests, and is the lowest of every client; the same requests as by name.
- **First read of a new process**: the realistic server (45 ms tokens, 2 s listing). For each
  binding, one process fills an offline cache directory (a plain get), then new processes each
  make one client with that directory and `offline_max_age`, and time its first get: a young
  stored answer is served at once (source `offline`) while one refresh runs in the background.
  Goal: under 50 ms. The same first read without `offline_max_age` waits for the server.

`bench` is bench/run.py's module (the runner is a script: its helpers are passed in, not
imported, so that they are not loaded twice). Everything measured is plain data in
`Context.remote`, which save_raw/load_raw carry through results.json.
"""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from latency_proxy import LatencyProxy

REMOTE_MS = 100.0  # every request of the remote console
REMOTE_MS_SMOKE = 20.0
GOAL_BY_IDS_VS_SEQUENTIAL = 0.6
FIRST_READ_MAX_AGE_S = 300.0
GOAL_FIRST_READ_MS = 50.0
FIRST_READ_LISTING_MS_SMOKE = 200.0  # the smoke run's listing (its tokens: the real 45 ms / 10)

TOKENS = "GET /secrets/tokens/"
LISTING = "GET /secrets/"


def sizes(smoke: bool, run_sizes: list[int], goal_size: int) -> dict[int, list[str]]:
    """Which scenarios run at which size: the remote console at 10 secrets (latency alone) and at
    the goal size, the first read at the goal size (the realistic server's 1,000 secrets)."""
    if smoke:
        return {run_sizes[0]: ["remote", "first-read"]}
    plan = {s: ["remote"] for s in (10, goal_size) if s in run_sizes}
    if goal_size in run_sizes:
        plan[goal_size].append("first-read")
    return plan


def variant(driver: Any, suffix: str, label: str, flags: list[str]) -> Any:
    """The same driver with more flags, under its own name."""
    return dataclasses.replace(
        driver, name=f"{driver.name}-{suffix}", label=label, command=driver.command + flags
    )


def measure(
    bench: ModuleType,
    server: Any,
    world: Any,
    active: list[Any],
    scenarios: list[str],
    smoke: bool,
    workdir: Path,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Runs the scenarios at this world's size; returns their settings and runs as plain data."""
    out: dict[str, Any] = {"runs": []}
    phasekit = [d for d in active if d.family == "phasekit"]
    if "remote" in scenarios:
        delay = REMOTE_MS_SMOKE if smoke else REMOTE_MS
        out["remote_ms"] = delay
        # phasekit's clients by name: two requests one after the other, by construction.
        out["sequential"] = [d.name for d in phasekit]
        clients = []
        for d in active:
            clients.append(d)
            if d.family == "phasekit":
                clients.append(
                    variant(d, "ids", f"{d.label}, by ids", ["--env-id", world.env_id])
                )
        rounds, iterations, warmup = (1, 2, 0) if smoke else (3, 5, 1)
        with LatencyProxy(server.url, {"*": delay}) as proxy:
            log(f"bench: remote console at {world.size} secrets, {delay:g} ms per request")
            for r in range(rounds):
                for d in bench.rotated(clients, r):
                    run = bench.run_driver(
                        d, proxy.url, world, "cold", iterations, warmup, server, "remote", r
                    )
                    out["runs"].append(run.__dict__)
                    log(
                        f"  remote {world.size:>5} round {r + 1}/{rounds} {d.name:<13} cold: "
                        f"median {statistics.median(run.times_ms):9.2f} ms, "
                        f"{sum(run.requests.values())} requests / {run.gets} gets"
                    )
    if "first-read" in scenarios:
        delays = {
            "/secrets/tokens/": bench.REAL_TOKENS_MS / (10 if smoke else 1),
            "/secrets/": FIRST_READ_LISTING_MS_SMOKE if smoke else bench.REAL_SECRETS_MS,
        }
        out["first_read_ms"] = delays
        out["max_age_s"] = FIRST_READ_MAX_AGE_S
        processes = 2 if smoke else 8
        log(f"bench: first read of a new process at {world.size} secrets ({delays})")

        def first_read(d: Any, r: int) -> Any:
            # A proxy of its own for each process: leaving it waits for what the process
            # left in flight (a max_age read's background refresh), so that nothing of it is
            # counted as the next process's requests.
            with LatencyProxy(server.url, delays) as proxy:
                run = bench.run_driver(d, proxy.url, world, "cold", 1, 0, server, "first-read", r)
            out["runs"].append(run.__dict__)
            return run

        readers = []
        for d in phasekit:
            offline = ["--offline-dir", str(workdir / f"offline-{d.name}")]
            first_read(variant(d, "fill", d.label, offline), 0)
            max_age = ["--offline-max-age", f"{FIRST_READ_MAX_AGE_S:g}"]
            readers += [
                variant(d, "max-age", d.label, offline + max_age),
                variant(d, "offline", d.label, offline),
            ]
        for r in range(processes):
            for d in bench.rotated(readers, r):
                run = first_read(d, r)
                log(
                    f"  first read {world.size:>5} process {r + 1}/{processes} {d.name:<16} "
                    f"{run.times_ms[0]:9.2f} ms, source {run.source}, "
                    f"{sum(run.requests.values())} requests"
                )
    return out


def per_get(bench: ModuleType, runs: list[Any]) -> dict[str, float]:
    """Requests per get by endpoint (the processes make only cold gets), without zeros."""
    return {k: v for k, v in bench.requests_per_get(runs, [], "cold").items() if v}


def check(bench: ModuleType, data: dict[int, dict[str, Any]]) -> list[str]:
    """What must hold in any run, smoke or full (not the timing goals): every process read all
    the secrets and the same bytes; no get beat the latency it waits for (by name: two requests
    one after the other); by ids the same requests as by name; a max_age first read is served
    by the offline cache, with at most one refresh behind it; without max_age, by the network."""
    problems = []
    for size, at in data.items():
        runs = [bench.Run(**r) for r in at["runs"]]
        read = {(r.secrets, r.checksum) for r in runs}
        if len(read) != 1 or next(iter(read))[0] != size:
            problems.append(f"remote scenarios at {size}: clients read {sorted(read)}")
        remote = [r for r in runs if r.scenario == "remote"]
        delay = at.get("remote_ms", 0.0)
        for r in remote:
            floor = delay * (2 if r.client in at.get("sequential", []) else 1)
            if min(r.times_ms) < floor:
                problems.append(
                    f"remote console: {r.client} took {min(r.times_ms)} ms, less than the "
                    f"{floor:g} ms of latency it must wait for"
                )
        for r in [r for r in remote if r.client.endswith("-ids")]:
            by_name = r.client[: -len("-ids")]
            ids = per_get(bench, [x for x in remote if x.client == r.client])
            names = per_get(bench, [x for x in remote if x.client == by_name])
            if ids != names or ids != {TOKENS: 1.0, LISTING: 1.0}:
                problems.append(
                    f"remote console: {r.client} made {ids} per get, {by_name} {names} "
                    "(both must make one tokens and one listing request)"
                )
        for r in [r for r in runs if r.scenario == "first-read"]:
            young = r.client.endswith("-max-age")
            want = "offline" if young else "network"
            if r.source != want:
                problems.append(f"first read: {r.client} was served from {r.source}, not {want}")
            made = {k: v for k, v in r.requests.items() if v}
            allowed = (lambda n: n <= 1) if young else (lambda n: n == 1)
            if set(made) - {TOKENS, LISTING} or not all(
                allowed(made.get(e, 0)) for e in (TOKENS, LISTING)
            ):
                problems.append(f"first read: {r.client} made {made}")
    return problems


def decryption_time(ctx: Any, size: int) -> str:
    """What decrypting `size` secrets takes at the rate this run's decrypt benchmark measured."""
    if not ctx.decrypt:
        return ""
    rate = ctx.decrypt["core_decrypt_all"]["median"]
    return f" ({1e3 * size / rate:.1f} ms at the decryption rate measured in this run)"


def report(
    bench: ModuleType, ctx: Any, names: dict[str, Any]
) -> tuple[list[tuple[str, str, bool, str]], list[str], list[str]]:
    """Goal rows, explanations of missed goals, and the sections of RESULTS.md."""
    data = {int(k): v for k, v in (ctx.remote or {}).items()}
    goals: list[tuple[str, str, bool, str]] = []
    misses: list[str] = []
    lines: list[str] = []
    add = lines.append
    ms, summarize = bench.ms, bench.summarize
    for size in sorted(data):
        at = data[size]
        runs = [bench.Run(**r) for r in at["runs"]]
        remote = [r for r in runs if r.scenario == "remote"]
        if not remote:
            continue
        delay = at["remote_ms"]
        clients = list(dict.fromkeys(r.client for r in remote))
        cold = {c: summarize(bench.times([r for r in remote if r.client == c])) for c in clients}
        official = [c for c in clients if names.get(c) and names[c].family == "official"]
        add(f"## Remote console: {size:,} secrets, {delay:g} ms per request")
        add("")
        add(
            f"Every request waits {delay:g} ms on its way back (`bench/latency_proxy.py`, each "
            "connection served on its own thread, so requests sent together wait together); "
            "cold gets only (a new client per get). phasekit's clients read twice: by name "
            "(`/secrets/tokens/` first: the listing needs the environment's id from its "
            "answer, two round trips one after the other) and by the app's and the "
            "environment's ids (`--app-id`/`--env-id`: both requests go out together, one "
            "round trip). Median of every timed get, p25–p75 in brackets."
        )
        add("")
        add(
            "| client | cold median ms (p25–p75) | requests per get | vs the same client by "
            "name | " + " | ".join(f"vs {c}" for c in official) + " |"
        )
        add("|---|---:|---|---:|" + "---:|" * len(official))
        for c in clients:
            base = c[: -len("-ids")] if c.endswith("-ids") else c
            label = names[base].label + (", by ids" if c != base else "") if base in names else c
            s = cold[c]
            vs_name = f"{s.median / cold[base].median:.2f}×" if c != base else "–"
            row = [
                label,
                f"**{ms(s.median)}** ({ms(s.p25)}–{ms(s.p75)})",
                bench.fmt_requests(per_get(bench, [r for r in remote if r.client == c])),
                vs_name,
            ] + [f"{s.median / cold[o].median:.2f}×" for o in official]
            add("| " + " | ".join(row) + " |")
        add("")
        measured, all_ok = [], True
        for c in [c for c in clients if c.endswith("-ids")]:
            base = c[: -len("-ids")]
            label = names[base].label if base in names else base
            vs = {"by name": cold[c].median / cold[base].median}
            vs.update({o: cold[c].median / cold[o].median for o in official})
            worst = max(vs, key=lambda k: vs[k])
            others = [o for o in clients if o != c and not o.endswith("-ids")]
            lowest = all(cold[c].median < cold[o].median for o in others)
            ok = vs[worst] <= GOAL_BY_IDS_VS_SEQUENTIAL and lowest
            all_ok &= ok
            measured.append(
                f"{label.replace('phasekit ', '')} {ms(cold[c].median)} ms: {vs['by name']:.2f}× "
                f"by name" + (f", {vs[worst]:.2f}× {worst}" if worst != "by name" else "")
                + ("" if lowest else ", not the lowest")
            )
            if not ok:
                local = cold[base].median - 2 * delay
                misses.append(
                    f"- **{label}, cold get by ids at {delay:g} ms/request ({size:,} "
                    f"secrets)**: {vs[worst]:.2f}× {worst} instead of "
                    f"≤{GOAL_BY_IDS_VS_SEQUENTIAL}×"
                    + ("" if lowest else ", and not below every other client")
                    + f". One round trip instead of two saves {delay:g} ms; what the client "
                    f"spends besides waiting ({ms(local)} ms by name: transfer, decryption"
                    + decryption_time(ctx, size)
                    + f", results) is paid either way, so against itself by name the ratio is "
                    f"({delay:g} + {ms(local)}) / (2 × {delay:g} + {ms(local)}) at best."
                )
        if measured:
            goals.append(
                (
                    f"cold get at {delay:g} ms/request ≤{GOAL_BY_IDS_VS_SEQUENTIAL}× a "
                    f"two-sequential-request client, lowest of all ({size:,} secrets)",
                    "by ids: " + "; ".join(measured),
                    all_ok,
                    "",
                )
            )
            add(
                "A cold get by ids waits for one round trip where a client asking "
                "`/secrets/tokens/` first waits for two; the requests are the same (the runner "
                "checks that a get by ids makes one of each, as by name)."
            )
            add("")

    for size in sorted(data):
        at = data[size]
        runs = [bench.Run(**r) for r in at["runs"] if r["scenario"] == "first-read"]
        if not runs:
            continue
        delays = at["first_read_ms"]
        add(f"## First read of a new process: {size:,} secrets, realistic server")
        add("")
        add(
            f"The realistic server's latencies ({ms(delays['/secrets/tokens/'])} ms for "
            f"`/tokens/`, {ms(delays['/secrets/'])} ms for `/secrets/`). For each binding one "
            "process fills an offline cache directory with a plain get; then new processes, "
            "taking turns, each load the SDK, make one client with that directory and time "
            f"its first get (client construction + get): with `offline_max_age` "
            f"{at['max_age_s']:g} s (`offlineMaxAge` in Node, `WithOfflineMaxAge` in Go) a "
            "stored answer younger than that is returned at once while one refresh runs in the "
            "background; without it the first read waits for the server (the environment's id "
            "is known from the cache, so its two requests overlap). Writes, dynamic secrets "
            "and strict freshness never take the offline answer."
        )
        add("")
        add(
            "| binding | with offline_max_age: median ms (p25–p75, max) | source | requests "
            "of the process | without it: median ms | saved |"
        )
        add("|---|---:|---|---|---:|---:|")
        bases = [r.client[: -len("-fill")] for r in runs if r.client.endswith("-fill")]
        measured, all_ok, plain_ms = [], True, []
        first: dict[str, float] = {}
        for base in bases:
            young = [r for r in runs if r.client == f"{base}-max-age"]
            plain = [r for r in runs if r.client == f"{base}-offline"]
            if not young or not plain:
                continue
            y, p = summarize(bench.times(young)), summarize(bench.times(plain))
            plain_ms.append(p.median)
            sources = ", ".join(sorted({str(r.source) for r in young}))
            label = names[base].label if base in names else base
            made = per_get(bench, young)
            add(
                f"| {label} | **{ms(y.median)}** ({ms(y.p25)}–{ms(y.p75)}, {ms(y.max)}) | "
                f"{sources} | {bench.fmt_requests(made)} | {ms(p.median)} | "
                f"{ms(p.median - y.median)} ms |"
            )
            ok = y.median < GOAL_FIRST_READ_MS and sources == "offline"
            all_ok &= ok
            measured.append(f"{label.replace('phasekit ', '')} {ms(y.median)} ms ({sources})")
            if not ok:
                rust = first.get("rust")
                misses.append(
                    f"- **{label}, first read of a new process ({size:,} secrets)**: "
                    f"{ms(y.median)} ms instead of <{GOAL_FIRST_READ_MS:.0f} ms (source "
                    f"{sources}). Nothing waits for the server: the read loads the stored "
                    f"session and listing from disk and decrypts {size:,} secrets"
                    + decryption_time(ctx, size)
                    + (
                        f"; the Rust core's first read takes {ms(rust)} ms, so "
                        f"{ms(y.median - rust)} ms are the binding's (its runtime, the "
                        "client's construction, the result objects)"
                        if rust is not None and y.median > rust
                        else ""
                    )
                    + "."
                )
            first[base] = y.median
        if measured:
            goals.append(
                (
                    f"first read of a new process <{GOAL_FIRST_READ_MS:.0f} ms with the offline "
                    f"cache and max_age ({size:,} secrets, {ms(delays['/secrets/'])} ms listing)",
                    "; ".join(measured)
                    + f" (without max_age: {ms(min(plain_ms))}–{ms(max(plain_ms))} ms)",
                    all_ok,
                    "",
                )
            )
        add("")
        add(
            "The requests column counts what reached the server while the process ran: the "
            "background refresh (one `/tokens/`, one `/secrets/`) is cut short when the "
            "process exits first, so it shows from 0 to 1 of each."
        )
        add("")
    return goals, misses, lines
