"""Python soak driver of the client benchmark (bench/soak.py; the protocol of every soak
driver is in bench/README.md, "Soak"): for --seconds, a watch polling every --watch-interval
seconds on a client of its own, --callers threads reading a client with a --cache-ttl cache
(pausing --pause seconds between gets, every answer checked against --expect-secrets and
--expect-checksum), and a sample of RSS, threads and open fds every second. Prints one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time

import phasekit
from python_driver import utf8_len


def sample() -> tuple[int, int, int]:
    """Resident memory (kB), threads and open file descriptors of this process."""
    fields = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            fields[name] = rest.split()
    return int(fields["VmRSS"][0]), int(fields["Threads"][0]), len(os.listdir("/proc/self/fd"))


class Tally:
    """Counters of the callers and the watch, and the first problem met (never a secret)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts = dict.fromkeys(
            ("gets", "wrong", "errors", "watch_events", "watch_wrong", "watch_errors"), 0
        )
        self.first_problem: str | None = None

    def count(self, name: str, problem: str | None = None) -> None:
        with self.lock:
            self.counts[name] += 1
            if problem is not None and self.first_problem is None:
                self.first_problem = problem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("url", "token", "app", "env", "rotating"):
        parser.add_argument(f"--{name}", required=True)
    for name in ("seconds", "watch-interval", "cache-ttl", "pause"):
        parser.add_argument(f"--{name}", type=float, required=True)
    for name in ("callers", "expect-secrets", "expect-checksum"):
        parser.add_argument(f"--{name}", type=int, required=True)
    args = parser.parse_args()
    expected = (args.expect_secrets, args.expect_checksum)
    tally = Tally()
    start = time.monotonic()
    deadline = start + args.seconds

    def on_change(change: phasekit.Change) -> None:
        if change.added or change.removed or change.changed != [args.rotating]:
            tally.count("watch_wrong", f"watch reported {change!r}")
        else:
            tally.count("watch_events")

    def on_error(error: phasekit.PhaseError) -> None:
        tally.count("watch_errors", f"watch: {error}")

    cached = phasekit.Client(args.token, args.url, cache_ttl=args.cache_ttl)
    watched = phasekit.Client(args.token, args.url)
    watch = watched.watch(
        app=args.app,
        env=args.env,
        interval=args.watch_interval,
        on_change=on_change,
        on_error=on_error,
    )

    def caller() -> None:
        while time.monotonic() < deadline:
            try:
                secrets = cached.get(app=args.app, env=args.env)
                got = (
                    len(secrets),
                    sum(utf8_len(s.key) + utf8_len(s.value) + utf8_len(s.comment) for s in secrets),
                )
                if got != expected:
                    tally.count("wrong", f"{got[0]} secrets, checksum {got[1]}")
            except phasekit.PhaseError as error:
                tally.count("errors", f"get: {error}")
            tally.count("gets")
            time.sleep(args.pause)

    callers = [threading.Thread(target=caller) for _ in range(args.callers)]
    for thread in callers:
        thread.start()
    samples = []
    tick = start
    while tick < deadline:
        time.sleep(max(0.0, tick - time.monotonic()))
        samples.append(sample())
        tick += 1.0
    for thread in callers:
        thread.join()
    watch.close()
    json.dump(
        {
            "driver": "python",
            "seconds": round(time.monotonic() - start, 3),
            "rss_kb": [s[0] for s in samples],
            "threads": [s[1] for s in samples],
            "fds": [s[2] for s in samples],
            **tally.counts,
            "first_problem": tally.first_problem,
        },
        sys.stdout,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
