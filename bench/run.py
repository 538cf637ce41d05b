#!/usr/bin/env python3
"""The client benchmark: phasekit (Rust core, Python, Node and Go bindings) against the
official Phase SDKs, on the local phasekit-server. Standard library only.

    python3 bench/run.py                # the full run of `make bench`: writes bench/RESULTS.md
    python3 bench/run.py --smoke        # `make bench-smoke`: one small size, every client, a
                                        # couple of iterations, checks only (no RESULTS.md)

What it does (bench/README.md has the details):
1. starts phasekit-server and, per size (10, 100, 1,000, 5,000 secrets), replaces its world
   with a generated seed (realistic key/value sizes, a third with comments), timing the seeding;
2. per size, R rounds; in each round every client runs in its own process (a driver per
   language, bench/drivers/), once cold (a new client per get) and once warm (one client,
   repeated gets), in an order rotated each round so that noise hits every client alike; the
   server's request counters are reset around each process;
3. the 1,000-secret case again behind bench/latency_proxy.py with the latencies of a real
   self-hosted Phase Console (45 ms for /tokens/, 2.0 s for /secrets/);
4. the core's decryption throughput next to libsodium's X25519 rate (the `decrypt` binary);
   (and bench/remote.py: a Console 100 ms away, cold gets by name and by ids; the first read
   of a new process from the offline cache with max_age, behind the realistic server)
5. medians, spreads, ratios and goal verdicts into bench/RESULTS.md, raw samples into
   target/bench/results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import resource
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
# bench/startup.py and bench/soak.py `import run`: this module, not a second copy of it.
sys.modules.setdefault("run", sys.modules[__name__])
import callgrind  # noqa: E402
import remote  # noqa: E402
import soak  # noqa: E402
import startup  # noqa: E402
from latency_proxy import LatencyProxy  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "pysupport"))
from loopback import bypass_proxies_for_loopback  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET = (
    os.environ.get("TARGET")
    or subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True)
    .stdout.split("host: ")[1]
    .split()[0]
)

APP = "bench-app"
ENV = "Production"
TOKEN_NAME = "bench-token"

# The real self-hosted Phase Console the realistic scenario imitates (1,000 secrets).
REAL_TOKENS_MS = 45.0
REAL_SECRETS_MS = 2000.0
REAL_SDK_DECRYPT_S = 0.12  # phase-dev's own decryption of those 1,000 secrets there


def installed_versions() -> dict[str, str]:
    """The official SDKs' versions as installed (pinned by the interop suites' manifests)."""
    found = {"phase-dev": "?", "phase-node": "?"}
    for info in (REPO / ".venv" / "interop-python" / "lib").glob(
        "python3*/site-packages/phase_dev-*.dist-info"
    ):
        found["phase-dev"] = info.name[len("phase_dev-") : -len(".dist-info")]
    package = REPO / "node" / "node_modules" / "@phase.dev" / "phase-node" / "package.json"
    if package.is_file():
        found["phase-node"] = json.loads(package.read_text())["version"]
    return found


OFFICIAL_VERSIONS = installed_versions()

# Goals of issue 8, evaluated at 1,000 secrets.
GOAL_SIZE = 1000
GOAL_COLD_VS = {"phase-dev": 2.5, "phase-node": 5.0}
GOAL_WARM_VS = 20.0
GOAL_DECRYPT = 0.90
GOAL_BINDING_VS_CORE = 1.3
GOAL_CLIENT_MB = 15.0
GOAL_5000_MB = 60.0

# Timed and untimed repeated gets of a cached client in the latency scenario (cache hits).
CACHED_HITS = 20
CACHED_HITS_WARMUP = 2
# The in-memory cache of the "-cached" variants of the phasekit drivers (latency scenario only).
CACHE_TTL_S = 300

bypass_proxies_for_loopback()


# --------------------------------------------------------------------------------------------
# Clients


@dataclass
class Driver:
    """One client as the benchmark runs it: a command speaking the driver protocol."""

    name: str  # short id: rust, python, node, go, phase-dev, phase-node, rust-cached, ...
    label: str
    family: str  # "phasekit" or "official"
    language: str
    command: Optional[list[str]]
    env: dict[str, str] = field(default_factory=dict)
    missing: str = ""  # why it cannot run (then `command` is None)
    # Seconds of the client's in-memory cache (`--cache-ttl`), None without one. A cached
    # driver runs in the latency scenario only, and its repeated gets make no request.
    cache_ttl: Optional[float] = None
    base: str = ""  # the driver a cached one is a variant of (rust for rust-cached)


def drivers(profile: str) -> list[Driver]:
    """Every client, in table order. A client whose build is missing is listed with the reason.

    The Go driver (bench/drivers/go) is built by bench/build.sh: linked with the release static
    library of phasekit-ffi to target/bench/go/phasekit-bench-go, with the debug one of
    `make go` to target/bench/go/debug/phasekit-bench-go. PHASEKIT_BENCH_GO_DRIVER points the
    runner at any other executable that speaks the protocol of bench/README.md.

    Each phasekit driver also comes as NAME-cached: the same command with `--cache-ttl`
    (CACHE_TTL_S), listed after the official SDKs; only the latency scenario runs those.
    """
    out = REPO / "target" / TARGET / profile
    node = shutil.which("node") or "node"
    bench_python = REPO / ".venv" / ("bench-python" if profile == "release" else "python")
    sdk_python = REPO / ".venv" / "interop-python"
    result = []

    def add(
        name: str,
        label: str,
        family: str,
        language: str,
        command: list[str],
        needs: list[Path],
        env: Optional[dict[str, str]] = None,
        hint: str = "",
    ) -> None:
        absent = [p for p in needs if not p.exists()]
        if absent:
            result.append(
                Driver(
                    name, label, family, language, None, missing=f"not built: {absent[0]} ({hint})"
                )
            )
        else:
            result.append(Driver(name, label, family, language, command, env or {}))

    add(
        "rust",
        "phasekit Rust core",
        "phasekit",
        "Rust",
        [str(out / "get")],
        [out / "get"],
        hint="bench/build.sh",
    )
    def add_python(name: str, label: str, family: str, venv: Path, sdk: str) -> None:
        """The Python driver for `sdk`, run by the interpreter of `venv`."""
        python = venv / "bin" / "python"
        command = [str(python), str(HERE / "drivers" / "python_driver.py"), "--sdk", sdk]
        add(name, label, family, "Python", command, [python], hint="bench/build.sh")

    add_python("python", "phasekit Python binding", "phasekit", bench_python, "phasekit")
    node_env = {}
    if profile == "release":
        addon = REPO / "target" / "bench" / "node" / "phasekit.linux-x64-gnu.node"
        node_env["NAPI_RS_NATIVE_LIBRARY_PATH"] = str(addon)
    else:
        addon = REPO / "node" / "phasekit.linux-x64-gnu.node"
    add(
        "node",
        "phasekit Node binding",
        "phasekit",
        "Node",
        [node, str(HERE / "drivers" / "node_driver.mjs"), "--sdk", "phasekit"],
        [addon],
        env=node_env,
        hint="bench/build.sh",
    )
    go_built = REPO / "target" / "bench" / "go"
    go = Path(
        os.environ.get("PHASEKIT_BENCH_GO_DRIVER")
        or (go_built if profile == "release" else go_built / "debug") / "phasekit-bench-go"
    )
    add(
        "go",
        "phasekit Go binding",
        "phasekit",
        "Go",
        [str(go)],
        [go],
        hint="bench/build.sh" if profile == "release" else "make go, then bench/build.sh debug",
    )
    add_python(
        "phase-dev",
        f"phase-dev {OFFICIAL_VERSIONS['phase-dev']} (official Python SDK)",
        "official",
        sdk_python,
        "phase-dev",
    )
    add(
        "phase-node",
        f"@phase.dev/phase-node {OFFICIAL_VERSIONS['phase-node']} (official Node SDK)",
        "official",
        "Node",
        [node, str(HERE / "drivers" / "node_driver.mjs"), "--sdk", "phase-node"],
        [REPO / "node" / "node_modules" / "@phase.dev" / "phase-node"],
        hint="make node",
    )
    option = {"Rust": "cache_ttl", "Python": "cache_ttl", "Node": "cacheTtl", "Go": "WithCache"}
    for d in [d for d in result if d.family == "phasekit"]:
        result.append(
            Driver(
                f"{d.name}-cached",
                f"{d.label}, {option[d.language]} {CACHE_TTL_S} s",
                d.family,
                d.language,
                None if d.command is None else d.command + ["--cache-ttl", str(CACHE_TTL_S)],
                d.env,
                d.missing,
                cache_ttl=CACHE_TTL_S,
                base=d.name,
            )
        )
    return result


# The official SDK each binding is compared with (same language, same runtime).
OFFICIAL_OF = {"python": "phase-dev", "node": "phase-node"}


# --------------------------------------------------------------------------------------------
# Seeds: realistic secrets


SERVICES = [
    "DB",
    "POSTGRES",
    "REDIS",
    "STRIPE",
    "AWS",
    "GCP",
    "SENTRY",
    "SMTP",
    "AUTH0",
    "OAUTH",
    "JWT",
    "S3",
    "KAFKA",
    "RABBITMQ",
    "ELASTIC",
    "GITHUB",
    "SLACK",
    "TWILIO",
    "SENDGRID",
    "DATADOG",
    "MONGO",
    "CACHE",
    "API",
    "WEBHOOK",
    "PAYMENTS",
    "SEARCH",
    "CDN",
    "QUEUE",
    "ANALYTICS",
    "BILLING",
]
# (suffix, weight, kind of value)
THINGS = [
    ("HOST", 10, "host"),
    ("PORT", 6, "port"),
    ("USER", 6, "user"),
    ("PASSWORD", 9, "password"),
    ("URL", 10, "url"),
    ("API_KEY", 10, "apikey"),
    ("SECRET", 8, "apikey"),
    ("TOKEN", 8, "apikey"),
    ("REGION", 4, "region"),
    ("BUCKET", 3, "bucket"),
    ("TIMEOUT_MS", 4, "number"),
    ("ENABLED", 5, "bool"),
    ("CLIENT_ID", 5, "uuid"),
    ("CLIENT_SECRET", 4, "apikey"),
    ("DSN", 3, "url"),
    ("CONFIG_JSON", 3, "json"),
    ("PRIVATE_KEY", 1, "pem"),
    ("CA_CERT", 1, "pem"),
]
TEAMS = ["platform", "payments", "data", "growth", "infra", "security", "mobile", "search"]
COMMENTS = [
    "Rotated quarterly by the {team} team",
    "Owner: {team}; do not share outside the {team} channel",
    "Read-only credentials for the {svc} replica",
    "Used by the nightly export job, see runbook {n}",
    "Production value, staging uses a sandbox account",
    "Set when {svc} was migrated to the new cluster (ticket {team}-{n})",
    "Keep in sync with the {svc} dashboard settings",
    "Temporary until the {svc} integration moves to OAuth",
]
ALNUM = string.ascii_letters + string.digits
PASSWORD_CHARS = ALNUM + "!@#%^&*-_=+."


def _value(rng: random.Random, kind: str, svc: str) -> str:
    word = svc.lower().replace("_", "-")
    if kind == "host":
        return f"{word}-{rng.randint(1, 9)}.{rng.choice(['prod', 'eu1', 'us-east'])}.internal.example.com"
    if kind == "port":
        return str(rng.choice([5432, 6379, 443, 8080, 9092, 5672, 27017, 587]))
    if kind == "user":
        return f"{word}_{rng.choice(['app', 'svc', 'ro', 'admin'])}"
    if kind == "password":
        return "".join(rng.choice(PASSWORD_CHARS) for _ in range(rng.randint(16, 32)))
    if kind == "url":
        secret = "".join(rng.choice(ALNUM) for _ in range(rng.randint(16, 28)))
        return (
            f"{rng.choice(['postgres', 'redis', 'amqp', 'https'])}://{word}_app:{secret}@"
            f"{word}.internal.example.com:{rng.randint(1024, 65535)}/{word}_production"
        )
    if kind == "apikey":
        prefix = rng.choice(["sk_live_", "pk_live_", "ghp_", "xoxb-", "SG.", "AKIA", ""])
        return prefix + "".join(rng.choice(ALNUM) for _ in range(rng.randint(24, 56)))
    if kind == "region":
        return rng.choice(["eu-west-1", "us-east-1", "ap-southeast-2", "europe-west3"])
    if kind == "bucket":
        return f"acme-{word}-{rng.choice(['assets', 'backups', 'exports'])}-{rng.randint(100, 999)}"
    if kind == "number":
        return str(rng.choice([500, 1000, 2500, 5000, 30000]))
    if kind == "bool":
        return rng.choice(["true", "false"])
    if kind == "uuid":
        return "-".join(
            "".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)
        )
    if kind == "json":
        items: dict[str, Any] = {
            f"{word}_{k}": "".join(rng.choice(ALNUM) for _ in range(rng.randint(8, 24)))
            for k in ("id", "region", "tier", "owner", "endpoint")[: rng.randint(3, 5)]
        }
        items["retries"] = rng.randint(1, 5)
        return json.dumps(items)
    if kind == "pem":
        body = "".join(rng.choice(ALNUM + "+/") for _ in range(rng.randint(900, 1600)))
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        label = rng.choice(["PRIVATE KEY", "CERTIFICATE"])
        return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"
    raise ValueError(kind)


def make_secrets(count: int) -> list[dict[str, str]]:
    """`count` secrets with unique keys, deterministic per count; every third has a comment."""
    rng = random.Random(count)
    weights = [w for _, w, _ in THINGS]
    secrets = []
    for i in range(count):
        svc = rng.choice(SERVICES)
        thing, _, kind = rng.choices(THINGS, weights)[0]
        secret = {"key": f"{svc}_{thing}_{i + 1}", "value": _value(rng, kind, svc)}
        if i % 3 == 0:
            secret["comment"] = rng.choice(COMMENTS).format(
                team=rng.choice(TEAMS), svc=svc.lower(), n=rng.randint(10, 999)
            )
        secrets.append(secret)
    return secrets


def make_seed(secrets: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "organisation": "Bench",
        "apps": [{"name": APP, "environments": [ENV], "secrets": {ENV: secrets}}],
        "service_accounts": [
            {
                "name": "bench-sa",
                "role": "read_only",
                "access": {APP: [ENV]},
                "tokens": [{"name": TOKEN_NAME}],
            }
        ],
    }


def secrets_stats(secrets: list[dict[str, str]]) -> dict[str, float]:
    values = [len(s["value"].encode()) for s in secrets]
    keys = [len(s["key"]) for s in secrets]
    comments = [len(s["comment"]) for s in secrets if s.get("comment")]
    return {
        "value_median": statistics.median(values),
        "value_mean": statistics.mean(values),
        "value_max": max(values),
        "key_mean": statistics.mean(keys),
        "with_comment": len(comments),
        "x25519_per_secret": (2 * len(secrets) + len(comments)) / len(secrets),
    }


# --------------------------------------------------------------------------------------------
# The server


class Server:
    """phasekit-server on a free port; the admin API through urllib."""

    def __init__(self, binary: Path, workdir: Path) -> None:
        if not binary.is_file():
            sys.exit(f"phasekit-server not built: {binary} (bench/build.sh builds it)")
        seed_path = workdir / "initial-seed.json"
        seed_path.write_text(json.dumps(make_seed(make_secrets(1))))
        tokens_path = workdir / "tokens.json"
        self.log = open(workdir / "server.log", "wb")
        self.process = subprocess.Popen(
            [
                str(binary),
                "--port",
                "0",
                "--seed",
                str(seed_path),
                "--tokens-out",
                str(tokens_path),
            ],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                sys.exit(
                    f"phasekit-server exited with {self.process.returncode}:\n"
                    + (workdir / "server.log").read_text(errors="replace")
                )
            try:
                self.url = json.loads(tokens_path.read_text())["url"]
                break
            except (FileNotFoundError, json.JSONDecodeError, KeyError):
                if time.monotonic() > deadline:
                    self.process.kill()
                    sys.exit("phasekit-server did not start within 60 s")
                time.sleep(0.05)

    def admin(self, method: str, path: str, body: Any = None, timeout: float = 600) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@dataclass
class World:
    size: int
    token: str
    app_id: str
    env_id: str
    seed_seconds: float
    stats: dict[str, float]
    secrets_file: Path


def seed_world(server: Server, size: int, workdir: Path) -> World:
    secrets = make_secrets(size)
    start = time.perf_counter()
    answer = server.admin("PUT", "/_admin/world", make_seed(secrets))
    seconds = time.perf_counter() - start
    app = next(a for a in answer["state"]["apps"] if a["name"] == APP)
    # Plaintexts for the decryption benchmark, as `[{id, key, value, comment}]`.
    secrets_file = workdir / f"secrets-{size}.json"
    secrets_file.write_text(json.dumps([{"id": f"s{i}", **s} for i, s in enumerate(secrets)]))
    return World(
        size,
        answer["tokens"][TOKEN_NAME],
        app["id"],
        app["environments"][ENV],
        seconds,
        secrets_stats(secrets),
        secrets_file,
    )


def bearer(token: str) -> str:
    """The Authorization header every SDK derives from a pss_ token."""
    prefix, version, app_token = token.split(":")[:3]
    kind = "User" if prefix == "pss_user" else "ServiceAccount" if version == "v2" else "Service"
    return f"Bearer {kind} {app_token}"


def http_floor(url: str, world: World, repeats: int) -> dict[str, float]:
    """Median ms of a bare keep-alive GET of /tokens/ and of /secrets/ (no decryption, no
    parsing): what one request costs any client on this server and machine."""
    parts = url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(parts[0], int(parts[1]), timeout=120)
    out = {}
    for name, path, headers in (
        ("tokens", "/service/secrets/tokens/", {}),
        ("secrets", "/service/secrets/", {"Environment": world.env_id}),
    ):
        samples = []
        for _ in range(repeats + 1):
            start = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": bearer(world.token), **headers})
            response = conn.getresponse()
            body = response.read()
            samples.append((time.perf_counter() - start) * 1e3)
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        out[name] = statistics.median(samples[1:])
        out[f"{name}_bytes"] = len(body)
    conn.close()
    return out


# --------------------------------------------------------------------------------------------
# Running drivers


@dataclass
class Run:
    """One driver process."""

    scenario: str  # "local" or "latency"
    size: int
    client: str
    mode: str
    round: int
    times_ms: list[float]
    first_ms: Optional[float]
    secrets: int
    checksum: int
    baseline_kb: int
    peak_kb: int
    gets: int  # gets the process made, timed or not
    requests: dict[str, int]  # by endpoint, the whole process
    source: Optional[str] = None  # where the last get's secrets came from, when printed


def driver_command(
    driver: Driver, url: str, world: World, mode: str, iterations: int, warmup: int
) -> list[str]:
    """The command line of one driver process (the protocol of bench/README.md)."""
    assert driver.command is not None
    return driver.command + [
        "--url",
        url,
        "--token",
        world.token,
        "--app",
        APP,
        "--app-id",
        world.app_id,
        "--env",
        ENV,
        "--mode",
        mode,
        "--iterations",
        str(iterations),
        "--warmup",
        str(warmup),
    ]


def run_driver(
    driver: Driver,
    url: str,
    world: World,
    mode: str,
    iterations: int,
    warmup: int,
    server: Server,
    scenario: str,
    round_: int,
) -> Run:
    command = driver_command(driver, url, world, mode, iterations, warmup)
    server.admin("DELETE", "/_admin/requests")
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, **driver.env},
        cwd=REPO,
    )
    counts = server.admin("GET", "/_admin/requests")
    if proc.returncode != 0:
        raise RuntimeError(
            f"{driver.name} {mode} failed ({proc.returncode}):\n{proc.stderr}" f"{proc.stdout}"
        )
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise RuntimeError(
            f"{driver.name}: no JSON result ({error}):\n{proc.stdout}" f"{proc.stderr}"
        ) from error
    gets = warmup + iterations + (1 if mode == "warm" else 0)
    return Run(
        scenario,
        world.size,
        driver.name,
        mode,
        round_,
        out["times_ms"],
        out["first_ms"],
        out["secrets"],
        out["checksum"],
        out["baseline_rss_kb"],
        out["peak_rss_kb"],
        gets,
        dict(counts.get("by_endpoint", {})),
        out.get("source"),
    )


def rotated(items: list[Any], k: int) -> list[Any]:
    k %= max(1, len(items))
    return items[k:] + items[:k]


def measure(
    server: Server,
    url: str,
    world: World,
    active: list[Driver],
    rounds: int,
    iterations: int,
    warmup: int,
    scenario: str,
    log: Any,
) -> list[Run]:
    runs = []
    for r in range(rounds):
        modes = ["cold", "warm"] if r % 2 == 0 else ["warm", "cold"]
        for driver in rotated(active, r):
            for mode in modes:
                n, k = iterations, warmup
                if scenario == "latency" and driver.cache_ttl is not None and mode == "warm":
                    # Cache hits make no request, so there can be enough of them to leave the
                    # first ones (a JIT's cold code) untimed.
                    n, k = CACHED_HITS, CACHED_HITS_WARMUP
                run = run_driver(driver, url, world, mode, n, k, server, scenario, r)
                runs.append(run)
                log(
                    f"  {scenario} {world.size:>5} round {r + 1}/{rounds} {driver.name:<13} "
                    f"{mode}: median {statistics.median(run.times_ms):9.2f} ms, "
                    f"{sum(run.requests.values())} requests / {run.gets} gets, "
                    f"+{(run.peak_kb - run.baseline_kb) / 1024:.1f} MB"
                )
    return runs


# --------------------------------------------------------------------------------------------
# Statistics


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1), linear interpolation."""
    v = sorted(values)
    if len(v) == 1:
        return v[0]
    pos = q * (len(v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


@dataclass
class Summary:
    median: float
    p25: float
    p75: float
    min: float
    max: float
    n: int


def summarize(values: list[float]) -> Summary:
    return Summary(
        statistics.median(values),
        pct(values, 0.25),
        pct(values, 0.75),
        min(values),
        max(values),
        len(values),
    )


def select(runs: list[Run], scenario: str, size: int, client: str, mode: str) -> list[Run]:
    return [
        r for r in runs if (r.scenario, r.size, r.client, r.mode) == (scenario, size, client, mode)
    ]


def times(runs: list[Run]) -> list[float]:
    return [t for r in runs for t in r.times_ms]


def requests_per_get(runs: list[Run], cold_runs: list[Run], mode: str) -> dict[str, float]:
    """Requests per get by endpoint. A warm process's first get is a cold one: its share is
    taken from the cold processes of the same client."""
    total: dict[str, float] = {}
    for run in runs:
        for endpoint, n in run.requests.items():
            total[endpoint] = total.get(endpoint, 0) + n
    gets = sum(r.gets for r in runs)
    if mode == "cold":
        return {k: v / gets for k, v in total.items()}
    cold = requests_per_get(cold_runs, [], "cold") if cold_runs else {}
    repeated = gets - len(runs)  # one cold first get per warm process
    return {
        k: max(0.0, v - len(runs) * cold.get(k, 0.0)) / repeated
        for k, v in total.items()
        if v - len(runs) * cold.get(k, 0.0) > 1e-9
    }


def fmt_requests(per_get: dict[str, float]) -> str:
    def num(x: float) -> str:
        return f"{x:.0f}" if abs(x - round(x)) < 0.01 else f"{x:.2f}"

    total = sum(per_get.values())
    if not per_get:
        return "0"
    short = {"GET /secrets/tokens/": "tokens", "GET /secrets/": "secrets"}
    order = list(short)
    ranked = sorted(
        per_get.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 9, kv[0])
    )
    parts = [f"{num(v)} {short.get(k, k)}" for k, v in ranked]
    return f"{num(total)} ({', '.join(parts)})"


def ms(x: float) -> str:
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def mb(kb: float) -> str:
    return f"{kb / 1024:.1f}"


# --------------------------------------------------------------------------------------------
# Machine facts


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_ticks() -> tuple[float, float]:
    """(busy, total) seconds of all CPUs since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    hz = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / hz, sum(fields) / hz


def own_cpu_seconds() -> float:
    """CPU seconds of this runner and every child it has waited for (drivers, server)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def version_of(command: list[str]) -> str:
    try:
        return (
            subprocess.run(command, capture_output=True, text=True, timeout=30)
            .stdout.strip()
            .splitlines()[0]
        )
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --------------------------------------------------------------------------------------------
# Decryption throughput


def run_decrypt(binary: Path, world: World, quick: bool, rounds: int) -> dict[str, Any]:
    if not binary.is_file():
        raise RuntimeError(f"decrypt benchmark not built: {binary} (bench/build.sh)")
    command = [
        str(binary),
        "--secrets",
        str(world.secrets_file),
        "--json",
        "--rounds",
        str(rounds),
    ] + (["--quick"] if quick else [])
    proc = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if proc.returncode not in (0, 1):  # 1: the goal was missed, still a result
        raise RuntimeError(f"decrypt failed ({proc.returncode}):\n{proc.stderr}{proc.stdout}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------------------------
# Checks shared by the smoke run and the full run


def check_consistency(
    runs: list[Run], sizes: list[int], cached: frozenset[str] = frozenset()
) -> list[str]:
    """Every client must have read every secret of the size, and the same bytes, and asked the
    server for every get; except the repeated gets of the clients in `cached` (with an
    in-memory cache), which must have made no request at all."""
    problems = []
    for size in sizes:
        here = [r for r in runs if r.size == size]
        sums = {(r.client, r.secrets, r.checksum) for r in here}
        counts = {s for _, s, _ in sums}
        checks = {c for _, _, c in sums}
        if counts != {size}:
            problems.append(f"{size} secrets: clients returned {sorted(sums)}")
        elif len(checks) != 1:
            problems.append(
                f"{size} secrets: clients disagree on the bytes read: " f"{sorted(sums)}"
            )
    for run in runs:
        if not run.times_ms or run.peak_kb <= 0 or run.baseline_kb <= 0:
            problems.append(f"{run.client} {run.mode} at {run.size}: incomplete result")
        made = sum(run.requests.values())
        if run.client in cached and run.mode == "warm":
            # Only the first get asks the server: at most what a cold get of the same client
            # asked for, at least one request.
            cold = select(runs, run.scenario, run.size, run.client, "cold")
            first = max((sum(r.requests.values()) / r.gets for r in cold), default=made)
            if made < 1 or made > first:
                problems.append(
                    f"{run.client} warm at {run.size}: {made} requests for {run.gets} gets "
                    f"(a cold get made {first:g}): the cache did not serve its repeated gets"
                )
        elif made < run.gets:
            problems.append(
                f"{run.client} {run.mode} at {run.size}: {made} requests for {run.gets} gets"
            )
    return problems


# --------------------------------------------------------------------------------------------
# Report


@dataclass
class Context:
    started: dt.datetime
    finished: dt.datetime
    profile: str
    rounds: int
    iterations: dict[int, int]
    warmup: int
    latency_rounds: int
    latency_iterations: int
    all_drivers: list[Driver]
    worlds: dict[int, World]
    floors: dict[int, dict[str, float]]
    latency_floor: dict[str, float]
    latency: dict[str, float]
    runs: list[Run]
    decrypt: Optional[dict[str, Any]]
    load_start: str
    load_end: str
    other_cores: float
    versions: dict[str, str]
    wall_seconds: float
    # bench/profile.sh's summaries (target/bench/profile.json) by scenario, when recorded.
    profiles: dict[str, Any] = field(default_factory=dict)
    # bench/remote.py's scenarios (remote console, first read of a new process) by size.
    remote: Optional[dict[Any, Any]] = None
    # bench/startup.py's samples and repetitions, bench/soak.py's results.
    start_runs: list[dict[str, Any]] = field(default_factory=list)
    start_repeats: int = 0
    soak: dict[str, Any] = field(default_factory=dict)


def client_table(
    ctx: Context, scenario: str, size: int, mode: str, active: list[Driver]
) -> tuple[list[str], dict[str, Summary]]:
    rows = []
    sums: dict[str, Summary] = {}
    for d in active:
        rs = select(ctx.runs, scenario, size, d.name, mode)
        if rs:
            sums[d.name] = summarize(times(rs))
    rust = sums.get("rust")
    rows.append("| client | median ms | p25–p75 | min–max | requests per get | vs Rust core |")
    rows.append("|---|---:|---:|---:|---|---:|")
    for d in active:
        s = sums.get(d.name)
        if s is None:
            continue
        rs = select(ctx.runs, scenario, size, d.name, mode)
        cold = select(ctx.runs, scenario, size, d.name, "cold")
        per_get = requests_per_get(rs, cold, mode)
        vs = f"{s.median / rust.median:.2f}×" if rust else "–"
        rows.append(
            f"| {d.label} | **{ms(s.median)}** | {ms(s.p25)}–{ms(s.p75)} | "
            f"{ms(s.min)}–{ms(s.max)} | {fmt_requests(per_get)} | {vs} |"
        )
    return rows, sums


def cold_breakdown(ctx: Context, label: str, cold_ms: float, floor: dict[str, float]) -> str:
    """Where a cold get's time goes: the two bare requests, decryption at the measured rate,
    and the rest (client construction, session: the account key and environment keys).
    """
    requests_ms = floor.get("tokens", 0) + floor.get("secrets", 0)
    text = (
        f"{label}'s cold get takes {ms(cold_ms)} ms: its 2 requests take "
        f"{ms(requests_ms)} ms on the bare server"
    )
    if ctx.decrypt:
        decrypt_ms = 1e3 * GOAL_SIZE / ctx.decrypt["core_decrypt_all"]["median"]
        text += (
            f", decrypting {GOAL_SIZE:,} secrets {ms(decrypt_ms)} ms at the measured rate "
            f"(X25519-bound), which leaves {ms(max(0.0, cold_ms - requests_ms - decrypt_ms))} "
            f"ms for building the client, the session (account and environment keys) and "
            f"parsing"
        )
    return text + "."


def parallel_vs_libsodium(dec: dict[str, Any]) -> float:
    """The core's all-core decryption rate against libsodium's all-core X25519 rate ÷ X25519
    per secret, both measured in the same rounds: the core's share of what the machine's
    cores actually delivered."""
    ceiling = dec["libsodium_x25519_all"]["median"] / dec["x25519_per_secret"]
    return float(dec["core_decrypt_all"]["median"] / ceiling)


PROFILE_FILE = REPO / "target" / "bench" / "profile.json"


def load_profiles() -> dict[str, Any]:
    """bench/profile.sh's last summaries, which the report cites next to the missed goals."""
    try:
        return dict(json.loads(PROFILE_FILE.read_text()))
    except (OSError, json.JSONDecodeError):
        return {}


def profile_source(p: dict[str, Any]) -> str:
    """Which profile a sentence cites: tool, date and the code it ran."""
    when = p.get("recorded", "")[:10]
    code = f", code {p['commit']}" if p.get("commit") else ""
    tool = "perf" if p["tool"] == "perf" else "callgrind, instructions"
    return f"`bench/profile.sh` {p['name']}: {tool}, {when}{code}"


def top_buckets(p: dict[str, Any], n: int = 4, cpu_ms: Optional[float] = None) -> str:
    """The n largest shares of a profile, with milliseconds per get when cpu_ms is given."""
    parts = []
    for bucket, share in [(b, v) for b, v in p["buckets"].items() if v >= 0.5][:n]:
        extra = f", {cpu_ms * share / 100:.2f} ms" if cpu_ms is not None else ""
        parts.append(f"{bucket} {share:.0f}%{extra}")
    return "; ".join(parts)


def host_share(p: dict[str, Any], language: str) -> float:
    """Percent of a binding's profile spent in its host runtime (buckets "Node: ..." or
    "Python: ..."): building and reading the result objects, GC, the driver's own code."""
    return sum(v for k, v in p["buckets"].items() if k.startswith(f"{language}:"))


def cold_profile(ctx: Context, binding: str) -> str:
    p = ctx.profiles.get(f"{binding}-cold")
    if not p:
        return ""
    cpu = p.get("cpu_ms_per_get")
    return (
        f" Profile ({profile_source(p)}"
        + (f", {cpu:.1f} ms CPU per cold get over all threads, under perf" if cpu else "")
        + f"): {top_buckets(p)}."
    )


def decrypt_profile(ctx: Context) -> str:
    p = ctx.profiles.get("decrypt")
    if not p:
        return ""
    return (
        f" Profile of the all-cores decryption ({profile_source(p)}; that run: "
        f"{p['fraction_of_limit']:.1%} of the limit, libsodium scaled "
        f"{p['libsodium_scaling']:.2f}×): {top_buckets(p, 5)}."
    )


def warm_binding_profile(ctx: Context, d: Driver) -> str:
    """A binding's warm get against the core's, in CPU per get: how much of the difference is
    the host runtime (objects of the result, GC) and how much the core's own work."""
    p, r = ctx.profiles.get(f"{d.name}-warm"), ctx.profiles.get("rust-warm")
    if not p or not p.get("cpu_ms_per_get"):
        return ""
    cpu = p["cpu_ms_per_get"]
    host = host_share(p, d.language)
    text = (
        f" Profile ({profile_source(p)}): {cpu:.2f} ms CPU per warm get over all threads, "
        f"under perf"
    )
    if r and r.get("cpu_ms_per_get"):
        text += f" (the Rust core: {r['cpu_ms_per_get']:.2f} ms)"
    text += (
        f", of which {d.language}'s side {host:.0f}% ({cpu * host / 100:.2f} ms, "
        f"{1e3 * cpu * host / 100 / p['size']:.1f} µs per secret) and the core's work "
        f"{cpu * (100 - host) / 100:.2f} ms; largest parts: {top_buckets(p, 4, cpu)}."
    )
    t = p.get("split")
    if t:
        text += (
            f" Timed apart in the same session: the get {t['get_ms']:.2f} ms, reading key, "
            f"value and comment of the {p['size']:,} secrets {t['read_ms']:.2f} ms (the "
            f"binding makes those strings when they are read), counting their bytes "
            f"{t['count_ms']:.2f} ms (the {d.language} driver's checksum, inside its timed "
            f"get; the Rust and Go drivers count after the clock stops)."
        )
    return text


def memory_profile(ctx: Context, d: Driver, size: int) -> str:
    name = f"{d.name}-memory" + ("" if size == GOAL_SIZE else f"-{size}")
    p = ctx.profiles.get(name)
    if not p or "rss_added_mb" not in p:
        return ""
    goal = GOAL_CLIENT_MB if size == GOAL_SIZE else GOAL_5000_MB
    text = (
        f" Memory profile ({profile_source(p)}): with the benchmark's {p['bench_gets']} gets a "
        f"client added {p['rss_added_mb']:.1f} MB there, {p['rss_added_mb_one_arena']:.1f} MB "
        f"with `MALLOC_ARENA_MAX=1` (one malloc arena instead of one per thread that "
        f"allocates)"
    )
    fixed, rust = p.get("rss_added_mb_fixed_thresholds"), p.get("rust_rss_added_mb")
    if fixed is not None:
        text += (
            f", {fixed:.1f} MB with glibc's mmap and trim thresholds fixed at 128 KiB (glibc "
            f"raises them to the size of each large block freed, such as a response body or "
            f"the record list, after which later ones come from the arenas and their freed "
            f"pages stay resident)"
        )
    if rust is not None:
        text += f"; the Rust core's driver adds {rust:.1f} MB for the same gets"
    text += "."
    m, gc = p.get("memory"), p.get("memory_gc")
    if m and gc:
        text += (
            f" A process doing the same gets grew by {m['rss_added_mb']:.1f} MB: "
            f"{m['file_added_mb']:.1f} MB file-backed pages (code of node and of the addon run "
            f"for the first time by the gets) and {m['anon_added_mb']:.1f} MB anonymous memory"
        )
        if "arenas_added_mb" in m:
            text += (
                f": malloc's arenas {m['arenas_added_mb']:.1f} MB (the core's buffers, records "
                f"and memo, on the runtime's threads and the JS thread), V8's heap "
                f"{m['heap_added_mb']:.1f} MB at its peak, of which the young generation "
                f"{m['young_added_mb']:.1f} MB (where each get's JSON text and Secret objects "
                f"are made; V8 grows it while results survive scavenges)"
            )
        else:
            text += f", of which V8's heap {m['heap_added_mb']:.1f} MB"
        text += f"; with a full GC after each get {gc['rss_added_mb']:.1f} MB"
        if "young_added_mb" in gc:
            text += (
                f" (young generation {gc['young_added_mb']:.1f} MB, arenas "
                f"{gc['arenas_added_mb']:.1f} MB)"
            )
        text += "."
        kept = p.get("memory_fixed_thresholds")
        if kept:
            text += f" With fixed thresholds the arenas grew {kept['arenas_added_mb']:.1f} MB."
    g = p.get("go_heap")
    if g:
        text += (
            f" The Go heap stayed small: {g['collections']} "
            f"collection{'' if g['collections'] == 1 else 's'} in those gets, at most "
            f"{g['heap_mb']:.0f} MB of heap against a goal of {g['goal_mb']:.0f} MB (Go's "
            f"minimum), so the rest is C memory: the core's malloc arenas."
        )
    text += (
        f" The {p['faulted_mb']:.1f} MB of pages first touched during {p['gets']} gets: "
        f"{top_buckets(p, 4)}."
    )
    return text + memory_limit(p, goal, rust, fixed)


def memory_limit(
    p: dict[str, Any], goal: float, rust: Optional[float], fixed: Optional[float]
) -> str:
    """What stands between a memory figure and its goal, from the profile's measurements."""
    m = p.get("memory")
    if m and rust is not None:
        node_own = m["file_added_mb"] + m["heap_added_mb"]
        if goal - node_own < rust:
            return (
                f" Measured limit: node's code pages and V8's heap of the results alone come "
                f"to {node_own:.1f} MB, which leaves {goal - node_own:.1f} MB of the "
                f"{goal:.0f} MB for the core's response, records and memo, which take "
                f"{rust:.1f} MB in the Rust core's driver."
            )
    if fixed is not None and fixed < goal:
        return (
            f" Measured limit: what is over the goal is malloc's retention (with the "
            f"thresholds fixed, {fixed:.1f} MB); the thresholds are the host process's "
            f"settings, not a library's to change, and giving the pages back after each large "
            f"answer (`malloc_trim`) was measured to cost a quarter of a warm get "
            f"(bench/README.md, \"Profiles\")."
        )
    if fixed is not None and rust is not None:
        return (
            f" Measured limit: even without malloc's retention ({fixed:.1f} MB) the host's "
            f"side adds {fixed - rust:.1f} MB to the core's {rust:.1f} MB."
        )
    return ""


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def write_report(ctx: Context, path: Path) -> None:
    active = [d for d in ctx.all_drivers if d.command is not None]
    names = {d.name: d for d in ctx.all_drivers}
    cores = os.cpu_count() or 0
    sizes = sorted(ctx.worlds)
    L: list[str] = []
    add = L.append
    add("# Benchmark results")
    add("")
    add(
        f"Written by `make bench` (`bench/run.py`, method in [README.md](README.md)) on "
        f"{ctx.finished:%Y-%m-%d %H:%M} UTC; do not edit by hand, re-run it. "
        f"The run took {ctx.wall_seconds / 60:.1f} minutes."
    )
    add("")
    add("## Machine")
    add("")
    add(
        f"- **{cores} cores** (`nproc`), {cpu_model()}, "
        f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB RAM, "
        f"Linux {platform.release()}"
    )
    add(
        f"- load average (1, 5, 15 min) at the start {ctx.load_start}, at the end "
        f"{ctx.load_end}; processes other than the benchmark used **{ctx.other_cores:.2f} "
        f"cores** on average during the run"
        + (
            " (not quiet: expect noise; clients were interleaved so that it hits all alike)"
            if ctx.other_cores > 0.25
            else ""
        )
    )
    add("- " + "; ".join(f"{k} {v}" for k, v in ctx.versions.items()))
    add(
        f"- builds: {ctx.profile} (the Rust driver, phasekit-server, the Python wheel, "
        "the Node addon and the static library the Go driver links: "
        '`lto = "fat"`, one codegen unit)'
    )
    add("")

    # ---------------------------------------------------------------- goals
    g = GOAL_SIZE
    goals: list[tuple[str, str, bool, str]] = []  # goal, measured, ok, note
    misses: list[str] = []
    cold = {
        d.name: summarize(times(select(ctx.runs, "local", g, d.name, "cold")))
        for d in active
        if select(ctx.runs, "local", g, d.name, "cold")
    }
    warm = {
        d.name: summarize(times(select(ctx.runs, "local", g, d.name, "warm")))
        for d in active
        if select(ctx.runs, "local", g, d.name, "warm")
    }
    floor = ctx.floors.get(g, {})

    def speedup_goal(goal: str, medians: dict, binding: str, official: str, need: float) -> float:
        """Adds the goal row "`binding` at least `need` times faster than `official`" measured
        on `medians` (cold or warm) and returns the ratio."""
        ratio = medians[official].median / medians[binding].median
        measured = (
            f"{names[binding].label}: {ratio:.2f}× ({ms(medians[binding].median)} "
            f"vs {ms(medians[official].median)} ms)"
        )
        goals.append((goal, measured, ratio >= need, ""))
        return ratio

    for binding, official in OFFICIAL_OF.items():
        if binding in cold and official in cold:
            need = GOAL_COLD_VS[official]
            goal = f"cold get ≥{need}× faster than {official}"
            ratio = speedup_goal(goal, cold, binding, official, need)
            if ratio < need:
                misses.append(
                    f"- **cold get vs {official}**: {ratio:.2f}× instead of ≥{need}× "
                    f"({100 * (1 - ratio / need):.0f}% short). "
                    + cold_breakdown(ctx, names[binding].label, cold[binding].median, floor)
                    + cold_profile(ctx, binding)
                )
    for binding, official in OFFICIAL_OF.items():
        if binding in warm and official in warm:
            goal = f"warm get ≥{GOAL_WARM_VS:.0f}× faster than {official}'s repeated get"
            ratio = speedup_goal(goal, warm, binding, official, GOAL_WARM_VS)
            if ratio < GOAL_WARM_VS:
                bound = warm[official].median / floor["secrets"] if floor.get("secrets") else 0
                misses.append(
                    f"- **warm get vs {official}**: {ratio:.1f}× instead of ≥{GOAL_WARM_VS:.0f}× "
                    f"({100 * (1 - ratio / GOAL_WARM_VS):.0f}% short). A warm get still makes "
                    f"one `GET /secrets/` (the listing can change at any time, so it is not "
                    f"cached); the bare request for {g:,} secrets takes "
                    f"{ms(floor.get('secrets', 0))} ms here ({floor.get('secrets_bytes', 0) / 1e6:.2f} MB "
                    f"of JSON), which caps the ratio at about {bound:.0f}× for any client that "
                    f"makes that request; {names[binding].label} spends "
                    f"{ms(warm[binding].median - floor.get('secrets', 0))} ms above it "
                    f"(parsing, memo look-ups instead of X25519, building the result objects)."
                )
    if ctx.decrypt:
        dec = ctx.decrypt
        frac = dec["fraction_of_limit"]
        ok = frac >= GOAL_DECRYPT and not dec["debug_build"]
        goals.append(
            (
                f"decryption ≥{GOAL_DECRYPT:.0%} of cores × libsodium X25519 ÷ X25519 per "
                f"secret",
                f"{frac:.1%} ({dec['core_decrypt_all']['median']:,.0f} of "
                f"{dec['limit']:,.0f} secrets/s)",
                ok,
                "",
            )
        )
        if dec.get("instructions"):
            goals.append(callgrind.goal_row(dec["instructions"], GOAL_DECRYPT))
            misses += callgrind.misses(dec["instructions"], GOAL_DECRYPT)
        if not ok:
            scales = dec["libsodium_scaling"] >= 0.9 * dec["cores"]
            misses.append(
                f"- **decryption**: {frac:.1%} of the limit instead of ≥{GOAL_DECRYPT:.0%} "
                f"({100 * (1 - frac / GOAL_DECRYPT):.0f}% short). One thread reaches "
                f"{dec['single_thread_fraction']:.1%} of libsodium's single-core rate ÷ X25519 "
                f"per secret (the core's X25519 is faster than libsodium's), and on all cores "
                f"the core reaches {parallel_vs_libsodium(dec):.0%} of what libsodium's own X25519 "
                f"achieves on all cores in the same rounds; "
                + (
                    "so the loss is in the parallel split (threads started per get, uneven "
                    "chunks)."
                    if scales
                    else f"libsodium itself scales only {dec['libsodium_scaling']:.2f}× over "
                    f"{dec['cores']} cores here, so what limits it is the machine: its cores "
                    f"did not deliver {dec['cores']}× one core's rate during the run (shared "
                    f"vCPUs, other processes), which the limit assumes."
                )
                + decrypt_profile(ctx)
                + callgrind.timed_miss_note(dec.get("instructions"))
            )
    for mode, table in (("cold", cold), ("warm", warm)):
        if "rust" not in table:
            continue
        for d in active:
            if d.family != "phasekit" or d.name == "rust" or d.name not in table:
                continue
            ratio = table[d.name].median / table["rust"].median
            ok = ratio <= GOAL_BINDING_VS_CORE
            goals.append(
                (
                    f"{mode} get of a binding within {GOAL_BINDING_VS_CORE}× of the Rust "
                    f"core's",
                    f"{d.label}: {ratio:.2f}× ({ms(table[d.name].median)} vs "
                    f"{ms(table['rust'].median)} ms)",
                    ok,
                    "",
                )
            )
            if not ok:
                extra = table[d.name].median - table["rust"].median
                measured = warm_binding_profile(ctx, d) if mode == "warm" else ""
                misses.append(
                    f"- **{d.label}, {mode} get**: {ratio:.2f}× the Rust core's instead of "
                    f"≤{GOAL_BINDING_VS_CORE}× (+{ms(extra)} ms, {1e3 * extra / g:.1f} µs per "
                    f"secret"
                    + (
                        f").{measured}"
                        if measured
                        else "; `bench/profile.sh` measures where it goes)."
                    )
                )

    def added_mb(client: str, size: int) -> Optional[float]:
        ws = select(ctx.runs, "local", size, client, "warm")
        return statistics.median([r.peak_kb - r.baseline_kb for r in ws]) / 1024 if ws else None

    def memory_context(d: Driver, size: int) -> str:
        """What the growth is made of: the fixed part (smallest size) and the official SDK."""
        parts = []
        smallest = min(ctx.worlds)
        fixed = added_mb(d.name, smallest)
        if fixed is not None and smallest < size:
            parts.append(
                f"with {smallest} secrets it adds +{fixed:.1f} MB, so the rest grows with the "
                f"{size:,} results"
            )
        official = OFFICIAL_OF.get(d.name)
        theirs = added_mb(official, size) if official else None
        if official and theirs is not None:
            parts.append(f"{official} adds +{theirs:.1f} MB in the same run")
        return (" " + "; ".join(parts) + ".") if parts else ""

    for d in active:
        if d.family != "phasekit":
            continue
        added = added_mb(d.name, g)
        if added is not None:
            ok = added < GOAL_CLIENT_MB
            goals.append(
                (
                    f"a client adds <{GOAL_CLIENT_MB:.0f} MB RSS ({g:,} secrets, warm)",
                    f"{d.label}: +{added:.1f} MB",
                    ok,
                    "",
                )
            )
            if not ok:
                misses.append(
                    f"- **{d.label} RSS**: +{added:.1f} MB instead of <{GOAL_CLIENT_MB:.0f} MB "
                    f"({100 * (added / GOAL_CLIENT_MB - 1):.0f}% over)"
                    + (";" + memory_context(d, g) if memory_context(d, g) else ".")
                    + memory_profile(ctx, d, g)
                )
        added = added_mb(d.name, 5000)
        if added is not None:
            ok = added < GOAL_5000_MB
            goals.append(
                (
                    f"a 5,000-secret get peaks <{GOAL_5000_MB:.0f} MB above baseline",
                    f"{d.label}: +{added:.1f} MB",
                    ok,
                    "",
                )
            )
            if not ok:
                misses.append(
                    f"- **{d.label}, 5,000 secrets**: +{added:.1f} MB instead of "
                    f"<{GOAL_5000_MB:.0f} MB ({100 * (added / GOAL_5000_MB - 1):.0f}% over)"
                    + (";" + memory_context(d, 5000) if memory_context(d, 5000) else ".")
                    + memory_profile(ctx, d, 5000)
                )
    bench = sys.modules[__name__]
    remote_goals, remote_misses, remote_sections = remote.report(bench, ctx, names)
    goals += remote_goals
    misses += remote_misses
    labels = {d.name: d.label for d in ctx.all_drivers}
    for more_goals, more_misses in (
        startup.goals(ctx.start_runs, labels),
        soak.goals(ctx.soak, labels, ctx.profiles),
    ):
        goals += more_goals
        misses += more_misses
    add(f"## Goals (at {g:,} secrets unless a goal says otherwise, {cores} cores)")
    add("")
    if goals:
        add("| goal | measured | verdict |")
        add("|---|---|---|")
        for goal, measured, ok, _ in goals:
            add(f"| {goal} | {measured} | {verdict(ok)} |")
        add("")
        met = sum(ok for *_, ok, _ in goals)
        add(
            f"{met} of {len(goals)} met."
            + (" Where a goal is missed, by how much and what " "limits it:" if misses else "")
        )
        add("")
        L.extend(misses)
        if misses:
            add("")
    else:
        add(f"(no {g:,}-secret measurement in this run)")
        add("")

    # ---------------------------------------------------------------- tables
    add("## Get of all secrets, local server")
    add("")
    add(
        "Milliseconds per `get` of the whole environment, over all timed gets of all rounds. "
        "**Cold**: a new client for each get (session, keys, listing, decryption). **Warm**: "
        "the same client, repeated (the official SDKs' repeated get). Requests per get are "
        'counted by the server. "bare requests" is one keep-alive `GET` of `/tokens/` and of '
        "`/secrets/` without any decryption: the floor for a client making those requests."
    )
    add("")
    for size in sizes:
        w = ctx.worlds[size]
        fl = ctx.floors.get(size, {})
        add(f"### {size:,} secrets")
        add("")
        add(
            f"Seeding the server took {w.seed_seconds:.2f} s; values median "
            f"{w.stats['value_median']:.0f} B (mean {w.stats['value_mean']:.0f} B, max "
            f"{w.stats['value_max']:.0f} B), {w.stats['with_comment']:.0f} with a comment, "
            f"{w.stats['x25519_per_secret']:.2f} X25519 per secret; `/secrets/` answers "
            f"{fl.get('secrets_bytes', 0) / 1e3:,.0f} kB; bare requests: tokens "
            f"{ms(fl.get('tokens', 0))} ms, secrets {ms(fl.get('secrets', 0))} ms."
        )
        add("")
        for mode in ("cold", "warm"):
            rows, sums = client_table(ctx, "local", size, mode, active)
            if not sums:
                continue
            add(
                f"**{mode.capitalize()}** ({ctx.iterations[size]} timed gets per process after "
                f"{ctx.warmup} untimed, × {ctx.rounds} rounds)"
            )
            add("")
            L.extend(rows)
            add("")
            speedups = []
            for binding, official in OFFICIAL_OF.items():
                if binding in sums and official in sums:
                    speedups.append(
                        f"{names[binding].label} is "
                        f"**{sums[official].median / sums[binding].median:.1f}×** "
                        f"faster than {official}"
                    )
            if "rust" in sums:
                for official in ("phase-dev", "phase-node"):
                    if official in sums:
                        speedups.append(
                            f"the Rust core "
                            f"{sums[official].median / sums['rust'].median:.1f}× "
                            f"faster than {official}"
                        )
            if speedups:
                add("; ".join(speedups) + ".")
                add("")

    # ---------------------------------------------------------------- memory
    add("## Memory (peak RSS of each process)")
    add("")
    add(
        "Each driver reports its RSS after loading its SDK and before creating a client "
        "(baseline) and its peak (`VmHWM`). Warm processes: one client and its repeated gets. "
        "Medians over the rounds, MB."
    )
    add("")
    add("| client | baseline | " + " | ".join(f"peak − baseline, {s:,}" for s in sizes) + " |")
    add("|---|---:|" + "---:|" * len(sizes))
    for d in active:
        base = [r.baseline_kb for r in ctx.runs if r.client == d.name and r.scenario == "local"]
        if not base:
            continue
        cells = []
        for s in sizes:
            ws = select(ctx.runs, "local", s, d.name, "warm")
            cells.append(
                mb(statistics.median([r.peak_kb - r.baseline_kb for r in ws])) if ws else "–"
            )
        add(f"| {d.label} | {mb(statistics.median(base))} | " + " | ".join(cells) + " |")
    add("")

    # ---------------------------------------------------------------- decryption
    if ctx.decrypt:
        dec = ctx.decrypt
        add(f"## Decryption throughput ({dec['secrets']:,} secrets, {dec['cores']} cores)")
        add("")
        add(
            f"`target/{TARGET}/{ctx.profile}/decrypt`: the {dec['secrets']:,} secrets of the "
            f"benchmark encrypted to a fresh environment key; the core decrypts them as `get` "
            f"does (one chunk per core, `decrypt_record`, no memo), interleaved with libsodium "
            f"{dec['libsodium']}'s X25519 ({dec['rounds']} rounds, medians). Each secret costs "
            f"{dec['x25519_per_secret']:.2f} X25519 (key, value, comment when not empty)."
        )
        add("")
        add("| measurement | per second | spread (min–max) |")
        add("|---|---:|---:|")
        for key, unit in (
            ("libsodium_x25519_1", "X25519"),
            ("libsodium_x25519_all", "X25519"),
            ("core_decrypt_1", "secrets"),
            ("core_decrypt_all", "secrets"),
        ):
            row = dec[key]
            add(
                f"| {row['name']} | {row['median']:,.0f} {unit} | {row['min']:,.0f}–"
                f"{row['max']:,.0f} |"
            )
        add(
            f"| **limit**: {dec['cores']} × libsodium X25519 ÷ {dec['x25519_per_secret']:.2f} | "
            f"{dec['limit']:,.0f} secrets | |"
        )
        add("")
        add(
            f"The core decrypts **{dec['core_decrypt_all']['median'] / dec['cores']:,.0f} "
            f"secrets/s per core**, {dec['fraction_of_limit']:.1%} of the limit (goal "
            f"≥{GOAL_DECRYPT:.0%}); one thread reaches {dec['single_thread_fraction']:.1%} of "
            f"libsodium's single-core rate ÷ X25519 per secret; libsodium scales "
            f"{dec['libsodium_scaling']:.2f}× over {dec['cores']} cores on this machine, and "
            f"the core's decryption on all cores reaches {parallel_vs_libsodium(dec):.0%} of "
            f"libsodium's all-core X25519 rate ÷ X25519 per secret. At this rate {GOAL_SIZE:,} secrets take "
            f"{1e3 * GOAL_SIZE / dec['core_decrypt_all']['median']:.1f} ms to decrypt."
        )
        add("")
        if dec.get("instructions"):
            L.extend(callgrind.section(dec["instructions"]) + [""])

    # ---------------------------------------------------------------- latency
    lat = [r for r in ctx.runs if r.scenario == "latency"]
    if lat:
        size = lat[0].size
        add(f"## Realistic server: {size:,} secrets behind a real Console's latency")
        add("")
        add(
            f"A real self-hosted Phase Console answered `GET /service/secrets/` for 1,000 "
            f"secrets in about {REAL_SECRETS_MS / 1000:.1f} s and `/tokens/` in about "
            f"{REAL_TOKENS_MS:.0f} ms; the official Python SDK's own decryption took about "
            f"{REAL_SDK_DECRYPT_S:.2f} s there. Here every answer of the local server is delayed "
            f"by those figures ({REAL_TOKENS_MS:.0f} ms for `/tokens/`, "
            f"{REAL_SECRETS_MS:,.0f} ms for `/secrets/`) by `bench/latency_proxy.py`, because "
            f"the server's own latency injection takes one `latency_ms` with one "
            f"`path_prefix` and `/secrets/` is a prefix of `/secrets/tokens/` (see README.md). "
            f"{ctx.latency_rounds} rounds × {ctx.latency_iterations} timed gets per process "
            f"(a cached client's repeated gets: {CACHED_HITS} timed after {CACHED_HITS_WARMUP} "
            f"untimed, as they make no request); "
            f'"network floor" = the injected latency of the requests a get makes.'
        )
        add("")
        add(
            "| client | cold median ms | repeated get: median ms (min–max) | requests per "
            "repeated get | repeated get above its network floor | repeated get vs Rust core | "
            "official SDK vs its binding |"
        )
        add("|---|---:|---:|---|---:|---:|---:|")
        warm_lat = {
            d.name: summarize(times(select(ctx.runs, "latency", size, d.name, "warm")))
            for d in active
            if select(ctx.runs, "latency", size, d.name, "warm")
        }
        for d in active:
            cs = select(ctx.runs, "latency", size, d.name, "cold")
            ws = select(ctx.runs, "latency", size, d.name, "warm")
            if not cs or not ws:
                continue
            per_get = requests_per_get(ws, cs, "warm")
            net = (
                per_get.get("GET /secrets/tokens/", 0) * ctx.latency["/secrets/tokens/"]
                + per_get.get("GET /secrets/", 0) * ctx.latency["/secrets/"]
            )
            rep = warm_lat[d.name]
            vs = "–"
            binding = next((b for b, o in OFFICIAL_OF.items() if o == d.name), "")
            if binding in warm_lat:
                vs = f"{rep.median / warm_lat[binding].median:.2f}× slower"
            # A cached read is compared with the Rust core's cached read.
            rust = "rust" if d.cache_ttl is None else "rust-cached"
            vs_rust = f"{rep.median / warm_lat[rust].median:.2f}×" if rust in warm_lat else "–"
            add(
                f"| {d.label} | {ms(summarize(times(cs)).median)} | **{ms(rep.median)}** "
                f"({ms(rep.min)}–{ms(rep.max)}) | {fmt_requests(per_get)} | "
                f"{ms(rep.median - net)} | {vs_rust} | {vs} |"
            )
        add("")
        add(
            "Behind a 2-second listing, every client's repeated read without a cache costs at "
            "least one `GET /secrets/`, so the ratios of the local tables shrink to what the "
            "extra `/tokens/` requests and the local work add on top of the 2 s: the warm-get "
            "goal (≥20×) is about the client's own cost, which this scenario hides behind the "
            "server's."
        )
        add("")
        cached_rows = [d for d in active if d.cache_ttl is not None and d.name in warm_lat]
        if cached_rows:
            examples = ", ".join(
                f"{names[d.base].label} {ms(warm_lat[d.name].median)} ms instead of "
                f"{ms(warm_lat[d.base].median)} ms"
                for d in cached_rows
                if d.base in warm_lat
            )
            add(
                f"The rows with an in-memory cache ({cached_rows[0].cache_ttl:g} s: `cache_ttl` "
                f"of the Rust core and the Python binding, `cacheTtl` in Node, `WithCache` in "
                f"Go) serve a repeated read within the TTL from memory: it makes no request, "
                f"so it costs only the client's own work"
                + (f" ({examples})" if examples else "")
                + '; their cold get is an uncached one (a new client), and their "vs Rust '
                "core\" compares with the Rust core's cached read. The official SDKs cannot do "
                "this: they ask the server on every read. A TTL "
                "trades freshness for it: writes through the same client clear its cache, but "
                "a change made by anyone else shows only when the TTL has run out, unless the "
                "client `watch`es the environment or calls `refresh()`."
            )
            add("")

    L.extend(remote_sections)
    L.extend(startup.report(ctx.start_runs, labels, ctx.start_repeats))
    L.extend(soak.report(ctx.soak, labels))

    # ---------------------------------------------------------------- profiles
    if ctx.profiles:
        add("## Profiles")
        add("")
        add(
            "Recorded by `bench/profile.sh` (release builds with debug information, the "
            "benchmark's drivers and worlds; method in README.md), not by this run: each "
            "sample counts for the innermost part of the code its stack names. CPU per get "
            "adds up every thread of the process and is measured under perf (which copies "
            "each sample's stack), so it is above what the benchmark's processes use; page "
            "faults count the pages first touched."
        )
        add("")
        add("| profile | recorded | per get | largest parts |")
        add("|---|---|---:|---|")
        for name, p in ctx.profiles.items():
            if "buckets" not in p:
                continue  # not a sampled profile (the soak's): cited where its goal is missed
            if p.get("cpu_ms_per_get") is not None:
                per_get = f"{p['cpu_ms_per_get']:.2f} ms CPU"
            elif p.get("faulted_mb") is not None:
                per_get = f"{p['faulted_mb'] / p['gets']:.1f} MB first touched"
            else:
                per_get = "–"
            add(
                f"| {name}: {p['what']}, {p['size']:,} secrets | {profile_source(p)} | "
                f"{per_get} | {top_buckets(p, 5)} |"
            )
        add("")

    # ---------------------------------------------------------------- command line
    # `make bench` runs `make bench-cli` first (bench/cli_run.py writes CLI_RESULTS.md): its
    # table, the ratios of `phase run` to `phasekit run`, is repeated here.
    cli_results = HERE / "CLI_RESULTS.md"
    if cli_results.exists():
        add("## Command line: `phasekit run -- true` against phase-cli's `phase run -- true`")
        add("")
        table = [line for line in cli_results.read_text().splitlines() if line.startswith("|")]
        for line in table:
            add(line)
        add("")
        add("How it was measured: [CLI_RESULTS.md](CLI_RESULTS.md) (`make bench-cli`).")
        add("")

    # ---------------------------------------------------------------- not measured
    add("## Not measured")
    add("")
    for d in ctx.all_drivers:
        # A cached variant is missing when its driver is: one line for both.
        if d.command is None and not (d.base in names and names[d.base].command is None):
            add(f"- **{d.label}**: {d.missing}.")
    add(
        "- **The official Go SDK** (`github.com/phasehq/golang-sdk/v2`): the Go module proxy "
        "answers 403 for it, so it cannot be fetched here; its row stays empty until it can."
    )
    add(
        "- **The Swift binding**: its toolchain runs only inside the Debian trixie root of "
        "`make test-swift` (no Swift for this Debian), so no benchmark driver runs it; its suite "
        "there covers the same operations, 24 concurrent calls and a watch, without figures."
    )
    add("")
    add("## Raw data")
    add("")
    add(
        "Every process's samples, request counts and RSS: `target/bench/results.json` "
        "(not committed)."
    )
    path.write_text("\n".join(L) + "\n")


def save_raw(ctx: Context, path: Path) -> None:
    """Everything the report is made of, so that `--from-raw` can write it again."""
    data = {k: v for k, v in ctx.__dict__.items() if k not in ("all_drivers", "worlds", "runs")}
    data.update(
        started=ctx.started.isoformat(),
        finished=ctx.finished.isoformat(),
        cpu=cpu_model(),
        cores=os.cpu_count(),
        drivers=[d.__dict__ for d in ctx.all_drivers],
        worlds={
            s: {"seed_seconds": w.seed_seconds, "stats": w.stats} for s, w in ctx.worlds.items()
        },
        runs=[r.__dict__ for r in ctx.runs],
    )
    path.write_text(json.dumps(data, indent=1))


def load_raw(path: Path) -> Context:
    data = json.loads(path.read_text())
    return Context(
        started=dt.datetime.fromisoformat(data["started"]),
        finished=dt.datetime.fromisoformat(data["finished"]),
        profile=data["profile"],
        rounds=data["rounds"],
        iterations={int(k): v for k, v in data["iterations"].items()},
        warmup=data["warmup"],
        latency_rounds=data["latency_rounds"],
        latency_iterations=data["latency_iterations"],
        # A driver that did not run: why is a fact of the checkout back then, not of now.
        all_drivers=[
            Driver(**{**d, "missing": d["missing"] and "not built when this run was measured"})
            for d in data["drivers"]
        ],
        worlds={
            int(s): World(int(s), "", "", "", w["seed_seconds"], w["stats"], Path())
            for s, w in data["worlds"].items()
        },
        floors={int(k): v for k, v in data["floors"].items()},
        latency_floor=data["latency_floor"],
        latency=data["latency"],
        runs=[Run(**r) for r in data["runs"]],
        decrypt=data["decrypt"],
        load_start=data["load_start"],
        load_end=data["load_end"],
        other_cores=data["other_cores"],
        versions=data["versions"],
        wall_seconds=data["wall_seconds"],
        # The profiles cited when the run was measured, and any bench/profile.sh recorded
        # since (each cites its own date and commit).
        profiles={**(data.get("profiles") or {}), **load_profiles()},
        remote=data.get("remote"),
        start_runs=data.get("start_runs", []),
        start_repeats=data.get("start_repeats", 0),
        soak=data.get("soak", {}),
    )


# --------------------------------------------------------------------------------------------
# Main


def main() -> int:
    parser = argparse.ArgumentParser(description="phasekit client benchmark")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="one small size, every client, 2 iterations; no RESULTS.md",
    )
    parser.add_argument(
        "--profile",
        choices=["release", "debug"],
        default=None,
        help="which builds to run (default: release, debug with --smoke)",
    )
    parser.add_argument("--sizes", default=None, help="comma-separated (default 10,100,1000,5000)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--clients", default=None, help="comma-separated subset of drivers")
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument(
        "--no-remote", action="store_true", help="without the remote console and first read"
    )
    parser.add_argument(
        "--only-remote",
        action="store_true",
        help="only bench/remote.py's scenarios (with --sizes 10,1000: both of them)",
    )
    parser.add_argument("--no-decrypt", action="store_true")
    parser.add_argument("--no-start", action="store_true", help="skip the process start")
    parser.add_argument(
        "--soak-seconds",
        type=int,
        default=None,
        help="length of the soak (default 600, 20 with --smoke; 0: no soak)",
    )
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    parser.add_argument(
        "--from-raw",
        metavar="JSON",
        help="write the report again from a run's raw data (target/bench/results.json)",
    )
    args = parser.parse_args()
    if args.from_raw:
        write_report(load_raw(Path(args.from_raw)), Path(args.out))
        print(f"bench: wrote {args.out} from {args.from_raw}")
        return 0

    smoke = args.smoke
    profile = args.profile or ("debug" if smoke else "release")
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else ([10] if smoke else [10, 100, 1000, 5000])
    )
    rounds = args.rounds or (1 if smoke else 5)
    warmup = 0 if smoke else 1
    iterations = (
        {s: 2 for s in sizes}
        if smoke
        else {s: 20 if s <= 100 else 10 if s <= 1000 else 4 for s in sizes}
    )
    latency_size = sizes[0] if smoke else GOAL_SIZE
    latency = (
        {"/secrets/tokens/": REAL_TOKENS_MS / 10, "/secrets/": 50.0}
        if smoke
        else {"/secrets/tokens/": REAL_TOKENS_MS, "/secrets/": REAL_SECRETS_MS}
    )
    latency_rounds = 1 if smoke else 3
    latency_iterations = 1 if smoke else 3
    if args.only_remote:
        args.no_latency = args.no_decrypt = args.no_start = True
        args.soak_seconds = 0
    run_latency = not args.no_latency and (smoke or latency_size in sizes)
    start_repeats = 0 if args.no_start else 2 if smoke else 15
    soak_seconds = args.soak_seconds if args.soak_seconds is not None else 20 if smoke else 600

    all_drivers = drivers(profile)
    if args.clients:
        wanted = set(args.clients.split(","))
        all_drivers = [d for d in all_drivers if d.name in wanted]
    active = [d for d in all_drivers if d.command is not None]
    for d in all_drivers:
        if d.command is None:
            print(f"bench: {d.name}: {d.missing}", file=sys.stderr)
            return 1
    # The cached variants only where a repeated get costs a real Console's 2 s: on the local
    # server they would only measure a cache hit, and the goals are about uncached gets.
    local_active = [d for d in active if d.cache_ttl is None]
    cached = frozenset(d.name for d in active if d.cache_ttl is not None)

    def log(message: str) -> None:
        print(message, flush=True)

    started = dt.datetime.now(dt.timezone.utc)
    wall0 = time.perf_counter()
    busy0, total0 = cpu_ticks()
    own0 = own_cpu_seconds()
    load_start = load_average()
    log(
        f"bench: {profile} builds, sizes {sizes}, {rounds} round(s), clients "
        f"{', '.join(d.name for d in active)}; load average {load_start}"
    )
    out_dir = REPO / "target" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    worlds: dict[int, World] = {}
    floors: dict[int, dict[str, float]] = {}
    latency_floor: dict[str, float] = {}
    decrypt = None
    remote_plan = {} if args.no_remote else remote.sizes(smoke, sizes, GOAL_SIZE)
    remote_data: dict[int, dict[str, Any]] = {}
    start_runs: list[dict[str, Any]] = []
    soaked: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="phasekit-bench-") as tmp:
        workdir = Path(tmp)
        server = Server(REPO / "target" / TARGET / profile / "phasekit-server", workdir)
        try:
            server.admin("DELETE", "/_admin/faults")
            for size in sizes:
                world = seed_world(server, size, workdir)
                worlds[size] = world
                floors[size] = http_floor(server.url, world, 3 if smoke else 15)
                log(
                    f"bench: {size} secrets seeded in {world.seed_seconds:.2f} s; bare requests "
                    f"{floors[size]['tokens']:.2f} + {floors[size]['secrets']:.2f} ms"
                )
                if size in remote_plan:
                    remote_data[size] = remote.measure(
                        sys.modules[__name__],
                        server,
                        world,
                        local_active,
                        remote_plan[size],
                        smoke,
                        workdir,
                        log,
                    )
                if args.only_remote:
                    continue
                runs += measure(
                    server,
                    server.url,
                    world,
                    local_active,
                    rounds,
                    iterations[size],
                    warmup,
                    "local",
                    log,
                )
                if run_latency and size == latency_size:
                    with LatencyProxy(server.url, latency) as proxy:
                        latency_floor = http_floor(proxy.url, world, 1)
                        log(f"bench: latency scenario through {proxy.url} ({latency})")
                        runs += measure(
                            server,
                            proxy.url,
                            world,
                            active,
                            latency_rounds,
                            latency_iterations,
                            0,
                            "latency",
                            log,
                        )
                if not args.no_decrypt and (size == (sizes[0] if smoke else GOAL_SIZE)):
                    decrypt = run_decrypt(
                        REPO / "target" / TARGET / profile / "decrypt",
                        world,
                        quick=smoke,
                        rounds=1 if smoke else 9,
                    )
                    decrypt["instructions"] = callgrind.count(
                        REPO / "target" / TARGET / profile / "instructions",
                        world.secrets_file,
                        smoke,
                    )
                    log(
                        f"bench: decryption {decrypt['core_decrypt_all']['median']:,.0f} "
                        f"secrets/s = {decrypt['fraction_of_limit']:.1%} of the X25519 limit; "
                        f"{decrypt['instructions']['fraction_of_limit']:.1%} in instructions"
                    )
                if start_repeats and size in startup.START_SIZES:
                    start_runs += startup.measure_start(
                        server.url, world, all_drivers, start_repeats, log
                    )
            if soak_seconds:
                soaked = soak.run_soak(server, workdir, active, profile, soak_seconds, log)
        finally:
            server.stop()

    wall = time.perf_counter() - wall0
    busy1, total1 = cpu_ticks()
    cores = os.cpu_count() or 1
    elapsed_cpu = (total1 - total0) / cores
    other = max(0.0, (busy1 - busy0) - (own_cpu_seconds() - own0)) / max(elapsed_cpu, 1e-9)
    finished = dt.datetime.now(dt.timezone.utc)

    local_sizes = [] if args.only_remote else sizes
    problems = check_consistency(runs, local_sizes, cached) + remote.check(
        sys.modules[__name__], remote_data
    )
    if soaked:
        problems += soak.problems(soaked, sorted(soaked["bindings"]))
    if run_latency and latency_floor:
        lat_runs = [r for r in runs if r.scenario == "latency"]
        least = min(latency.values())
        for r in lat_runs:
            # A cached client's repeated gets make no request: no latency to wait for.
            if not (r.client in cached and r.mode == "warm") and min(r.times_ms) < least:
                problems.append(
                    f"latency scenario: {r.client} {r.mode} took {min(r.times_ms)} "
                    f"ms, less than the least injected latency ({least} ms)"
                )
    versions = {
        "Python": platform.python_version(),
        "Node": version_of(["node", "--version"]),
        "rustc": version_of(["rustc", "--version"]).replace("rustc ", ""),
        "phase-dev": OFFICIAL_VERSIONS["phase-dev"],
        "@phase.dev/phase-node": OFFICIAL_VERSIONS["phase-node"],
    }
    if decrypt:
        versions["libsodium"] = decrypt["libsodium"]
    ctx = Context(
        started,
        finished,
        profile,
        rounds,
        iterations,
        warmup,
        latency_rounds,
        latency_iterations,
        all_drivers,
        worlds,
        floors,
        latency_floor,
        latency,
        runs,
        decrypt,
        load_start,
        load_average(),
        other,
        versions,
        wall,
        load_profiles(),
        remote_data,
        start_runs,
        start_repeats,
        soaked,
    )
    # The raw data of the committed report lives at target/bench/results.json; a report written
    # elsewhere (--out) keeps its raw data next to it instead of overwriting that.
    if smoke:
        raw_path = out_dir / "smoke.json"
    elif Path(args.out).resolve() == (HERE / "RESULTS.md").resolve():
        raw_path = out_dir / "results.json"
    else:
        raw_path = Path(args.out).with_suffix(".json")
    save_raw(ctx, raw_path)

    if problems:
        for p in problems:
            print(f"bench: FAIL: {p}", file=sys.stderr)
        return 1
    if smoke:
        clients = sorted({r.client for r in runs})
        log(
            f"bench-smoke: OK in {wall:.0f} s: {len(runs)} driver processes ({', '.join(clients)}), "
            f"every client read the same {sizes[0]} secrets"
            + (
                ", latency proxy and decrypt benchmark ran, its instructions counted"
                if decrypt
                else ""
            )
            + (f", {len(start_runs)} process starts" if start_runs else "")
            + (
                f", a {soak_seconds} s soak of {', '.join(sorted(soaked['bindings']))}"
                if soaked
                else ""
            )
        )
        return 0
    write_report(ctx, Path(args.out))
    log(f"bench: wrote {args.out} in {wall / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
