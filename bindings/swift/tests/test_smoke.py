"""Smoke test of the uniffi interface through uniffi's Python bindings, generated from the same
library as the Swift sources: the stand-in for running the Swift package where no Swift
compiler exists. Covers get, the error mapping (one PhaseError case per code, with code,
message, status, retry_after, retryable) and async (concurrency, cancellation)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import phasekit_ffi as pk

REPO_ROOT = Path(__file__).resolve().parents[3]
SEED = REPO_ROOT / "tests" / "server" / "seeds" / "demo.json"
sys.path.insert(0, str(REPO_ROOT / "tests" / "pysupport"))

from local_server import LocalServer, running_server  # noqa: E402

APP, DEV = "demo-app", "Development"
DEV_VALUES = {
    "DB_HOST": "localhost",
    "DB_PORT": "5432",
    "DB_PASSWORD": "dev-password",
    "DATABASE_URL": "postgres://app:dev-password@localhost:5432/app",
    "API_KEY": "sk_dev_51demo",
}


@pytest.fixture(scope="session")
def session_server() -> Iterator[LocalServer]:
    with running_server(LocalServer, SEED, "phasekit-uniffi-") as server:
        yield server


@pytest.fixture
def server(session_server: LocalServer) -> LocalServer:
    session_server.start_test()
    return session_server


def client(server: LocalServer, **options: object) -> pk.PhaseClient:
    return pk.PhaseClient(
        server.tokens["demo-sa-token"], pk.ClientOptions(host=server.url, **options)
    )


def test_get_resolves_and_never_prints_values(server: LocalServer) -> None:
    secrets = asyncio.run(client(server).get(app=APP, env=DEV))
    assert {s.key: s.value for s in secrets} == DEV_VALUES
    password = next(s for s in secrets if s.key == "DB_PASSWORD")
    assert (password.path, password.tags, password.app, password.env) == (
        "/db",
        ["database"],
        APP,
        DEV,
    )
    for secret in secrets:
        for shown in (str(secret), repr(secret), f"{[secret]}"):
            assert secret.key in shown and "redacted" in shown
            if secret.value:
                assert secret.value not in shown


def test_get_options_get_secret_and_app_id(server: LocalServer) -> None:
    c = client(server)
    db = asyncio.run(c.get(app=APP, env=DEV, options=pk.GetOptions(path="/db")))
    assert [(s.key, s.value) for s in db] == [("DB_PASSWORD", "dev-password")]
    raw = asyncio.run(
        c.get(app_id=server.app_id(APP), env=DEV, options=pk.GetOptions(keys=["DATABASE_URL"], raw=True))
    )
    assert raw[0].value.startswith("postgres://app:${/db/DB_PASSWORD}")
    secret = asyncio.run(c.get_secret("API_KEY", app=APP, env="Production"))
    assert secret.value == "sk_live_51demo" and secret.comment == "rotated quarterly"
    assert c.host() == server.url


def test_writes_export_apps(server: LocalServer) -> None:
    c = client(server)

    async def scenario() -> None:
        await c.create([pk.NewSecret(key="NEW", value="v1", tags=["t"])], app=APP, env=DEV)
        await c.update("NEW", pk.SecretChanges(value=""), app=APP, env=DEV)
        assert (await c.get_secret("NEW", app=APP)).value == ""
        assert await c.delete(["NEW", "NEVER"], app=APP, env=DEV) == ["NEVER"]
        dotenv = await c.export(app=APP, env="Staging")
        assert "DB_HOST=" in dotenv and "db.staging.internal" in dotenv
        apps = await c.apps()
        assert [a.name for a in apps] == [APP]
        envs = await c.environments(app=APP)
        assert [e.name for e in envs] == ["Development", "Staging", "Production"]
        await c.refresh()

    asyncio.run(scenario())


def test_errors_map_to_one_case_per_code(server: LocalServer) -> None:
    assert pk.error_codes() == [
        "invalid_token", "unauthorized", "forbidden", "app_not_found", "env_not_found",
        "secret_not_found", "ambiguous", "conflict", "invalid_input", "rate_limited",
        "network", "timeout", "tls", "server", "protocol", "decrypt_failed",
        "reference_unresolved", "reference_cycle", "offline_unavailable",
    ]
    # Swift reads the fields through the case's associated values or the methods message(),
    # status(), retryAfter(), retryable(); in Python the fields are attributes.
    with pytest.raises(pk.PhaseError.InvalidToken) as invalid:
        pk.PhaseClient("not-a-token")
    assert invalid.value.code() == "invalid_token" and not invalid.value.retryable

    c = client(server, max_retries=0)
    with pytest.raises(pk.PhaseError.AppNotFound) as missing:
        asyncio.run(c.get(app="no-such-app", env=DEV))
    assert isinstance(missing.value, pk.PhaseError)
    assert missing.value.code() == "app_not_found" and "no-such-app" in missing.value.message

    with pytest.raises(pk.PhaseError.SecretNotFound):
        asyncio.run(c.get_secret("NOPE", app=APP, env=DEV))
    with pytest.raises(pk.PhaseError.InvalidInput):
        asyncio.run(c.export(app=APP, env=DEV, format="toml"))
    with pytest.raises(pk.PhaseError.InvalidInput):
        asyncio.run(c.get(env=DEV))
    with pytest.raises(pk.PhaseError.Conflict) as conflict:
        asyncio.run(c.create([pk.NewSecret(key="DB_HOST", value="x")], app=APP, env=DEV))
    assert conflict.value.status == 409

    server.faults(throttle_next=1, retry_after=120)
    with pytest.raises(pk.PhaseError.RateLimited) as limited:
        asyncio.run(c.get(app=APP, env=DEV))
    e = limited.value
    assert (e.code(), e.status, e.retry_after, e.retryable) == ("rate_limited", 429, 120.0, True)
    for value in DEV_VALUES.values():
        assert value not in str(e)

    server.faults(fail_next=1, fail_status=500)
    with pytest.raises(pk.PhaseError.Server) as failed:
        asyncio.run(c.get(app=APP, env=DEV))
    assert failed.value.status == 500


def test_async_calls_run_concurrently_and_cancel(server: LocalServer) -> None:
    c = client(server)

    async def many() -> list[int]:
        results = await asyncio.gather(*(c.get(app=APP, env=DEV) for _ in range(24)))
        return [len(r) for r in results]

    assert asyncio.run(many()) == [len(DEV_VALUES)] * 24

    server.faults(latency_ms=3000)

    async def cancelled() -> float:
        task = asyncio.ensure_future(c.get(app=APP, env="Production"))
        await asyncio.sleep(0.2)
        task.cancel()
        start = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - start

    assert asyncio.run(cancelled()) < 1.0
    server.clear_faults()
    assert len(asyncio.run(c.get(app=APP, env="Staging"))) == 2
