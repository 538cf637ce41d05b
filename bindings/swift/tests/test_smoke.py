"""Smoke test of the uniffi interface through uniffi's Python bindings, generated from the same
library as the Swift sources: the stand-in for running the Swift package where no Swift
compiler exists. Covers get, the error mapping (one PhaseError case per code, with code,
message, status, retry_after, retryable), async (concurrency, cancellation), get_result with the
in-memory and offline caches, stats, the Watcher (next, transient errors, close) and cloud
identity login."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import sys
import time
from collections.abc import Callable, Iterator
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


def secrets_requests(server: LocalServer) -> int:
    counts: dict[str, int] = server.request_counts()["by_endpoint"]
    return counts.get("GET /secrets/", 0)


async def eventually(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


def test_get_result_caches_and_stats(server: LocalServer, tmp_path: Path) -> None:
    cached = client(server, cache_ttl=60.0)

    async def twice() -> tuple[pk.GetResult, pk.GetResult]:
        first = await cached.get_result(app=APP, env=DEV)
        server.reset_requests()
        return first, await cached.get_result(app=APP, env=DEV)

    first, second = asyncio.run(twice())
    assert (first.source, second.source) == (pk.Source.NETWORK, pk.Source.MEMORY)
    assert {s.key: s.value for s in second.secrets} == DEV_VALUES
    assert server.request_counts()["total"] == 0
    stats = cached.stats()
    assert (stats.cache_hits, stats.cache_misses, stats.failures) == (1, 1, 0)
    assert stats.requests >= 2 and stats.decrypted_fields > 0 and stats.decrypt_time > 0

    asyncio.run(client(server, offline_cache_dir=str(tmp_path)).get(app=APP, env=DEV))
    server.reset_requests()
    offline = client(server, offline_cache_dir=str(tmp_path), offline=True)
    result = asyncio.run(offline.get_result(app=APP, env=DEV))
    assert result.source == pk.Source.OFFLINE
    assert {s.key: s.value for s in result.secrets} == DEV_VALUES
    with pytest.raises(pk.PhaseError.OfflineUnavailable):
        asyncio.run(offline.create([pk.NewSecret(key="NEW", value="v")], app=APP, env=DEV))
    assert server.request_counts()["total"] == 0 and offline.stats().requests == 0
    with pytest.raises(pk.PhaseError.InvalidInput):
        client(server, offline=True)


def test_watcher_next_errors_and_close(server: LocalServer) -> None:
    watching = client(server, max_retries=0)
    writer = client(server)

    async def scenario() -> None:
        watcher = watching.watch(
            app=APP,
            env=DEV,
            options=pk.GetOptions(raw=True),
            watch=pk.WatchOptions(interval=0.1, max_backoff=0.3),
        )
        await eventually("the first poll", lambda: secrets_requests(server) >= 1)
        await writer.create([pk.NewSecret(key="WATCHED", value="w")], app=APP, env=DEV)
        change = await asyncio.wait_for(watcher.next(), 10)
        assert change is not None
        assert (change.added, change.changed, change.removed) == (["WATCHED"], [], [])

        # A transient failure is thrown, and the watch goes on.
        server.faults(path="/secrets/", fail_next=1, fail_status=503)
        with pytest.raises(pk.PhaseError.Server) as failed:
            await asyncio.wait_for(watcher.next(), 10)
        assert failed.value.retryable
        await writer.update("DB_HOST", pk.SecretChanges(value="moved"), app=APP, env=DEV)
        change = await asyncio.wait_for(watcher.next(), 10)
        assert change is not None and change.changed == ["DB_HOST"]

        # close() ends a pending next() and the polling.
        pending = asyncio.ensure_future(watcher.next())
        await asyncio.sleep(0.15)
        watcher.close()
        assert await asyncio.wait_for(pending, 5) is None
        assert await watcher.next() is None
        polls = secrets_requests(server)
        await asyncio.sleep(0.4)
        assert secrets_requests(server) == polls

    asyncio.run(scenario())
    with pytest.raises(pk.PhaseError.InvalidInput):
        watching.watch(app=APP, env=DEV, watch=pk.WatchOptions(interval=0.0))


TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
TENANT_KEY = "uniffi-tenant-signing-key"
OID = "9a0f2c3e-1111-4a5b-8c7d-000000000001"
AWS_KEY = "AKIAUNIFFIWEB0000001"
AWS_SECRET = "uniffi-web-secret/Key+1xxxxxxxxxxxxxxxxx"
IDENTITY_SEED = {
    "apps": [
        {
            "name": "cloud-app",
            "environments": ["Development"],
            "secrets": {"Development": [{"key": "CLOUD_DB_HOST", "value": "cloud-db.uniffi.example"}]},
        }
    ],
    "service_accounts": [
        {
            "name": "deployer",
            "access": {"cloud-app": "*"},
            "server_side_key_management": True,
            "identities": [
                {"provider": "aws_iam", "trusted_principals": ["arn:aws:sts::123456789012:assumed-role/app-*/*"]},
                {"provider": "azure_entra", "tenant_id": TENANT, "allowed_service_principal_ids": [OID]},
            ],
        }
    ],
    "aws_credentials": [
        {
            "access_key_id": AWS_KEY,
            "secret_access_key": AWS_SECRET,
            "arn": "arn:aws:sts::123456789012:assumed-role/app-web/i-0uniffi",
        }
    ],
    "azure_tenants": [{"tenant_id": TENANT, "signing_key": TENANT_KEY}],
}


def entra_jwt(key: str) -> str:
    """An Entra ID access token of the seeded tenant, HS256 as the local server expects."""

    def encode(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "aud": "https://management.azure.com/", "iss": f"https://sts.windows.net/{TENANT}/",
        "iat": now - 10, "nbf": now - 10, "exp": now + 600,
        "oid": OID, "sub": OID, "tid": TENANT, "ver": "1.0",
    }
    signing_input = encode(b'{"alg":"HS256","typ":"JWT"}') + "." + encode(json.dumps(claims).encode())
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + encode(signature)


def test_cloud_identity_login(server: LocalServer) -> None:
    answer = server.admin("PUT", "/_admin/world", IDENTITY_SEED)
    account = next(a["id"] for a in answer["state"]["accounts"] if a["name"] == "deployer")
    options = pk.ClientOptions(host=server.url)

    async def scenario() -> None:
        aws = await pk.login_aws_iam(
            account, access_key_id=AWS_KEY, secret_access_key=AWS_SECRET, region="us-east-1",
            ttl=900, options=options,
        )
        assert (await aws.get_secret("CLOUD_DB_HOST", app="cloud-app")).value == "cloud-db.uniffi.example"
        azure = await pk.login_azure(account, jwt=entra_jwt(TENANT_KEY), options=options)
        assert len(await azure.get(app="cloud-app")) == 1

        wrong = "uniffi-wrong-secret/Key+9xxxxxxxxxxxxxxxx"
        with pytest.raises(pk.PhaseError.Unauthorized) as refused:
            await pk.login_aws_iam(
                account, access_key_id=AWS_KEY, secret_access_key=wrong, region="us-east-1",
                options=options,
            )
        forged = entra_jwt("not-the-tenant-key")
        with pytest.raises(pk.PhaseError.Unauthorized) as forged_refused:
            await pk.login_azure(account, jwt=forged, options=options)
        for error in (refused.value, forged_refused.value):
            shown = f"{error} {error!r} {error.message}"
            for secret in (wrong, AWS_SECRET, forged, forged.rsplit(".", 1)[1]):
                assert secret not in shown

    asyncio.run(scenario())
