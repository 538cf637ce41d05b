"""The same command line through the packages' entry points: the `phasekit` console script of
the Python wheel (in .venv/python, `make python`) and the `bin` of the npm package run through
the Node addon (`make node`). Each runs the Rust program in its host's process."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import APP, REPO_ROOT, Cli

ENTRY_POINTS = {
    "pip": [str(REPO_ROOT / ".venv" / "python" / "bin" / "phasekit")],
    "npm": [shutil.which("node") or "node", str(REPO_ROOT / "node" / "bin" / "phasekit.js")],
}


def entry(name: str) -> list[str]:
    command = ENTRY_POINTS[name]
    if not Path(command[-1]).is_file() or (name == "npm" and not list((REPO_ROOT / "node").glob("phasekit.*.node"))):
        pytest.skip(f"{name} entry point not built (make python node)")
    return command


@pytest.fixture(params=sorted(ENTRY_POINTS))
def program(request: pytest.FixtureRequest) -> list[str]:
    return entry(request.param)


def test_run_exports_and_exit_codes(cli: Cli, program: list[str]) -> None:
    show_env = [sys.executable, "-c", "import os; print(os.environ['DATABASE_URL'])"]
    done = subprocess.run([*program, "run", "--app", APP, "--", *show_env],
                          env=cli.env(), cwd=cli.cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "postgres://app_user:dev-Pa55w0rd!@db.dev.internal:5432/app"
    code = subprocess.run([*program, "run", "--app", APP, "--", "sh", "-c", "exit 17"],
                          env=cli.env(), cwd=cli.cwd).returncode
    assert code == 17
    # Output written without a final line break still arrives (the host exits without
    # flushing Rust's buffers; the command line flushes them).
    apps = subprocess.run([*program, "--json", "apps", "list"], env=cli.env(), cwd=cli.cwd,
                          capture_output=True, text=True, timeout=60)
    assert APP in {a["name"] for a in json.loads(apps.stdout)}
    missing = subprocess.run([*program, "secrets", "list", "--app", "nope"], env=cli.env(),
                             cwd=cli.cwd, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 4 and "error[app_not_found]" in missing.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
                                 signal.SIGUSR1, signal.SIGUSR2], ids=lambda s: signal.Signals(s).name)
def test_signals_reach_the_child(cli: Cli, program: list[str], sig: int) -> None:
    script = ("import signal, sys\n"
              f"signal.signal({int(sig)}, lambda n, f: (print('got', n, flush=True), sys.exit(5)))\n"
              "print('ready', flush=True)\nsignal.pause()\n")
    process = cli.spawn([*program, "run", "--app", APP, "--", sys.executable, "-c", script])
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    process.send_signal(sig)
    out, err = process.communicate(timeout=30)
    assert out.strip() == f"got {int(sig)}", err
    assert process.returncode == 5
    assert "KeyboardInterrupt" not in err
