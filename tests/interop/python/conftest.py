"""Starts phasekit-server once per session (tests/pysupport/local_server.py) and hands
tests a small handle on it, plus official-SDK clients for its tokens."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from phase import Phase

REPO_ROOT = Path(__file__).resolve().parents[3]
SEED_PATH = REPO_ROOT / "tests" / "interop" / "seed.json"
sys.path.insert(0, str(REPO_ROOT / "tests" / "pysupport"))

from local_server import LocalServer, server_fixtures  # noqa: E402


class PhasekitServer(LocalServer):
    """The server handle of this suite."""

    def requests(self) -> dict[str, Any]:
        """Requests served since the last reset: {"total": n, "by_endpoint": {...}}."""
        return self.request_counts()


# One server for the session (tests/interop/seed.json); `server` gives each test a fresh world.
phasekit_server, server = server_fixtures(
    PhasekitServer, SEED_PATH, "phasekit-interop-"
)


@pytest.fixture
def sdk(server: PhasekitServer) -> Callable[[str], Phase]:
    """Builds an official-SDK client for one of the seeded tokens, by token name."""

    def build(token_name: str) -> Phase:
        return Phase(init=False, pss=server.tokens[token_name], host=server.url)

    return build
