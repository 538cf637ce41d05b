"""Fixtures of the phasekit Python binding's suite: one phasekit-server per session
(tests/pysupport/local_server.py). Every test gets a freshly seeded world
(tests/server/seeds/bindings.json), no faults and zeroed request counters.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from phasekit import AsyncClient, Client

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_PATH = REPO_ROOT / "tests" / "server" / "seeds" / "bindings.json"
sys.path.insert(0, str(REPO_ROOT / "tests" / "pysupport"))

from local_server import LocalServer, server_fixtures  # noqa: E402

T = TypeVar("T")
# How long fault_after_first holds the first request: ample time to swap the fault rule.
HOLD_FIRST_MS = 250


class PhasekitServer(LocalServer):
    """The server handle of this suite, with phasekit clients for its tokens."""

    def requests(self) -> dict[str, int]:
        """Requests served since the last reset, per "METHOD /path/"."""
        answer: dict[str, int] = self.request_counts()["by_endpoint"]
        return answer

    def client(self, token_name: str = "sa-token", **options: Any) -> Client:
        """A blocking phasekit client for one of the seeded tokens."""
        return Client(self.tokens[token_name], self.url, **options)

    def async_client(self, token_name: str = "sa-token", **options: Any) -> AsyncClient:
        """An asyncio phasekit client for one of the seeded tokens."""
        return AsyncClient(self.tokens[token_name], self.url, **options)

    def count(self, endpoint: str) -> int:
        """Requests served to one "METHOD /path/" since the last reset."""
        return self.requests().get(endpoint, 0)

    def fault_after_first(
        self, endpoint: str, rule: dict[str, Any], call: Callable[[], T]
    ) -> T:
        """Runs `call` so that its first request to `endpoint` ("METHOD /path/") is served
        and the next request to the same path meets `rule`; returns what `call` returns or
        raises what it raises.

        Fault rules match paths, not methods, and an update or delete looks the secret up
        (GET /secrets/) right before it writes to the same path; the lookup of a reference's
        folder goes there too. So the first request is held by latency while `call` runs in
        a thread, and once the server has counted (and so already judged) it, `rule`
        replaces the latency."""
        path = endpoint.split(" ", 1)[1]
        before = self.count(endpoint)
        self.faults(path=path, latency_ms=HOLD_FIRST_MS)
        with ThreadPoolExecutor(max_workers=1) as pool:
            outcome = pool.submit(call)
            give_up = time.monotonic() + 10
            while self.count(endpoint) == before and not outcome.done():
                if time.monotonic() > give_up:
                    pytest.fail(f"{endpoint} was never requested")
                time.sleep(0.005)
            # Counting happens just before judging: leave the held request time to be judged.
            time.sleep(0.05)
            self.faults(path=path, **rule)
            return outcome.result(timeout=60)


# One server for the session (bindings.json); `server` gives each test a fresh world.
phasekit_server, server = server_fixtures(PhasekitServer, SEED_PATH, "phasekit-python-")


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
