"""Typed quickstart: the blocking Client and the asyncio AsyncClient, errors by class.

Type-checks with `mypy --strict` against the installed phasekit package.

    PHASE_SERVICE_TOKEN=pss_service:v2:... PHASE_HOST=https://console.phase.dev \\
        python python/examples/typed_quickstart.py my-app Development

Prints key names, folders and value lengths, never the values themselves.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from phasekit import (
    AsyncClient,
    Client,
    Environment,
    GetResult,
    NotFoundError,
    PhaseError,
    RateLimitError,
    Secret,
)

if TYPE_CHECKING:
    # Typing-only names of the stubs (not importable at run time).
    from phasekit._phasekit import NewSecret, Source


def describe(secret: Secret) -> str:
    """One line about a secret that does not reveal its value."""
    folder = "" if secret.path == "/" else secret.path + "/"
    tags = f" [{', '.join(secret.tags)}]" if secret.tags else ""
    return f"{folder}{secret.key}: {len(secret.value)} chars{tags}"


def read_blocking(app: str, env: str) -> GetResult:
    """Reads every secret of app/env with the blocking client, and where they came from."""
    with Client.from_env() as client:
        environments: list[Environment] = client.environments(app)
        print(f"{app} has {', '.join(e.name for e in environments)} at {client.host}")
        result = client.get_result(app=app, env=env)
        try:
            client.get_secret("SURELY_NOT_A_KEY", app=app, env=env)
        except NotFoundError as err:
            status = "no status" if err.status is None else f"HTTP {err.status}"
            print(f"as expected: {err.code} ({status})")
    return result


async def write_async(app: str, env: str) -> str:
    """Creates, reads and deletes a secret with the asyncio client; returns its folder."""
    new: list[NewSecret] = [
        {"key": "TYPED_EXAMPLE", "value": "hello", "comment": "typed_quickstart.py"},
    ]
    async with AsyncClient.from_env() as client:
        await client.create(new, app=app, env=env)
        created: Secret = await client.get_secret("TYPED_EXAMPLE", app=app, env=env)
        not_found: list[str] = await client.delete(["TYPED_EXAMPLE"], app=app, env=env)
        assert not_found == []
        return created.path


def main(argv: list[str]) -> int:
    """Runs both halves; a PhaseError becomes exit status 1 with its code on stderr."""
    app = argv[1] if len(argv) > 1 else "demo-app"
    env = argv[2] if len(argv) > 2 else "Development"
    try:
        result = read_blocking(app, env)
        source: Source = result.source  # "network", "memory", "stale" or "offline"
        print(f"{len(result.secrets)} secrets in {app}/{env} (from {source}):")
        for secret in result.secrets:
            print("  " + describe(secret))
        folder = asyncio.run(write_async(app, env))
        print(f"created and deleted TYPED_EXAMPLE in {folder}")
    except RateLimitError as err:
        retry = "later" if err.retry_after is None else f"in {err.retry_after:.0f}s"
        print(f"rate limited: retry {retry}", file=sys.stderr)
        return 1
    except PhaseError as err:
        print(f"{err.code}: {err.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
