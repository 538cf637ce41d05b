"""AsyncClient: the same operations as awaitables, errors raised from awaits, `async with`.

The tests drive coroutines with asyncio.run (no pytest-asyncio needed).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest

import phasekit
from phasekit import (
    AsyncClient,
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
)
from pkhelpers import (
    APP,
    DB_VALUES,
    DEV,
    PROD,
    REFS_APP,
    RESOLVED_DATABASE_URL,
    ROOT_RAW,
    values,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer


def test_async_get_variants(server: PhasekitServer) -> None:
    """await get(): all folders, a path, keys, tag, raw, by app_id; get_secret."""

    async def main() -> None:
        client = server.async_client()
        everything = await client.get(APP, DEV)
        assert len(everything) == 12
        assert values(await client.get(APP, DEV, path="/db")) == DB_VALUES
        assert values(await client.get(APP, DEV, path="/", raw=True)) == ROOT_RAW
        resolved = values(await client.get(APP, DEV, keys=["DATABASE_URL"]))
        assert resolved == {"DATABASE_URL": RESOLVED_DATABASE_URL}
        tagged = await client.get(APP, DEV, tag="payments")
        assert [s.key for s in tagged] == ["STRIPE_SECRET_KEY"]
        by_id = await client.get(app_id=server.app_id(APP), env=PROD)
        assert values(by_id) == {"DB_HOST": "db.prod.internal", "DB_PORT": "6432"}
        secret = await client.get_secret("DB_USER", APP, path="/db")
        assert (secret.key, secret.value, secret.path) == ("DB_USER", "app_user", "/db")

    asyncio.run(main())


def test_async_write_round_trip(server: PhasekitServer) -> None:
    """await create/update/delete change what await get_secret returns."""

    async def main() -> None:
        client = server.async_client()
        await client.create(
            [{"key": "ASYNC_KEY", "value": "v1", "comment": "async", "tags": ["t"]}],
            APP,
        )
        first = await client.get_secret("ASYNC_KEY", APP)
        assert (first.value, first.comment, first.tags) == ("v1", "async", ["t"])
        await client.update("ASYNC_KEY", APP, value="", new_path="/async")
        moved = await client.get_secret("ASYNC_KEY", APP, path="/async")
        assert (moved.value, moved.comment, moved.tags) == ("", "async", ["t"])
        assert await client.delete(["ASYNC_KEY", "MISSING"], APP, path="/async") == [
            "MISSING"
        ]
        assert await client.get(APP, DEV, keys=["ASYNC_KEY"]) == []

    asyncio.run(main())


def test_async_export_apps_environments_and_leases(server: PhasekitServer) -> None:
    """await export/apps/environments/lease_generate/lease_renew/lease_revoke."""

    async def main() -> None:
        client = server.async_client()
        assert await client.export(APP, DEV, "dotenv", path="/db") == (
            'DB_USER="app_user"\nDB_PASSWORD="dev-Pa55w0rd!"\n'
        )
        apps = await client.apps()
        assert APP in [a.name for a in apps]
        envs = await client.environments(APP)
        assert [e.name for e in envs] == [DEV, "Staging", PROD]
        dynamic = [s for s in await client.get(APP, dynamic=True) if s.is_dynamic]
        leased = await client.lease_generate(dynamic[0].id, APP, ttl=60)
        lease_id = leased[0].lease_id
        assert lease_id is not None and len(leased[0].value) == 40
        renewed = await client.lease_renew(lease_id, 120, APP)
        assert renewed.startswith("Lease renewed successfully")
        assert await client.lease_revoke(lease_id, APP) == "Lease revoked successfully"

    asyncio.run(main())


def test_errors_are_raised_from_the_await(
    server: PhasekitServer, closed_port_url: str
) -> None:
    """Failures surface when awaited, as the same PhaseError subclasses as Client's."""

    async def main() -> None:
        client = server.async_client()
        awaitable = client.get_secret("NOPE", APP)
        with pytest.raises(NotFoundError) as missing:
            await awaitable
        assert missing.value.code == "secret_not_found"
        with pytest.raises(ConflictError):
            await client.create([{"key": "DB_HOST", "value": "x"}], APP)
        with pytest.raises(phasekit.SecretReferenceError):
            await client.get(REFS_APP, strict=True)
        with pytest.raises(AuthenticationError) as expired:
            await server.async_client("sa-expired").get(APP)
        assert (expired.value.code, expired.value.status) == ("unauthorized", 403)
        refused = AsyncClient(server.tokens["sa-token"], closed_port_url, max_retries=0)
        with pytest.raises(phasekit.NetworkError) as network:
            await refused.get(APP)
        assert network.value.code == "network"
        server.faults(throttle_next=1, retry_after=120)
        with pytest.raises(RateLimitError) as throttled:
            await client.get(APP)
        assert throttled.value.retry_after == 120.0 and throttled.value.retryable
        server.faults(latency_ms=1000)
        slow = server.async_client(timeout=0.2, max_retries=0)
        with pytest.raises(RequestTimeoutError):
            await slow.get(APP)
        server.clear_faults()

    asyncio.run(main())


def test_argument_errors_are_raised_at_call_time(server: PhasekitServer) -> None:
    """Invalid arguments raise InvalidInputError when called, before anything is awaited."""

    async def main() -> None:
        client = server.async_client()
        with pytest.raises(InvalidInputError):
            client.get()
        with pytest.raises(InvalidInputError):
            client.export(APP, format="docx")  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            client.create([{"key": "K"}], APP)  # type: ignore[typeddict-item]

    asyncio.run(main())
    assert server.requests() == {}


