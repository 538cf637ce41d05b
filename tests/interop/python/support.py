"""Names from tests/interop/seed.json and small helpers shared by the test modules."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from phase import CreateSecretsOptions, Phase, UpdateSecretOptions

# The server's request counters of a read's two endpoints: the session and the secrets.
TOKENS = "GET /secrets/tokens/"
SECRETS = "GET /secrets/"

APP = "interop-app"
E2EE_APP = "interop-e2ee"
DEV = "Development"
STAGING = "Staging"
PROD = "Production"

# Secrets of interop-app/Development at the root path, as seeded (references unresolved).
ROOT_KEYS = [
    "DB_HOST",
    "DB_PORT",
    "DATABASE_URL",
    "STAGING_DB_HOST",
    "STRIPE_SECRET_KEY",
    "EMPTY_VALUE",
    "MULTILINE_CERT",
    "UNICODE_VALUE",
]
DB_KEYS = ["DB_USER", "DB_PASSWORD"]
RESOLVED_DATABASE_URL = "postgres://app_user:dev-Pa55w0rd!@db.dev.internal:5432/app"

# The `sdk` fixture: an official-SDK client for a seeded token, by token name.
SdkFactory = Callable[[str], Phase]


def by_key(secrets: Iterable[Any]) -> dict[str, Any]:
    """Indexes SDK results (PhaseSecret objects or PhaseIO dicts) by key name."""
    out: dict[str, Any] = {}
    for secret in secrets:
        key = secret["key"] if isinstance(secret, dict) else secret.key
        assert key not in out, f"duplicate key {key} in one result"
        out[key] = secret
    return out


def create(
    phase: Phase,
    key_value_pairs: list[dict[str, str]],
    *,
    env: str = DEV,
    app: str = APP,
    **options: Any,
) -> str:
    """The SDK's create_secrets in app/env (more CreateSecretsOptions fields by keyword)."""
    return phase.create_secrets(
        CreateSecretsOptions(
            env_name=env, app_name=app, key_value_pairs=key_value_pairs, **options
        )
    )


def update(
    phase: Phase, key: str, *, env: str = DEV, app: str = APP, **options: Any
) -> str:
    """The SDK's update_secret of `key` in app/env (UpdateSecretOptions fields by keyword)."""
    return phase.update_secret(
        UpdateSecretOptions(env_name=env, app_name=app, key=key, **options)
    )


def bearer(token: str) -> str:
    """The Authorization header the SDKs derive from a pss_ token (PROTOCOL §2.1)."""
    prefix, version, app_token = token.split(":")[:3]
    if prefix == "pss_user":
        kind = "User"
    elif version == "v2":
        kind = "ServiceAccount"
    else:
        kind = "Service"
    return f"Bearer {kind} {app_token}"


def raw_request(
    url: str, token: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """GETs `path` with the token's bearer header; returns (status, decoded JSON body)."""
    request = urllib.request.Request(url + path, method="GET")
    request.add_header("Authorization", bearer(token))
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
