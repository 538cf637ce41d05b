"""`phasekit run --watch`: a change of the secrets restarts the child with the new values, or
sends it the signal of `--on-change`."""

from __future__ import annotations

import signal
import subprocess
import sys

from conftest import APP, PHASEKIT_BIN, Cli

CHILD = """
import os, signal, sys
signal.signal(signal.SIGHUP, lambda n, f: print("hup", flush=True))
signal.signal(signal.SIGTERM, lambda n, f: sys.exit(0))
print(os.environ["DB_HOST"], flush=True)
while True:
    signal.pause()
"""


def start(cli: Cli, *flags: str) -> subprocess.Popen[str]:
    return cli.spawn(
        [str(PHASEKIT_BIN), "run", "--app", APP, "--watch", "--watch-interval", "0.2", *flags,
         "--", sys.executable, "-c", CHILD],
    )


def line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().strip()


def finish(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    return process.returncode


def test_a_change_restarts_the_child_with_the_new_values(cli: Cli) -> None:
    process = start(cli)
    try:
        assert line(process) == "db.dev.internal"
        cli.ok("secrets", "update", "DB_HOST", "--app", APP, input="db.rotated")
        assert line(process) == "db.rotated", "a new child with the new value"
        cli.ok("secrets", "update", "DB_HOST", "--app", APP, input="db.again")
        assert line(process) == "db.again"
    finally:
        assert finish(process) == 0


def test_a_change_can_signal_instead(cli: Cli) -> None:
    process = start(cli, "--on-change", "SIGHUP")
    try:
        assert line(process) == "db.dev.internal"
        cli.ok("secrets", "create", "NEW_ONE", "--app", APP, input="x")
        assert line(process) == "hup", "the same child, told to reload"
    finally:
        assert finish(process) == 0


def test_bad_watch_settings_are_refused(cli: Cli) -> None:
    done = cli("run", "--app", APP, "--watch", "--on-change", "reboot", "--", "true")
    assert done.returncode == 1 and "--on-change" in done.stderr
    done = cli("run", "--app", APP, "--watch", "--watch-interval", "0", "--", "true")
    assert done.returncode == 1 and "--watch-interval" in done.stderr
    done = cli("run", "--app", APP, "--watch", "--generate-leases", "--", "true")
    assert done.returncode == 1 and "error[invalid_input]" in done.stderr
