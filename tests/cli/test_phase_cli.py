"""Side by side with the official CLI (phase-cli 1.21.3 from PyPI, in .venv/phase-cli) on the
same local server: the `.phase.json` its interactive `phase init` writes is read, and `phasekit
run` gives the child the same variables as `phase run` for the same scope."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest
from conftest import APP, PRINT_ENV, Cli

PHASE_CLI = Path(os.environ.get("PHASE_CLI_BIN", ".venv/phase-cli/bin/phase")).resolve()
# What a shell adds to the environment of what it runs (`phase run` runs through one).
SHELL_VARIABLES = {"PWD", "OLDPWD", "SHLVL", "_"}

pytestmark = pytest.mark.skipif(not PHASE_CLI.is_file(), reason=f"no phase-cli at {PHASE_CLI}")


def official_env(cli: Cli) -> dict[str, str]:
    # phase-cli speaks plain http to the local server only with verification off.
    return cli.env(PHASE_VERIFY_SSL="False")


def injected(child: dict[str, str], base: dict[str, str]) -> dict[str, str]:
    """The variables a child got on top of (or instead of) its parent's."""
    return {
        k: v for k, v in child.items() if base.get(k) != v and k not in SHELL_VARIABLES
    }


def phase_run(cli: Cli, *args: str) -> dict[str, str]:
    command = " ".join(f"'{part}'" for part in PRINT_ENV)
    done = subprocess.run(
        [str(PHASE_CLI), "run", *args, "--generate-leases", "false", command],
        cwd=cli.cwd, env=official_env(cli), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    # The child's JSON is the last line; phase-cli logs before it.
    return injected(json.loads(done.stdout.strip().splitlines()[-1]), official_env(cli))


def phasekit_run(cli: Cli, *args: str) -> dict[str, str]:
    return injected(cli.child_env(*args, env=official_env(cli)), official_env(cli))


@pytest.mark.parametrize("scope", [
    ["--app", APP, "--env", "Development"],
    ["--app", APP, "--env", "Production"],
    ["--app", APP, "--env", "Development", "--path", "/db"],
    ["--app", APP, "--env", "Development", "--tags", "payments"],
], ids=["development", "production", "folder", "tag"])
def test_same_variables_as_phase_run(cli: Cli, scope: list[str]) -> None:
    ours = phasekit_run(cli, *scope)
    assert ours, "the scope has secrets"
    assert ours == phase_run(cli, *scope)


def drive_phase_init(cwd: Path, env: dict[str, str], keys: list[bytes]) -> None:
    """Answers `phase init`'s prompts (app, default environment, monorepo) on a terminal."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes phase init
        os.chdir(cwd)
        os.execve(str(PHASE_CLI), [str(PHASE_CLI), "init"], env)

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    if not os.read(fd, 4096):
                        return
                except OSError:
                    return

    for key in keys:
        pump(3)
        os.write(fd, key)
    pump(3)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0


def test_phase_init_written_file_is_read(cli: Cli) -> None:
    # The first app, the second environment in its order (Staging), monorepo support on.
    drive_phase_init(cli.cwd, official_env(cli), [b"\r", b"\x1b[B\r", b"y"])
    written = json.loads((cli.cwd / ".phase.json").read_text())
    assert set(written) == {"version", "phaseApp", "appId", "defaultEnv", "envId", "monorepoSupport"}
    assert written["defaultEnv"] == "Staging" and written["monorepoSupport"] is True
    ours = phasekit_run(cli)
    assert ours and ours == phase_run(cli)
    nested = cli.cwd / "service"
    nested.mkdir()
    inside = Cli(server=cli.server, cwd=nested)
    assert phasekit_run(inside) == ours