def test_async_context_manager(server: PhasekitServer) -> None:
    """`async with` yields the same client and drops its session on exit; exceptions
    inside the block propagate."""

    async def main() -> None:
        client = server.async_client()
        async with client as entered:
            assert entered is client
            assert (await entered.get_secret("DB_HOST", APP)).value == "db.dev.internal"
        assert server.requests() == {"GET /secrets/tokens/": 1, "GET /secrets/": 1}
        await client.get_secret("DB_HOST", APP)
        assert server.requests()["GET /secrets/tokens/"] == 2
        with pytest.raises(KeyError):
            async with server.async_client() as other:
                await other.get_secret("DB_HOST", APP)
                raise KeyError("inside")
        await client.refresh()
        await client.close()
        await client.get_secret("DB_HOST", APP)
        assert server.requests()["GET /secrets/tokens/"] == 4

    asyncio.run(main())


def test_async_from_env_and_host(
    server: PhasekitServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AsyncClient.from_env() reads PHASE_SERVICE_TOKEN and PHASE_HOST."""
    monkeypatch.setenv("PHASE_SERVICE_TOKEN", server.tokens["sa-token"])
    monkeypatch.setenv("PHASE_HOST", server.url)

    async def main() -> str:
        client = AsyncClient.from_env()
        assert client.host == server.url
        assert repr(client) == f'AsyncClient(host="{server.url}")'
        return (await client.get_secret("DB_HOST", APP, PROD)).value

    assert asyncio.run(main()) == "db.prod.internal"


def test_concurrent_awaits_share_one_session(server: PhasekitServer) -> None:
    """50 gathered gets on one cold client: one /secrets/tokens/, 50 /secrets/, all equal."""

    async def main() -> list[dict[str, str]]:
        client = server.async_client()
        results = await asyncio.gather(
            *(client.get(APP, DEV, path="/db") for _ in range(50))
        )
        return [values(result) for result in results]

    results = asyncio.run(main())
    assert results == [DB_VALUES] * 50
    assert server.requests() == {"GET /secrets/tokens/": 1, "GET /secrets/": 50}


def test_awaiting_does_not_block_the_event_loop(server: PhasekitServer) -> None:
    """While a get waits 300 ms on the server, other coroutines keep running."""

    async def main() -> tuple[int, float]:
        client = server.async_client()
        await client.get_secret("DB_HOST", APP)
        server.faults(latency_ms=300)
        ticks = 0
        done = False

        async def ticker() -> None:
            nonlocal ticks
            while not done:
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.ensure_future(ticker())
        started = time.monotonic()
        secret = await client.get_secret("DB_HOST", APP)
        elapsed = time.monotonic() - started
        done = True
        await task
        assert secret.value == "db.dev.internal"
        return ticks, elapsed

    ticks, elapsed = asyncio.run(main())
    assert elapsed >= 0.29
    assert ticks >= 10, f"the loop ran only {ticks} ticks in {elapsed:.2f}s"


def test_cancelled_await_leaves_the_client_usable(server: PhasekitServer) -> None:
    """asyncio.wait_for cancelling a slow get raises TimeoutError; the client works after."""

    async def main() -> str:
        client = server.async_client()
        await client.get_secret("DB_HOST", APP)
        server.faults(latency_ms=2000, path_prefix="/secrets/")
        started = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.get(APP), timeout=0.2)
        assert time.monotonic() - started < 1.0
        server.clear_faults()
        return (await client.get_secret("DB_PORT", APP, PROD)).value

    assert asyncio.run(main()) == "6432"


def test_an_async_client_outlives_one_event_loop(server: PhasekitServer) -> None:
    """One AsyncClient used from two successive asyncio.run loops keeps its session."""
    client = server.async_client()

    async def read(key: str) -> str:
        return (await client.get_secret(key, APP)).value

    assert asyncio.run(read("DB_HOST")) == "db.dev.internal"
    assert asyncio.run(read("DB_PORT")) == "5432"
    assert server.requests() == {"GET /secrets/tokens/": 1, "GET /secrets/": 2}


def test_awaited_none_methods_return_none(server: PhasekitServer) -> None:
    """create/update/refresh/close/__aexit__ resolve to None, as the stubs declare."""

    async def main() -> list[object]:
        client: Any = server.async_client()  # the values the stubs call None
        return [
            await client.create([{"key": "RET_KEY", "value": "v"}], APP),
            await client.update("RET_KEY", APP, value="w"),
            await client.refresh(),
            await client.close(),
            await client.__aexit__(None, None, None),
        ]

    assert asyncio.run(main()) == [None] * 5


def test_exiting_right_after_an_await_does_not_crash(server: PhasekitServer) -> None:
    """A program that exits as soon as its last await returned exits cleanly: the runtime
    thread that handed over the result may still be leaving Python then, and taking the
    GIL back during finalization aborted the process (SIGABRT/SIGSEGV) in about one run
    in six. Ten runs, three at a time."""
    script = textwrap.dedent(f"""
        import asyncio
        from phasekit import AsyncClient

        async def main():
            client = AsyncClient({server.tokens["sa-token"]!r}, {server.url!r})
            await asyncio.gather(*(client.get_secret("DB_HOST", {APP!r}) for _ in range(8)))

        asyncio.run(main())
        """)

    def run(_: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )

    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(run, range(10)))
    failed = [(r.returncode, r.stderr[-300:]) for r in runs if r.returncode != 0]
    assert failed == []
