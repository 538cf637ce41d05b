"""Threads and processes: the GIL is released during calls; one Client is shared safely by
many threads; a Client keeps working across os.fork() (in the child and the parent)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from phasekit import AsyncClient, Client
from pkhelpers import APP, DB_VALUES, DEV, PROD, values

if TYPE_CHECKING:
    from conftest import PhasekitServer

LATENCY_MS = 300
CHILD_DEADLINE_SECONDS = 30.0

needs_fork = pytest.mark.skipif(
    not hasattr(os, "fork"), reason="os.fork is not available on this platform"
)


def run_in_threads(count: int, work: Callable[[int], None]) -> float:
    """Starts `count` threads together on `work(index)`; returns the wall time until all
    have finished. Exceptions in threads are re-raised here."""
    barrier = threading.Barrier(count + 1)
    errors: list[BaseException] = []

    def body(index: int) -> None:
        barrier.wait()
        try:
            work(index)
        except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a thread did not finish within 60 s"
    elapsed = time.monotonic() - started
    if errors:
        raise errors[0]
    return elapsed


def test_two_blocking_gets_overlap(server: PhasekitServer, client: Client) -> None:
    """Two threads each doing a 300 ms get finish in well under 600 ms: the GIL is
    released while a call waits, so both calls are in flight at once."""
    client.get(APP, DEV, path="/db")  # warm: one request per get from now on
    server.faults(latency_ms=LATENCY_MS)
    results: list[dict[str, str]] = [{}, {}]

    def work(index: int) -> None:
        results[index] = values(client.get(APP, DEV, path="/db"))

    elapsed = run_in_threads(2, work)
    assert results == [DB_VALUES, DB_VALUES]
    assert elapsed >= LATENCY_MS / 1000 * 0.95
    assert elapsed < 0.5, f"two 300 ms gets took {elapsed:.3f}s: they did not overlap"


def test_python_code_runs_while_a_get_waits(
    server: PhasekitServer, client: Client
) -> None:
    """While one thread is blocked in a 300 ms get, the main thread keeps executing
    Python bytecode (it would be stalled if the call held the GIL)."""
    client.get_secret("DB_HOST", APP)
    server.faults(latency_ms=LATENCY_MS)
    finished = threading.Event()
    seen: list[str] = []

    def work() -> None:
        seen.append(client.get_secret("DB_HOST", APP).value)
        finished.set()

    thread = threading.Thread(target=work)
    started = last = time.monotonic()
    thread.start()
    longest_stall = 0.0
    while not finished.is_set():
        now = time.monotonic()
        longest_stall = max(longest_stall, now - last)
        last = now
    elapsed = time.monotonic() - started
    thread.join()
    assert seen == ["db.dev.internal"]
    assert elapsed >= 0.25
    # Holding the GIL through the call would freeze this loop for about 300 ms.
    assert longest_stall < 0.1, f"the main thread stalled {longest_stall:.3f}s"


def test_sixteen_threads_share_one_client(server: PhasekitServer) -> None:
    """16 threads × 13 gets (208) on one cold Client: every result is the same, the
    session is fetched exactly once, and every get costs exactly one request."""
    client = server.client()
    per_thread = 13
    results: list[list[dict[str, str]]] = [[] for _ in range(16)]

    def work(index: int) -> None:
        for round_ in range(per_thread):
            if round_ % 2:
                results[index].append(values(client.get(APP, DEV, path="/db")))
            else:
                secret = client.get_secret("DB_PASSWORD", APP, path="/db")
                results[index].append({"DB_PASSWORD": secret.value})

    run_in_threads(16, work)
    for per_thread_results in results:
        assert len(per_thread_results) == per_thread
        for round_, result in enumerate(per_thread_results):
            expected = (
                DB_VALUES if round_ % 2 else {"DB_PASSWORD": DB_VALUES["DB_PASSWORD"]}
            )
            assert result == expected
    assert server.requests() == {
        "GET /secrets/tokens/": 1,
        "GET /secrets/": 16 * per_thread,
    }


def test_threads_mixing_reads_and_writes(server: PhasekitServer) -> None:
    """8 threads each create, read back, update and delete their own secret on a shared
    Client; every thread sees exactly its own values."""
    client = server.client()

    def work(index: int) -> None:
        key = f"THREAD_{index}"
        client.create([{"key": key, "value": f"v1-{index}"}], APP)
        assert client.get_secret(key, APP).value == f"v1-{index}"
        client.update(key, APP, value=f"v2-{index}")
        assert client.get_secret(key, APP).value == f"v2-{index}"
        assert client.delete([key], APP) == []

    run_in_threads(8, work)
    assert [s.key for s in client.get(APP, DEV) if s.key.startswith("THREAD_")] == []


def fork_and_wait(child: Callable[[], bool]) -> int:
    """Forks; the child runs `child()` and exits 0 if it returned True, 1 if False, 2 on
    an exception. The parent waits (at most 30 s) and returns the child's exit code."""
    sys.stdout.flush()
    sys.stderr.flush()
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads (the core's runtime).
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 2
        try:
            code = 0 if child() else 1
        except BaseException as error:  # noqa: BLE001 - reported through the exit code
            try:
                os.write(2, f"fork child failed: {error!r}\n".encode())
            except OSError:
                pass
        finally:
            os._exit(code)
    deadline = time.monotonic() + CHILD_DEADLINE_SECONDS
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung (killed after 30 s)")
        time.sleep(0.01)


@needs_fork
def test_client_used_before_fork_works_in_the_child(
    server: PhasekitServer, client: Client
) -> None:
    """After the parent used a Client, a forked child reads through the same Client
    (reusing its cached session: no second /secrets/tokens/) and through a new one."""
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"
    token, url = server.tokens["sa-token"], server.url

    def child() -> bool:
        inherited = client.get_secret("DB_PORT", APP, PROD).value
        fresh = Client(token, url).get_secret("DB_USER", APP, path="/db").value
        return (inherited, fresh) == ("6432", "app_user")

    assert fork_and_wait(child) == 0
    assert server.requests() == {"GET /secrets/tokens/": 2, "GET /secrets/": 3}
    # And the parent carries on with the same client.
    assert client.get_secret("DB_HOST", APP, PROD).value == "db.prod.internal"


@needs_fork
def test_async_client_in_a_forked_child(server: PhasekitServer, client: Client) -> None:
    """After the parent used both clients, the child runs an AsyncClient under
    asyncio.run (the core's runtime is rebuilt after fork)."""
    assert client.get_secret("DB_HOST", APP).value == "db.dev.internal"
    token, url = server.tokens["sa-token"], server.url

    async def parent_side() -> str:
        return (await AsyncClient(token, url).get_secret("DB_PORT", APP)).value

    assert asyncio.run(parent_side()) == "5432"

    def child() -> bool:
        async def main() -> tuple[str, str]:
            async_client = AsyncClient(token, url)
            first = await async_client.get_secret("DB_HOST", APP, PROD)
            both = await asyncio.gather(
                async_client.get(APP, DEV, path="/db"),
                async_client.get_secret("DB_PORT", APP, PROD),
            )
            return first.value, values(both[0])["DB_PASSWORD"] + both[1].value

        return asyncio.run(main()) == ("db.prod.internal", "dev-Pa55w0rd!6432")

    assert fork_and_wait(child) == 0
    assert asyncio.run(parent_side()) == "5432"


@needs_fork
def test_fork_while_other_threads_are_busy(
    server: PhasekitServer, client: Client
) -> None:
    """Forking while another thread is inside a (slow) get: the child's own gets still
    complete (no lock inherited in a held state blocks it)."""
    client.get_secret("DB_HOST", APP)
    server.faults(latency_ms=500, path_prefix="/secrets/")
    background = threading.Thread(target=lambda: client.get_secret("DB_HOST", APP))
    background.start()
    time.sleep(0.1)  # the background get is now waiting on the server
    token, url = server.tokens["sa-token"], server.url

    def child() -> bool:
        fresh = Client(token, url).get_secret("DB_HOST", APP, PROD).value
        inherited = client.get_secret("DB_PORT", APP, PROD).value
        return (fresh, inherited) == ("db.prod.internal", "6432")

    try:
        assert fork_and_wait(child) == 0
    finally:
        background.join(timeout=10)
