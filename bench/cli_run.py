#!/usr/bin/env python3
"""`phasekit run -- true` against the official `phase run -- true` (phase-cli 1.21.3), on the
same local server with 10 and 1,000 secrets (bench/run.py's generated seed): the wall time of
starting a program with its secrets, from process start to the child's exit. Writes
bench/CLI_RESULTS.md unless --no-write.

    python3 bench/cli_run.py [--phasekit PATH] [--phase PATH] [--repeats N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import APP, ENV, Server, seed_world  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TARGET = os.environ.get("TARGET", "x86_64-unknown-linux-gnu")
SIZES = (10, 1000)


def timed(command: list[str], env: dict[str, str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phasekit", default=str(REPO / "target" / TARGET / "debug" / "phasekit"))
    parser.add_argument("--phase", default=str(REPO / ".venv" / "phase-cli" / "bin" / "phase"))
    parser.add_argument("--server", default=str(REPO / "target" / TARGET / "debug" / "phasekit-server"))
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="phasekit-cli-bench-") as tmp:
        server = Server(Path(args.server), Path(tmp))
        try:
            for size in SIZES:
                world = seed_world(server, size, Path(tmp))
                env = {k: v for k, v in os.environ.items() if not k.startswith("PHASE_")}
                # phase-cli speaks plain http to the local server only with verification off.
                env.update(PHASE_HOST=server.url, PHASE_SERVICE_TOKEN=world.token, PHASE_VERIFY_SSL="False")
                scope = ["--app", APP, "--env", ENV]
                ours = timed([args.phasekit, "run", *scope, "--", "true"], env, args.repeats)
                theirs = timed([args.phase, "run", *scope, "--generate-leases", "false", "true"],
                               env, args.repeats)
                rows.append((size, ours, theirs))
                print(f"{size:>5} secrets: phasekit {statistics.median(ours) * 1000:.0f} ms, "
                      f"phase {statistics.median(theirs) * 1000:.0f} ms (medians of {args.repeats})")
        finally:
            server.stop()
    if args.no_write:
        return 0
    build = "release" if "/release/" in args.phasekit else "debug"
    lines = [
        "# `phasekit run` and `phase run`",
        "",
        f"`python3 bench/cli_run.py` on {dt.date.today().isoformat()}: wall time of `phasekit run -- true`",
        f"(the {build} build) and of phase-cli 1.21.3's `phase run --generate-leases false true`, each",
        f"started {args.repeats} times per size against the local server (bench/run.py's generated secrets).",
        "Both fetch the session and the secrets, decrypt, resolve references and start the child;",
        "`phase` also starts a Python interpreter and runs the command through a shell.",
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at the end of the run.",
        "",
        "| secrets | phasekit median | phasekit min | phase median | phase min | phase / phasekit |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size, ours, theirs in rows:
        ratio = statistics.median(theirs) / statistics.median(ours)
        lines.append(
            f"| {size:,} | {statistics.median(ours) * 1000:.0f} ms | {min(ours) * 1000:.0f} ms | "
            f"{statistics.median(theirs) * 1000:.0f} ms | {min(theirs) * 1000:.0f} ms | {ratio:.1f}× |"
        )
    (REPO / "bench" / "CLI_RESULTS.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
