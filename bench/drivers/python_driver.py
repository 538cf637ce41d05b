"""Python driver of the client benchmark: phasekit's binding or the official SDK (phase-dev).

    python python_driver.py --sdk phasekit|phase-dev --url URL --token TOKEN --app APP
        --app-id ID --env ENV --mode cold|warm --iterations N [--warmup K]
        [--cache-ttl SECONDS]

Run by bench/run.py with the interpreter of the venv that holds the SDK (the release wheel of
phasekit in .venv/bench-python, phase-dev in .venv/interop-python). The protocol is the one
of every driver (bench/README.md): cold = K untimed and N timed rounds of "new client, get
every secret"; warm = one client, its first get timed alone, then K untimed and N timed gets.
Prints one JSON object: times in ms, the number of secrets, a checksum of what was returned
(bytes of keys, values and comments), and RSS in kB before the first client and at the peak.
`--cache-ttl` (phasekit only) gives every client an in-memory cache of that many seconds
(`Client(..., cache_ttl=)`), so a warm client's repeated gets make no request; without it, no
cache.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any


def rss_kb(field: str) -> int:
    """VmRSS (current) or VmHWM (peak) of this process, in kB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def utf8_len(text: str | None) -> int:
    return len(text.encode("utf-8")) if text else 0


def phasekit_sdk(
    args: argparse.Namespace,
) -> tuple[Callable[[], Any], Callable[[Any], tuple[int, int]]]:
    import phasekit

    def new() -> Any:
        return phasekit.Client(args.token, args.url, cache_ttl=args.cache_ttl)

    def get(client: Any) -> tuple[int, int]:
        secrets = client.get(app=args.app, env=args.env)
        total = sum(utf8_len(s.key) + utf8_len(s.value) + utf8_len(s.comment) for s in secrets)
        return len(secrets), total

    return new, get


def phase_dev_sdk(
    args: argparse.Namespace,
) -> tuple[Callable[[], Any], Callable[[Any], tuple[int, int]]]:
    from phase import GetAllSecretsOptions, Phase

    def new() -> Any:
        return Phase(init=False, pss=args.token, host=args.url)

    def get(client: Any) -> tuple[int, int]:
        secrets = client.get_all_secrets(GetAllSecretsOptions(env_name=args.env, app_name=args.app))
        total = sum(utf8_len(s.key) + utf8_len(s.value) + utf8_len(s.comment) for s in secrets)
        return len(secrets), total

    return new, get


SDKS = {"phasekit": phasekit_sdk, "phase-dev": phase_dev_sdk}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdk", choices=sorted(SDKS), required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--app", required=True)
    parser.add_argument("--app-id", default=None)
    parser.add_argument("--env", required=True)
    parser.add_argument("--mode", choices=["cold", "warm"], required=True)
    parser.add_argument("--iterations", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--cache-ttl", type=float, default=None, metavar="SECONDS")
    args = parser.parse_args()
    if args.cache_ttl is not None and args.sdk != "phasekit":
        parser.error("--cache-ttl is an option of phasekit's client only")

    new, get = SDKS[args.sdk](args)  # imports the SDK: part of the baseline
    baseline = rss_kb("VmRSS:")
    times: list[float] = []
    first_ms = None
    result = (0, 0)
    if args.mode == "warm":
        start = time.perf_counter()
        client = new()
        result = get(client)
        first_ms = (time.perf_counter() - start) * 1e3
        for i in range(args.warmup + args.iterations):
            start = time.perf_counter()
            result = get(client)
            took = (time.perf_counter() - start) * 1e3
            if i >= args.warmup:
                times.append(took)
    else:
        for i in range(args.warmup + args.iterations):
            start = time.perf_counter()
            client = new()
            result = get(client)
            took = (time.perf_counter() - start) * 1e3
            close = getattr(client, "close", None)
            if close is not None:
                close()
            del client
            if i >= args.warmup:
                times.append(took)
    json.dump(
        {
            "driver": f"python-{args.sdk}",
            "mode": args.mode,
            "times_ms": [round(t, 3) for t in times],
            "first_ms": None if first_ms is None else round(first_ms, 3),
            "secrets": result[0],
            "checksum": result[1],
            "baseline_rss_kb": baseline,
            "peak_rss_kb": rss_kb("VmHWM:"),
        },
        sys.stdout,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
