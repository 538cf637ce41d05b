"""Names from tests/server/seeds/bindings.json and small helpers shared by the test modules.

(Named pkhelpers, not support, so that it never shadows tests/interop/python/support.py.)
"""

from __future__ import annotations

import asyncio
import json
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from phasekit import AsyncClient, Client, Secret

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_PATH = REPO_ROOT / "tests" / "server" / "seeds" / "bindings.json"
# The stable error codes in order, as every binding's tests expect them.
STABLE_ERROR_CODES: list[str] = json.loads(
    (REPO_ROOT / "tests" / "error-codes.json").read_text(encoding="utf-8")
)["codes"]

# The server's request counters of a read's two endpoints: the session and the secrets.
TOKENS = "GET /secrets/tokens/"
SECRETS = "GET /secrets/"

APP = "interop-app"
E2EE_APP = "interop-e2ee"
REFS_APP = "refs-app"
DEV = "Development"
STAGING = "Staging"
PROD = "Production"

SEED: dict[str, Any] = json.loads(SEED_PATH.read_text(encoding="utf-8"))


def seeded_folder(app: str, env: str, path: str) -> dict[str, str]:
    """{key: value} of the seed's secrets in app/env at `path`, in seed order: what a
    service account reads there, references unresolved."""
    (secrets,) = [a["secrets"][env] for a in SEED["apps"] if a["name"] == app]
    return {s["key"]: s["value"] for s in secrets if s.get("path", "/") == path}


# interop-app/Development at the root path and in /db (the values tests expect come from
# the seed the server was started with).
ROOT_RAW = seeded_folder(APP, DEV, "/")
DB_VALUES = seeded_folder(APP, DEV, "/db")
RESOLVED_DATABASE_URL = "postgres://app_user:dev-Pa55w0rd!@db.dev.internal:5432/app"
# Every (path, key) of interop-app/Development, over all folders.
ALL_PATH_KEYS = sorted(
    [("/", key) for key in ROOT_RAW]
    + [("/db", key) for key in DB_VALUES]
    + [("/one", "FEATURE_FLAG"), ("/two", "FEATURE_FLAG")]
)


def invoke(client: Client | AsyncClient, action: Callable[[Any], Any]) -> Any:
    """`action(client)`: what it returns with a Client; with an AsyncClient, the awaited
    value of what it returns, in a new event loop (an awaitable is made inside a running
    loop, so `action` runs there too). Lets one test body drive both classes."""
    if isinstance(client, AsyncClient):

        async def main() -> Any:
            return await action(client)

        return asyncio.run(main())
    return action(client)


def by_key(secrets: Iterable[Secret]) -> dict[str, Secret]:
    """Indexes secrets by key; a key seen twice is a test failure."""
    out: dict[str, Secret] = {}
    for secret in secrets:
        assert secret.key not in out, f"duplicate key {secret.key} in one result"
        out[secret.key] = secret
    return out


def values(secrets: Iterable[Secret]) -> dict[str, str]:
    """{key: value} of secrets (keys must be unique)."""
    return {key: secret.value for key, secret in by_key(secrets).items()}


def seeded_secret_values(min_length: int = 6) -> list[str]:
    """Every secret value and personal override in the seed, long enough to be telling."""
    found: list[str] = []
    for app in SEED["apps"]:
        for secrets in app.get("secrets", {}).values():
            for secret in secrets:
                found.append(secret["value"])
                found.extend(secret.get("overrides", {}).values())
    return [value for value in found if len(value) >= min_length]


def token_secret_parts(token: str) -> list[str]:
    """The secret fields of a pss_ token: bearer token, key share and wrap key."""
    fields = token.split(":")
    return [fields[i] for i in (2, 4, 5) if i < len(fields)]


def token_parts_after_prefix(token: str) -> list[str]:
    """Every field of a pss_ token after its `pss_kind:vN:` prefix (the public key too: logs
    have no reason to show any of them)."""
    return token.split(":")[2:]


def rendered(error: BaseException) -> str:
    """What a user sees of an exception: str, repr, args, attributes and the traceback's
    final line (the rest of a traceback is the caller's own source code)."""
    parts = [str(error), repr(error), repr(error.args)]
    for name in ("message", "code", "status", "retry_after", "retryable"):
        parts.append(repr(getattr(error, name, None)))
    parts.extend(traceback.format_exception_only(type(error), error))
    return "\n".join(parts)


def assert_leak_free(
    error: BaseException,
    tokens: Iterable[str] = (),
    secret_values: Iterable[str] = (),
) -> None:
    """No seeded secret value, no given value and no token's secret part shows in `error`."""
    assert_text_leak_free(
        rendered(error), type(error).__name__, tokens, secret_values, token_secret_parts
    )


def assert_text_leak_free(
    text: str,
    what: str,
    tokens: Iterable[str] = (),
    secret_values: Iterable[str] = (),
    parts_of: Callable[[str], list[str]] = token_parts_after_prefix,
) -> None:
    """No seeded secret value, no given value and no part of a token (by default: any
    field after its prefix) occurs in `text`, which is `what` (named when it fails)."""
    for value in [*seeded_secret_values(), *secret_values]:
        assert value not in text, f"a secret value leaks into {what}"
    for token in tokens:
        for part in filter(None, parts_of(token)):  # an empty field matches anything
            assert part not in text, f"a token part leaks into {what}"
