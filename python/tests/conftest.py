"""Fixtures of the phasekit Python binding's suite: one phasekit-server per session.

The server binary comes from $PHASEKIT_SERVER_BIN, else from the Makefile's explicit-target
build directory. Every test gets a freshly seeded world (python/tests/seed.json), no faults
and zeroed request counters. The admin API is spoken with the standard library only.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Optional

import pytest

from phasekit import AsyncClient, Client

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_PATH = Path(__file__).resolve().parent / "seed.json"
DEFAULT_BINARY = (
    REPO_ROOT / "target" / "x86_64-unknown-linux-gnu" / "debug" / "phasekit-server"
)
STARTUP_TIMEOUT_SECONDS = 30.0

# The server only ever listens on loopback: never send its traffic through a proxy.
for _name in ("NO_PROXY", "no_proxy"):
    _hosts = [h for h in os.environ.get(_name, "").split(",") if h]
    os.environ[_name] = ",".join(_hosts + ["127.0.0.1", "localhost"])


@dataclass
class PhasekitServer:
    """A running phasekit-server: URL, minted tokens, world state and admin helpers."""

    url: str
    tokens: dict[str, str]
    state: dict[str, Any]
    seed_text: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def admin(self, method: str, path: str, body: Optional[Any] = None) -> Any:
        """Calls the admin API with a JSON body (if any); returns its decoded answer."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def reset(self) -> None:
        """Replaces the whole world with the seed again (tokens are minted anew)."""
        answer = self.admin("PUT", "/_admin/world", json.loads(self.seed_text))
        self.tokens = answer["tokens"]
        self.state = answer["state"]

    def faults(self, **config: Any) -> None:
        """Configures fault injection (latency_ms, fail_next, throttle_next, ...)."""
        self.admin("PUT", "/_admin/faults", config)

    def clear_faults(self) -> None:
        """Removes every injected fault."""
        self.admin("DELETE", "/_admin/faults")

    def requests(self) -> dict[str, int]:
        """Requests served since the last reset, per "METHOD /path/"."""
        answer: dict[str, int] = self.admin("GET", "/_admin/requests")["by_endpoint"]
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

    def client(self, token_name: str = "sa-token", **options: Any) -> Client:
        """A blocking phasekit client for one of the seeded tokens."""
        return Client(self.tokens[token_name], self.url, **options)

    def async_client(self, token_name: str = "sa-token", **options: Any) -> AsyncClient:
        """An asyncio phasekit client for one of the seeded tokens."""
        return AsyncClient(self.tokens[token_name], self.url, **options)


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


@pytest.fixture(scope="session")
def phasekit_server() -> Iterator[PhasekitServer]:
    """One server for the whole session, seeded with python/tests/seed.json."""
    binary = _server_binary()
    seed_text = SEED_PATH.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="phasekit-python-") as tmp:
        tokens_path = Path(tmp) / "tokens.json"
        log_path = Path(tmp) / "server.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [
                    str(binary),
                    "--port",
                    "0",
                    "--seed",
                    str(SEED_PATH),
                    "--tokens-out",
                    str(tokens_path),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            summary = _wait_for_tokens(process, tokens_path, log_path)
            yield PhasekitServer(
                url=summary["url"],
                tokens=summary["tokens"],
                state=summary["state"],
                seed_text=seed_text,
                process=process,
                log_path=log_path,
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def server(phasekit_server: PhasekitServer) -> PhasekitServer:
    """The session server with a fresh seeded world, no faults and zeroed counters."""
    try:
        phasekit_server.reset()
        phasekit_server.clear_faults()
        phasekit_server.reset_requests()
    except urllib.error.URLError as error:
        pytest.fail(
            f"phasekit-server admin API unreachable: {error}\n"
            + phasekit_server.log_path.read_text(errors="replace"),
            pytrace=False,
        )
    return phasekit_server


@pytest.fixture
def client(server: PhasekitServer) -> Client:
    """A blocking client with the member service account's token (all apps)."""
    return server.client("sa-token")


@pytest.fixture
def pat_client(server: PhasekitServer) -> Client:
    """A blocking client with alice's personal access token (sees her overrides)."""
    return server.client("alice-pat")


@pytest.fixture
def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
