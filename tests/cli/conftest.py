"""Fixtures of the command line's suite: one phasekit-server per session (tests/pysupport),
a fresh seeded world per test (tests/server/seeds/bindings.json), and `phasekit` run as a
subprocess with the server's URL and a token in its environment, from a scratch directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_PATH = REPO_ROOT / "tests" / "server" / "seeds" / "bindings.json"
sys.path.insert(0, str(REPO_ROOT / "tests" / "pysupport"))

from local_server import LocalServer, running_server  # noqa: E402

PHASEKIT_BIN = Path(
    os.environ.get(
        "PHASEKIT_BIN",
        REPO_ROOT / "target" / "x86_64-unknown-linux-gnu" / "debug" / "phasekit",
    )
)
APP = "interop-app"
# What a child prints: its whole environment as JSON.
PRINT_ENV = [sys.executable, "-c", "import json, os; print(json.dumps(dict(os.environ)))"]


@dataclass
class Cli:
    """`phasekit` against the local server, run in `cwd` with a clean PHASE_* environment."""

    server: LocalServer
    cwd: Path
    token_name: str = "sa-token"
    # Started with `spawn`: killed with their children after the test if still running.
    spawned: list[subprocess.Popen[str]] = field(default_factory=list)

    def spawn(self, command: list[str]) -> subprocess.Popen[str]:
        """A program started in its own process group, its stdout and stderr piped."""
        process = subprocess.Popen(
            command, cwd=self.cwd, env=self.env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        self.spawned.append(process)
        return process

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PHASE_")}
        env.update(
            PHASE_HOST=self.server.url,
            PHASE_SERVICE_TOKEN=self.server.tokens[self.token_name],
        )
        env.update(extra)
        return env

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PHASEKIT_BIN), *args],
            cwd=self.cwd,
            env=env if env is not None else self.env(),
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            timeout=60,
        )

    def ok(self, *args: str, **kwargs: Any) -> str:
        """stdout of a command that must succeed."""
        done = self(*args, **kwargs)
        assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stderr}"
        return done.stdout

    def json(self, *args: str, **kwargs: Any) -> Any:
        return json.loads(self.ok("--json", *args, **kwargs))

    def child_env(self, *args: str, env: dict[str, str] | None = None) -> dict[str, str]:
        """The environment `phasekit run ARGS -- <print env>` gives its child."""
        out = self.ok("run", *args, "--", *PRINT_ENV, env=env)
        answer: dict[str, str] = json.loads(out)
        return answer


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    if not PHASEKIT_BIN.is_file():
        pytest.exit(f"phasekit not built at {PHASEKIT_BIN} (make test-cli builds it)", 1)
    with running_server(LocalServer, SEED_PATH, "phasekit-cli-") as running:
        yield running


@pytest.fixture
def cli(server: LocalServer, tmp_path: Path) -> Iterator[Cli]:
    server.start_test()
    cli = Cli(server=server, cwd=tmp_path)
    yield cli
    for process in cli.spawned:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
