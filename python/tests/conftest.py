"""Fixtures of the phasekit Python binding's suite: one phasekit-server per session
(tests/pysupport/local_server.py). Every test gets a freshly seeded world
(tests/server/seeds/bindings.json), no faults and zeroed request counters.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phasekit import AsyncClient, Client

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_PATH = REPO_ROOT / "tests" / "server" / "seeds" / "bindings.json"
sys.path.insert(0, str(REPO_ROOT / "tests" / "pysupport"))

from local_server import LocalServer, running_server  # noqa: E402


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


@pytest.fixture(scope="session")
def phasekit_server() -> Iterator[PhasekitServer]:
    """One server for the whole session, seeded with tests/server/seeds/bindings.json."""
    with running_server(PhasekitServer, SEED_PATH, "phasekit-python-") as server:
        yield server


@pytest.fixture
def server(phasekit_server: PhasekitServer) -> PhasekitServer:
    """The session server with a fresh seeded world, no faults and zeroed counters."""
    phasekit_server.start_test()
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
