"""phasekit-server for Python test suites: start one per session, speak its admin API.

Shared by tests/interop/python (the official SDK) and python/tests (the binding). The server
binary comes from $PHASEKIT_SERVER_BIN, else from the Makefile's explicit-target build
directory. Only the standard library talks to the admin API.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Optional, TypeVar

import pytest

from loopback import bypass_proxies_for_loopback

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = (
    REPO_ROOT / "target" / "x86_64-unknown-linux-gnu" / "debug" / "phasekit-server"
)
STARTUP_TIMEOUT_SECONDS = 30.0

bypass_proxies_for_loopback()


@dataclass
class LocalServer:
    """A running phasekit-server: URL, minted tokens, world state and admin helpers."""

    url: str
    tokens: dict[str, str]
    state: dict[str, Any]
    seed_text: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def admin(self, method: str, path: str, body: Optional[Any] = None) -> Any:
        """Calls the admin API with a JSON body (given as data, or as encoded bytes)."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        request = urllib.request.Request(self.url + path, data=payload, method=method)
        if payload is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def reset(self) -> None:
        """Replaces the whole world with the seed again (tokens are minted anew)."""
        answer = self.admin("PUT", "/_admin/world", self.seed_text.encode("utf-8"))
        self.tokens = answer["tokens"]
        self.state = answer["state"]

    def start_test(self) -> None:
        """A fresh seeded world, no faults and zeroed counters; fails the test clearly
        when the server stopped answering."""
        try:
            self.reset()
            self.clear_faults()
            self.reset_requests()
        except urllib.error.URLError as error:
            pytest.fail(
                f"phasekit-server admin API unreachable: {error}\n"
                + self.log_path.read_text(errors="replace"),
                pytrace=False,
            )

    def faults(self, **config: Any) -> None:
        """Configures fault injection (latency_ms, fail_next, throttle_next, ...)."""
        self.admin("PUT", "/_admin/faults", config)

    def clear_faults(self) -> None:
        """Removes every injected fault."""
        self.admin("DELETE", "/_admin/faults")

    def request_counts(self) -> dict[str, Any]:
        """Requests served since the last reset: {"total": n, "by_endpoint": {...}}."""
        answer: dict[str, Any] = self.admin("GET", "/_admin/requests")
        return answer

    def reset_requests(self) -> None:
        """Sets the request counters back to zero."""
        self.admin("DELETE", "/_admin/requests")

    def app_id(self, app: str) -> str:
        """The id of the app named `app`."""
        return str(next(a["id"] for a in self.state["apps"] if a["name"] == app))

    def env_id(self, app: str, env: str) -> str:
        """The id of environment `env` of the app named `app`."""
        return str(
            next(a["environments"][env] for a in self.state["apps"] if a["name"] == app)
        )


def _abort(message: str) -> NoReturn:
    """Stops the whole session once with `message`: no test can run without the server."""
    pytest.exit(message, returncode=pytest.ExitCode.TESTS_FAILED)


def _server_binary() -> Path:
    configured = os.environ.get("PHASEKIT_SERVER_BIN")
    binary = Path(configured) if configured else DEFAULT_BINARY
    if not binary.is_file() or not os.access(binary, os.X_OK):
        _abort(
            f"phasekit-server binary not found at {binary}. Build it with "
            "`cargo build -p phasekit-server --target x86_64-unknown-linux-gnu` "
            "or point PHASEKIT_SERVER_BIN at it."
        )
    return binary


def _wait_for_tokens(
    process: subprocess.Popen[bytes], tokens_path: Path, log_path: Path
) -> dict[str, Any]:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _abort(
                f"phasekit-server exited with {process.returncode} during startup:\n"
                + log_path.read_text(errors="replace")
            )
        if tokens_path.is_file():
            try:
                summary: dict[str, Any] = json.loads(
                    tokens_path.read_text(encoding="utf-8")
                )
                return summary
            except json.JSONDecodeError:
                pass  # still being written
        time.sleep(0.05)
    process.kill()
    process.wait()
    _abort(
        f"phasekit-server wrote no {tokens_path.name} within "
        f"{STARTUP_TIMEOUT_SECONDS:.0f}s:\n" + log_path.read_text(errors="replace")
    )


ServerT = TypeVar("ServerT", bound=LocalServer)


@contextlib.contextmanager
def server_process(
    seed_path: Path, directory: Path, *options: str
) -> Iterator[tuple[dict[str, Any], subprocess.Popen[bytes], Path]]:
    """Runs the server on a free port with `seed_path` and any further command-line
    `options`, its tokens file and log in `directory`, until exit. Yields the tokens file
    (url, tokens, state), the process and the log's path once it listens."""
    binary = _server_binary()
    tokens_path = directory / "tokens.json"
    log_path = directory / "server.log"
    command = [str(binary), "--port", "0", "--seed", str(seed_path), *options]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*command, "--tokens-out", str(tokens_path)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield _wait_for_tokens(process, tokens_path, log_path), process, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def running_server(
    kind: type[ServerT], seed_path: Path, prefix: str
) -> Iterator[ServerT]:
    """Starts the server on a free port with `seed_path`; stops it on exit."""
    seed_text = seed_path.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp, server_process(
        seed_path, Path(tmp)
    ) as (summary, process, log_path):
        yield kind(
            url=summary["url"],
            tokens=summary["tokens"],
            state=summary["state"],
            seed_text=seed_text,
            process=process,
            log_path=log_path,
        )


def server_fixtures(
    kind: type[ServerT], seed_path: Path, prefix: str
) -> tuple[Any, Any]:
    """A suite's two server fixtures, for its conftest to bind to the names they carry:
    `phasekit_server`, one server of class `kind` for the whole session seeded from
    `seed_path`, and `server`, that server with a fresh seeded world, no faults and zeroed
    request counters for each test."""

    @pytest.fixture(scope="session", name="phasekit_server")
    def session_server() -> Iterator[ServerT]:
        with running_server(kind, seed_path, prefix) as started:
            yield started

    @pytest.fixture(name="server")
    def fresh_server(phasekit_server: ServerT) -> ServerT:
        phasekit_server.start_test()
        return phasekit_server

    return session_server, fresh_server
