"""The in-memory cache (`cache_ttl=`), `get_result()` and `stats()`: a read within the TTL
makes no request and says "memory"; concurrent readers of a cold cache share one fetch; an
unreachable server is bridged with the expired result ("stale"), a refusal is not; a write
through the client clears its cache. The counters match what the server saw, and the core's
read summaries and stale warnings reach `logging`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest

from phasekit import (
    GetResult,
    InvalidInputError,
    OfflineError,
    PermissionDeniedError,
    Stats,
)
from pkhelpers import APP, DB_VALUES, DEV, assert_text_leak_free, values

if TYPE_CHECKING:
    from conftest import PhasekitServer

# interop-app/Development/db: two secrets, no references (so one GET /secrets/ per read).
DB = "/db"


def test_a_read_within_the_ttl_makes_no_request(server: PhasekitServer) -> None:
    """The second read is answered from memory; get() shares the cache; other options
    (another folder) are another entry."""
    client = server.client(cache_ttl=60)
    first = client.get_result(APP, DEV, path=DB)
    assert isinstance(first, GetResult)
    assert first.source == "network"
    assert values(first.secrets) == DB_VALUES
    before = server.requests()

    second = client.get_result(APP, DEV, path=DB)
    assert second.source == "memory"
    assert values(second.secrets) == DB_VALUES
    assert values(client.get(APP, DEV, path=DB)) == DB_VALUES
    assert server.requests() == before
    assert repr(second) == 'GetResult(source="memory", secrets=2)'

    assert client.get_result(APP, DEV, path="/one").source == "network"
    stats = client.stats()
    assert (stats.cache_hits, stats.cache_misses) == (2, 2)


def test_without_a_ttl_every_read_asks_the_server(server: PhasekitServer) -> None:
    """No cache_ttl, no cache: both reads are "network" and counted as such."""
    client = server.client()
    assert client.get_result(APP, DEV, path=DB).source == "network"
    assert client.get_result(APP, DEV, path=DB).source == "network"
    assert server.count("GET /secrets/") == 2
    stats = client.stats()
    assert (stats.cache_hits, stats.cache_misses) == (0, 0)


def test_concurrent_readers_of_a_cold_cache_share_one_fetch(
    server: PhasekitServer,
) -> None:
    """32 threads read at once: one GET /secrets/tokens/ and one GET /secrets/; one
    result is "network", the others "memory", all the same."""
    client = server.client(cache_ttl=60)
    start = threading.Barrier(32)

    def read(_: int) -> GetResult:
        start.wait(timeout=10)
        return client.get_result(APP, DEV, path=DB)

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(read, range(32)))
    assert server.count("GET /secrets/tokens/") == 1
    assert server.count("GET /secrets/") == 1
    sources = [result.source for result in results]
    assert sorted(set(sources)) == ["memory", "network"]
    assert sources.count("network") == 1
    assert all(values(result.secrets) == DB_VALUES for result in results)


def test_an_unreachable_server_is_bridged_but_a_refusal_is_not(
    server: PhasekitServer,
) -> None:
    """Past the TTL with the server failing (503, no retries) the expired result stands in
    as "stale"; a 403 is raised as is; once the server answers, "network" again."""
    client = server.client(cache_ttl=0.2, cache_stale_if_error=60, max_retries=0)
    assert client.get_result(APP, DEV, path=DB).source == "network"
    time.sleep(0.3)
    server.faults(fail_next=100, fail_status=503, path="/secrets/")
    stale = client.get_result(APP, DEV, path=DB)
    assert stale.source == "stale"
    assert values(stale.secrets) == DB_VALUES

    server.faults(fail_next=100, fail_status=403, path="/secrets/")
    with pytest.raises(PermissionDeniedError) as caught:
        client.get_result(APP, DEV, path=DB)
    assert not isinstance(caught.value, OfflineError)
    assert caught.value.retryable is False

    server.clear_faults()
    assert client.get_result(APP, DEV, path=DB).source == "network"


def test_a_write_through_the_client_clears_its_cache(server: PhasekitServer) -> None:
    """Another client's write is not seen within the TTL; the client's own write is, at
    once, through a fresh fetch."""
    client = server.client(cache_ttl=60)
    other = server.client()
    client.get_result(APP, DEV, path=DB)

    other.create([{"key": "OTHERS_NEW", "value": "others-value-1", "path": DB}], APP)
    unchanged = client.get_result(APP, DEV, path=DB)
    assert unchanged.source == "memory"
    assert "OTHERS_NEW" not in values(unchanged.secrets)

    client.create([{"key": "OWN_NEW", "value": "own-value-1", "path": DB}], APP)
    fresh = client.get_result(APP, DEV, path=DB)
    assert fresh.source == "network"
    assert {"OTHERS_NEW", "OWN_NEW"} <= set(values(fresh.secrets))


def test_the_async_client_reads_through_its_cache(server: PhasekitServer) -> None:
    """AsyncClient.get_result is awaitable and shares the same cache semantics."""
    client = server.async_client(cache_ttl=60)

    async def main() -> list[str]:
        first = await client.get_result(APP, DEV, path=DB)
        second = await client.get_result(APP, DEV, path=DB)
        return [first.source, second.source]

    assert asyncio.run(main()) == ["network", "memory"]
    assert server.count("GET /secrets/") == 1
    assert client.stats().cache_hits == 1


def test_stats_count_what_the_server_saw(server: PhasekitServer) -> None:
    """Requests (each attempt), retries, failures and 429s as the server counted them;
    unchanged secrets are not decrypted again."""
    client = server.client()
    client.get(APP, DEV, path=DB)
    first = client.stats()
    assert first.requests == 2 == sum(server.requests().values())
    assert (first.retries, first.failures, first.rate_limited) == (0, 0, 0)
    assert first.decrypted_fields > 0
    assert first.decrypt_time > 0.0

    server.faults(fail_next=1, fail_status=503, path="/secrets/")
    client.get(APP, DEV, path=DB)
    server.faults(throttle_next=1, retry_after=0, path="/secrets/")
    client.get(APP, DEV, path=DB)
    stats = client.stats()
    assert stats.requests == 6 == sum(server.requests().values())
    assert (stats.retries, stats.failures, stats.rate_limited) == (2, 2, 1)
    assert stats.decrypted_fields == first.decrypted_fields
    assert (stats.cache_hits, stats.cache_misses, stats.offline_served) == (0, 0, 0)


def test_stats_are_plain_values(server: PhasekitServer) -> None:
    """Equal snapshots compare equal; as_dict() and repr() name every counter; the
    AsyncClient's stats() is a plain method too."""
    client = server.client()
    assert isinstance(client.stats(), Stats)
    assert client.stats() == client.stats()
    fields = client.stats().as_dict()
    assert list(fields) == [
        "requests",
        "retries",
        "rate_limited",
        "failures",
        "cache_hits",
        "cache_misses",
        "offline_served",
        "decrypted_fields",
        "decrypt_time",
    ]
    assert all(value == 0 for value in fields.values())
    assert repr(client.stats()).startswith("Stats(requests=0, retries=0, ")
    assert server.async_client().stats() == client.stats()


