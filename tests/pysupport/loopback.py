"""The local server only ever listens on loopback: its clients must never reach it through a
proxy. Shared by the test suites (local_server.py) and the benchmark (bench/run.py)."""

from __future__ import annotations

import os

LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def bypass_proxies_for_loopback() -> None:
    """Adds the loopback hosts to NO_PROXY and no_proxy, keeping what they already list."""
    for name in ("NO_PROXY", "no_proxy"):
        hosts = [host for host in os.environ.get(name, "").split(",") if host]
        os.environ[name] = ",".join(hosts + list(LOOPBACK_HOSTS))
