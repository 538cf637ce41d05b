"""`phasekit run` and `phasekit shell`: the child's environment, exit codes and signals."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest
from conftest import APP, PHASEKIT_BIN, Cli

DATABASE_URL = "postgres://app_user:dev-Pa55w0rd!@db.dev.internal:5432/app"


def test_child_gets_the_root_secrets_with_references_resolved(cli: Cli) -> None:
    env = cli.child_env("--app", APP, "--env", "Development")
    assert env["DB_HOST"] == "db.dev.internal"
    assert env["DATABASE_URL"] == DATABASE_URL
    assert env["STAGING_DB_HOST"] == "db.staging.internal"
    assert env["MULTILINE_CERT"] == "-----BEGIN CERT-----\nMIIBinterop\n-----END CERT-----"
    assert env["EMPTY_VALUE"] == ""
    assert "DB_USER" not in env, "the default path is the root folder"
    # The inherited environment is still there.
    assert env["PATH"] == cli.env()["PATH"]


def test_path_tags_and_every_folder(cli: Cli) -> None:
    env = cli.child_env("--app", APP, "--path", "")
    assert env["DB_USER"] == "app_user"
    assert env["FEATURE_FLAG"] in {"flag-one-value", "flag-two-value"}
    only_db = cli.child_env("--app", APP, "--path", "/db")
    assert only_db["DB_PASSWORD"] == "dev-Pa55w0rd!"
    assert "DB_HOST" not in only_db
    tagged = cli.child_env("--app", APP, "--tags", "payments")
    assert tagged["STRIPE_SECRET_KEY"] == "sk_test_51Interop"
    assert "DB_HOST" not in tagged


def test_variables_already_set_win_unless_override(cli: Cli) -> None:
    env = cli.env(DB_HOST="from-the-caller")
    assert cli.child_env("--app", APP, env=env)["DB_HOST"] == "from-the-caller"
    assert cli.child_env("--app", APP, "--override", env=env)["DB_HOST"] == "db.dev.internal"


def test_dynamic_secrets_only_when_asked(cli: Cli) -> None:
    assert "AWS_ACCESS_KEY_ID" not in cli.child_env("--app", APP)
    leased = cli.child_env("--app", APP, "--generate-leases")
    assert leased["AWS_ACCESS_KEY_ID"]
    assert leased["AWS_SECRET_ACCESS_KEY"]
    assert "AWS_ACCESS_KEY_ID" in cli.child_env("--app", APP, "--dynamic", "--lease-ttl", "120")


def test_exit_codes_are_the_childs(cli: Cli) -> None:
    assert cli("run", "--app", APP, "--", "sh", "-c", "exit 42").returncode == 42
    killed = cli("run", "--app", APP, "--", "sh", "-c", "kill -KILL $$")
    assert killed.returncode == 128 + signal.SIGKILL
    missing = cli("run", "--app", APP, "--", "no-such-program-phasekit")
    assert missing.returncode == 127
    assert "error[" in missing.stderr and "no-such-program-phasekit" in missing.stderr
    as_json = cli("--json", "run", "--app", APP, "--", "no-such-program-phasekit")
    assert as_json.returncode == 127
    assert json.loads(as_json.stderr)["error"]["code"] == "invalid_input"


def test_no_shell_unless_asked(cli: Cli) -> None:
    # Without --shell the argument reaches the program as written.
    assert cli.ok("run", "--app", APP, "--", "echo", "$DB_HOST | x").strip() == "$DB_HOST | x"
    piped = cli.ok("run", "--app", APP, "--shell", "--", "echo $DB_HOST | tr a-z A-Z")
    assert piped.strip() == "DB.DEV.INTERNAL"


def test_shell_opens_shell_with_the_secrets(cli: Cli) -> None:
    out = cli.ok("shell", "--app", APP, env=cli.env(SHELL="/bin/sh"), input="echo $DB_PORT\n")
    assert out.strip() == "5432"
    done = cli("shell", "--app", APP, "--shell", "/bin/sh", input="exit 9\n")
    assert done.returncode == 9


TRAP = """
import signal, sys
def got(number, frame):
    print("got", number, flush=True)
    sys.exit(3)
for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"):
    signal.signal(getattr(signal, name), got)
print("ready", flush=True)
signal.pause()
"""


def start(cli: Cli, script: str) -> subprocess.Popen[str]:
    process = cli.spawn([str(PHASEKIT_BIN), "run", "--app", APP, "--", sys.executable, "-c", script])
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


@pytest.mark.parametrize(
    "sig",
    [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2],
    ids=lambda s: signal.Signals(s).name,
)
def test_signals_are_forwarded_to_the_child(cli: Cli, sig: int) -> None:
    process = start(cli, TRAP)
    process.send_signal(sig)
    out, err = process.communicate(timeout=30)
    assert out.strip() == f"got {int(sig)}", err
    assert process.returncode == 3, "phasekit lives on and exits with the child's code"


def test_a_child_ended_by_a_forwarded_signal_gives_128_plus_it(cli: Cli) -> None:
    process = start(cli, "import signal\nprint('ready', flush=True)\nsignal.pause()")
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 128 + signal.SIGTERM


def test_environment_dump_has_no_token_in_errors(cli: Cli) -> None:
    done = cli("run", "--app", "no-such-app", "--", "true")
    assert done.returncode == 4
    assert done.stderr.startswith("phasekit: error[app_not_found]: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert cli.env()["PHASE_SERVICE_TOKEN"] not in done.stderr
    as_json = json.loads(cli("--json", "run", "--app", "no-such-app", "--", "true").stderr)
    assert as_json["error"]["code"] == "app_not_found"


COUNT_SIGINT = """
import signal, sys, time
seen = []
signal.signal(signal.SIGINT, lambda n, f: seen.append(n))
print("ready", flush=True)
while not seen:
    time.sleep(0.01)
time.sleep(0.5)  # a second delivery would arrive in this time
print("count", len(seen), flush=True)
"""


def test_ctrl_c_on_a_terminal_reaches_the_child_once(cli: Cli) -> None:
    """The terminal sends SIGINT to the whole foreground group, the child included: phasekit
    does not send it a second time."""
    command = [str(PHASEKIT_BIN), "run", "--app", APP, "--", sys.executable, "-c", COUNT_SIGINT]
    pid, fd = pty.fork()
    if pid == 0:  # the child: phasekit on the terminal
        os.chdir(cli.cwd)
        os.execve(command[0], command, cli.env())
    output = b""

    def read_until(marker: bytes, after: bytes) -> None:
        """Reads until `marker` appears after the first `after` (or anywhere when empty)."""
        nonlocal output
        while marker not in (output.partition(after)[2] if after else output):
            ready, _, _ = select.select([fd], [], [], 30)
            assert ready, output
            output += os.read(fd, 1024)

    try:
        read_until(b"ready", b"")
        os.write(fd, b"\x03")  # Ctrl-C
        read_until(b"\n", b"count")
    finally:
        # Whatever happened, nothing of the test stays: phasekit leads its own session.
        reaped = os.waitpid(pid, os.WNOHANG)
        deadline = time.monotonic() + 5
        while reaped == (0, 0) and time.monotonic() < deadline:
            time.sleep(0.05)
            reaped = os.waitpid(pid, os.WNOHANG)
        if reaped == (0, 0):
            os.killpg(pid, signal.SIGKILL)
            reaped = os.waitpid(pid, 0)
        status = reaped[1]
        os.close(fd)
    assert b"count 1" in output, output
    assert os.waitstatus_to_exitcode(status) == 0