@pytest.mark.parametrize(
    "options",
    [{"cache_ttl": 0}, {"cache_ttl": -1.0}, {"cache_stale_if_error": 5.0}],
    ids=["zero-ttl", "negative-ttl", "stale-without-ttl"],
)
def test_bad_cache_settings_are_invalid_input(
    server: PhasekitServer, options: dict[str, float]
) -> None:
    """A non-positive TTL, or stale-if-error without a TTL, is refused when building."""
    with pytest.raises(InvalidInputError, match="cache_"):
        server.client(**options)


def test_reads_and_stale_answers_are_logged(
    server: PhasekitServer, caplog: pytest.LogCaptureFixture
) -> None:
    """With debug=True each read logs its source on phasekit.client.get ("network",
    "memory", "stale"), and serving an expired result is a WARNING on phasekit.client.cache;
    no record shows a value or a token part."""
    caplog.set_level(logging.INFO, logger="phasekit")
    client = server.client(cache_ttl=0.2, max_retries=0, debug=True)
    client.get(APP, DEV, path=DB)
    client.get(APP, DEV, path=DB)
    time.sleep(0.3)
    server.faults(fail_next=100, fail_status=503, path="/secrets/")
    client.get(APP, DEV, path=DB)

    summaries = [
        record.getMessage().split(" decrypted=")[0]
        for record in caplog.records
        if record.name == "phasekit.client.get"
    ]
    assert summaries == [
        "phase get secrets=2 source=network",
        "phase get secrets=2 source=memory",
        "phase get secrets=2 source=stale",
    ]
    warnings = [
        record
        for record in caplog.records
        if record.name == "phasekit.client.cache" and record.levelno == logging.WARNING
    ]
    assert len(warnings) == 1
    assert "serving an expired cached result" in warnings[0].getMessage()
    assert_text_leak_free(
        "\n".join(record.getMessage() for record in caplog.records),
        "the log records",
        tokens=[server.tokens["sa-token"]],
    )
