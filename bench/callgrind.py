"""The decryption goal counted in instructions: `valgrind --tool=callgrind` runs the
`instructions` binary (bench/src/bin/instructions.rs), collecting only inside its two
unmangled functions, N libsodium X25519 and the core's `decrypt_record` of every secret on one
thread. An instruction count does not depend on the machine's load, so this figure of the
goal holds where the timed one of `decrypt` is noisy.

    limit (instructions) = instructions per libsodium X25519 × X25519 per secret
                           ÷ instructions per secret decrypted by the core

The cores cancel out: it is the single-thread ratio, and assumes the core's decryption
scales over the cores as libsodium's X25519 would (the timed figure measures that).
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Optional

X25519_FUNCTION = "phasekit_bench_libsodium_x25519"
CORE_FUNCTION = "phasekit_bench_core_decrypt"
# AWS-LC's X25519 inside the core's decryption (its symbols carry AWS-LC's version).
CORE_X25519 = re.compile(r"aws_lc_\w*x25519_scalar_mult\w*")
# A line of `callgrind_annotate --inclusive=yes`: "  354,044,026 (31.00%)  ???:name [object]".
ANNOTATE_LINE = re.compile(r"^\s*([\d,]+)\s+\([\d.]+%\)\s+\S*?:(\S+)")
X25519_CALLS = 1000
SMOKE_X25519_CALLS = 20


def valgrind_version() -> Optional[str]:
    if not shutil.which("valgrind"):
        return None
    proc = subprocess.run(["valgrind", "--version"], capture_output=True, text=True)
    return proc.stdout.strip().removeprefix("valgrind-") or None


def inclusive_counts(out_file: Path) -> dict[str, int]:
    """Instructions of each function and its callees, from a callgrind output file."""
    proc = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(out_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    counts: dict[str, int] = {}
    for line in proc.stdout.splitlines():
        match = ANNOTATE_LINE.match(line)
        if match:
            name = match.group(2)
            counts[name] = max(counts.get(name, 0), int(match.group(1).replace(",", "")))
    return counts


def count_once(binary: Path, secrets_file: Path, x25519: int) -> tuple[dict[str, Any], dict]:
    """One run under callgrind: the binary's JSON and the instructions of the measured work."""
    with tempfile.TemporaryDirectory(prefix="phasekit-callgrind-") as tmp:
        out_file = Path(tmp) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            f"--toggle-collect={X25519_FUNCTION}",
            f"--toggle-collect={CORE_FUNCTION}",
            f"--callgrind-out-file={out_file}",
            str(binary),
            "--secrets",
            str(secrets_file),
            "--x25519",
            str(x25519),
        ]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(
                f"callgrind of {binary.name} failed ({proc.returncode}):\n{proc.stderr}{proc.stdout}"
            )
        meta: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        counts = inclusive_counts(out_file)
    core_x25519 = max((n for name, n in counts.items() if CORE_X25519.fullmatch(name)), default=0)
    run = {
        "x25519": counts.get(X25519_FUNCTION, 0),
        "core": counts.get(CORE_FUNCTION, 0),
        "core_x25519": core_x25519,
    }
    if run["x25519"] <= 0 or run["core"] <= 0:
        raise RuntimeError(f"callgrind collected no instructions for the measured work: {run}")
    return meta, run


def count(binary: Path, secrets_file: Path, smoke: bool) -> dict[str, Any]:
    """The instruction figures of the decryption goal: two runs (one for the smoke run), which
    must agree; what the report and the raw data keep."""
    if not binary.is_file():
        raise RuntimeError(f"instructions benchmark not built: {binary} (bench/build.sh)")
    version = valgrind_version()
    if version is None:
        raise RuntimeError("valgrind is not installed (make valgrind)")
    x25519 = SMOKE_X25519_CALLS if smoke else X25519_CALLS
    results = [count_once(binary, secrets_file, x25519) for _ in range(1 if smoke else 2)]
    meta = results[0][0]
    runs = [run for _, run in results]
    per_x25519 = statistics.median(r["x25519"] for r in runs) / x25519
    per_secret = statistics.median(r["core"] for r in runs) / meta["secrets"]
    # How far apart the runs are, relative to their median (0 for one run).
    spread = max(
        (max(r[k] for r in runs) - min(r[k] for r in runs)) / statistics.median(r[k] for r in runs)
        for k in ("x25519", "core")
    )
    core_x25519 = statistics.median(r["core_x25519"] for r in runs)
    return {
        "valgrind": version,
        "secrets": meta["secrets"],
        "x25519_per_secret": meta["x25519_per_secret"],
        "x25519_calls": x25519,
        "cpu_features": meta["cpu_features"],
        "debug_build": meta["debug_build"],
        "runs": runs,
        "per_x25519": per_x25519,
        "per_secret": per_secret,
        # The core's own X25519 per secret, when its AWS-LC symbol was found.
        "core_x25519_per_secret": core_x25519 / meta["secrets"] if core_x25519 else None,
        "fraction_of_limit": per_x25519 * meta["x25519_per_secret"] / per_secret,
        "spread": spread,
    }


