"""Python driver of the client benchmark: phasekit's binding or the official SDK (phase-dev).

    python python_driver.py --sdk phasekit|phase-dev --url URL --token TOKEN --app APP
        --app-id ID --env ENV --mode cold|warm --iterations N [--warmup K]
        [--cache-ttl SECONDS] [--env-id ID] [--offline-dir DIR [--offline-max-age SECONDS]]

Run by bench/run.py with the interpreter of the venv that holds the SDK (the release wheel of
phasekit in .venv/bench-python, phase-dev in .venv/interop-python). The protocol is the one
of every driver (bench/README.md): cold = K untimed and N timed rounds of "new client, get
every secret"; warm = one client, its first get timed alone, then K untimed and N timed gets.
Prints one JSON object: times in ms, the number of secrets, a checksum of what was returned
(bytes of keys, values and comments), and RSS in kB before the first client and at the peak.
`--cache-ttl` (phasekit only) gives every client an in-memory cache of that many seconds
(`Client(..., cache_ttl=)`), so a warm client's repeated gets make no request; without it, no
cache. phasekit only too: `--env-id` reads the app (`--app-id`) and the environment by id
(`get(app_id=, env=ENV_ID)`), so that a cold get sends its two requests together;
`--offline-dir` gives every client an offline cache there (`offline_cache_dir=`), and
`--offline-max-age` lets a new client serve a young stored answer at once (`offline_max_age=`);
then the JSON says where the last get's secrets came from (`source`).
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


# Where the last get's secrets came from (`GetResult.source`), when the driver asks for it.
last_source: list[str] = []


def phasekit_sdk(
    args: argparse.Namespace,
) -> tuple[Callable[[], Any], Callable[[Any], tuple[int, int]]]:
    import phasekit

    settings: dict[str, Any] = {"cache_ttl": args.cache_ttl}
    if args.offline_dir is not None:
        settings.update(offline_cache_dir=args.offline_dir, offline_max_age=args.offline_max_age)
    target = (
        {"app_id": args.app_id, "env": args.env_id}
        if args.env_id is not None
        else {"app": args.app, "env": args.env}
    )

    def new() -> Any:
        return phasekit.Client(args.token, args.url, **settings)

    def get(client: Any) -> tuple[int, int]:
        if args.offline_dir is None:
            secrets = client.get(**target)
        else:
            result = client.get_result(**target)
            last_source[:] = [result.source]
            secrets = result.secrets
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
    parser.add_argument("--env-id", default=None)
    parser.add_argument("--offline-dir", default=None)
    parser.add_argument("--offline-max-age", type=float, default=None, metavar="SECONDS")
    args = parser.parse_args()
    phasekit_only = ("cache_ttl", "env_id", "offline_dir", "offline_max_age")
    if args.sdk != "phasekit" and any(getattr(args, o) is not None for o in phasekit_only):
        parser.error("--cache-ttl, --env-id and --offline-* are options of phasekit's client only")
    if args.env_id is not None and args.app_id is None:
        parser.error("--env-id needs --app-id")
    if args.offline_max_age is not None and args.offline_dir is None:
        parser.error("--offline-max-age needs --offline-dir")

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
            "source": last_source[0] if last_source else None,
        },
        sys.stdout,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