# --------------------------------------------------------------------------------------------
# Report


def goal_row(ins: dict[str, Any], goal: float) -> tuple[str, str, bool, str]:
    """The decryption goal counted in instructions, as a row of the Goals table."""
    return (
        f"decryption ≥{goal:.0%} of the limit, counted in instructions (callgrind)",
        f"{ins['fraction_of_limit']:.1%} ({ins['per_x25519'] * ins['x25519_per_secret']:,.0f} "
        f"libsodium instructions per secret ÷ {ins['per_secret']:,.0f} of the core's)",
        ins["fraction_of_limit"] >= goal and not ins["debug_build"],
        "",
    )


def misses(ins: dict[str, Any], goal: float) -> list[str]:
    """The Goals table's explanation when the count misses the goal: what the core spends
    per secret besides its X25519."""
    if ins["fraction_of_limit"] >= goal and not ins["debug_build"]:
        return []
    if ins["debug_build"]:
        return ["- **decryption in instructions**: counted on a debug build, no verdict."]
    core_x25519 = ins["core_x25519_per_secret"]
    return [
        f"- **decryption in instructions**: {ins['fraction_of_limit']:.1%} of the limit instead "
        f"of ≥{goal:.0%}: the core spends {ins['per_secret']:,.0f} instructions per secret "
        f"where libsodium's X25519 alone would spend "
        f"{ins['per_x25519'] * ins['x25519_per_secret']:,.0f}"
        + (
            f"; its own X25519 takes {core_x25519:,.0f} of them, the rest (parsing, BLAKE2b, "
            f"XChaCha20-Poly1305, base64, allocation) {ins['per_secret'] - core_x25519:,.0f}."
            if core_x25519
            else "."
        )
    ]


def timed_miss_note(ins: Optional[dict[str, Any]]) -> str:
    """A sentence for the timed figure's miss: what the count, which the load does not
    change, says of the same goal."""
    if not ins or ins["debug_build"]:
        return ""
    return (
        f" Counted in instructions, which the machine's load does not change, the core reaches "
        f"{ins['fraction_of_limit']:.1%} of the limit (see the decryption section)."
    )


def section(ins: dict[str, Any]) -> list[str]:
    """The paragraph of the decryption section."""
    features = ", ".join(ins["cpu_features"]) or "none of those checked"
    core_x25519 = ins["core_x25519_per_secret"]
    runs = len(ins["runs"])
    agreement = (
        "one run"
        if runs == 1
        else f"{runs} runs "
        + ("within 0.01%" if ins["spread"] < 1e-4 else f"{ins['spread']:.2%} apart")
    )
    lines = [
        f"**In instructions** (callgrind of valgrind {ins['valgrind']}, "
        f"`src/bin/instructions.rs`, one thread, {agreement}): libsodium's X25519 costs "
        f"**{ins['per_x25519']:,.0f} instructions** (over {ins['x25519_calls']:,} calls), the "
        f"core's decryption **{ins['per_secret']:,.0f} per secret** (the {ins['secrets']:,} "
        f"secrets once each), so counted in instructions the core reaches "
        f"**{ins['fraction_of_limit']:.1%} of the limit** ({ins['per_x25519']:,.0f} × "
        f"{ins['x25519_per_secret']:.2f} ÷ {ins['per_secret']:,.0f})"
        + (
            f"; {core_x25519 / ins['per_secret']:.1%} of the core's instructions are its "
            f"X25519 ({core_x25519 / ins['x25519_per_secret']:,.0f} per X25519)"
            if core_x25519
            else ""
        )
        + f". Valgrind's virtual CPU offers {features}: the code paths both libraries pick "
        f"here"
        + (
            " (without ADX, AWS-LC's X25519 is its `_alt` version, not the MULX/ADX one it runs "
            "natively on a CPU with ADX)"
            if "adx" not in ins["cpu_features"]
            else ""
        )
        + ". An instruction is not a cycle (libsodium's X25519 works on AVX vectors): this "
        "figure complements the timed one, it does not replace it.",
    ]
    return lines
