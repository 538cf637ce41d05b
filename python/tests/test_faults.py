"""Fault matrix: every network operation of Client and AsyncClient against a burst of 5xx
answers, 429 with a short and with a long Retry-After, a dropped connection and a server
slower than the call's deadline.

Reads are retried within the budget and return the right data. Writes (POST/PUT/DELETE)
and lease_generate (a GET, but each answer creates a lease) are never repeated once they
may have reached the server, so they fail with the fault. The server counts requests per
endpoint, which is how "retried" and "not repeated" are proven. Retries back off from
200 ms (not configurable from Python), so bursts are short.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from phasekit import (
    AsyncClient,
    Client,
    NetworkError,
    PhaseError,
    ProtocolError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)
from pkhelpers import (
    APP,
    DB_VALUES,
    DEV,
    PROD,
    STAGING,
    assert_leak_free,
    invoke,
    values,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer

# The call's budget in the slow-server case, and how slow the server is then.
DEADLINE = 0.4
LATENCY_MS = 700
# What a call may overrun its deadline by (scheduling on a busy two-core machine).
DEADLINE_MARGIN = 0.4
# Any other call in this module must finish well within this.
DEFAULT_DEADLINE = 10.0

DB_DOTENV = 'DB_USER="app_user"\nDB_PASSWORD="dev-Pa55w0rd!"\n'
NEW_VALUE = "fault-matrix-new-value"
CHANGED_VALUE = "fault-matrix-changed-value"
Context = dict[str, str]


def loaded(keys: Any) -> tuple[Any, dict[str, str]]:
    """What load_env returned, and what it put into os.environ."""
    return keys, {key: os.environ.get(key, "") for key in DB_VALUES}


def leased(secrets: Any) -> tuple[list[str], bool]:
    """The keys of a lease's credentials, and whether each carries the lease id."""
    return sorted(s.key for s in secrets), all(s.lease_id for s in secrets)


def not_created(helper: Client, _: Context) -> None:
    assert helper.get(APP, DEV, keys=["FAULT_NEW"]) == []


def db_host_intact(helper: Client, _: Context) -> None:
    assert helper.get_secret("DB_HOST", APP).value == "db.dev.internal"


def lease_still_active(helper: Client, context: Context) -> None:
    revoked = helper.lease_revoke(context["lease_id"], APP)
    assert revoked == "Lease revoked successfully"


@dataclass(frozen=True)
class Operation:
    """One network method: how to call it, which request the faults aim at, and how to
    tell that it worked (reads) or changed nothing (writes, once they failed)."""

    name: str
    # "METHOD /path/" of the request the fault is aimed at.
    endpoint: str
    call: Callable[[Any, Context], Any]
    # Reads: observe(result) must equal expected.
    observe: Callable[[Any], Any] = lambda result: result
    expected: Any = None
    # Writes that failed: what proves that nothing changed on the server.
    unchanged: Callable[[Client, Context], None] | None = None
    # apps()/environments() are answered from the session: their request is its fetch.
    cold: bool = False
    # update/delete look the secret up (GET /secrets/) before writing to the same path.
    lookup_first: bool = False
    # What the call needs made beforehand: a dynamic secret's id, a lease.
    needs: tuple[str, ...] = ()
    # A GET that changes something on the server: not repeated, like a write.
    creates: bool = False

    @property
    def writes(self) -> bool:
        """Whether the call changes something, so that it must not be repeated."""
        return self.creates or not self.endpoint.startswith("GET ")

    @property
    def path(self) -> str:
        return self.endpoint.split(" ", 1)[1]


OPERATIONS = [
    Operation(
        "get",
        "GET /secrets/",
        lambda c, _: c.get(APP, DEV, path="/db"),
        values,
        DB_VALUES,
    ),
    Operation(
        "get_result",
        "GET /secrets/",
        lambda c, _: c.get_result(APP, DEV, path="/db"),
        lambda result: (result.source, values(result.secrets)),
        ("network", DB_VALUES),
    ),
    Operation(
        "get_secret",
        "GET /secrets/",
        lambda c, _: c.get_secret("DB_PASSWORD", APP, path="/db"),
        lambda secret: secret.value,
        DB_VALUES["DB_PASSWORD"],
    ),
    Operation(
        "export",
        "GET /secrets/",
        lambda c, _: c.export(APP, DEV, "dotenv", path="/db"),
        expected=DB_DOTENV,
    ),
    Operation(
        "load_env",
        "GET /secrets/",
        lambda c, _: c.load_env(APP, DEV, path="/db", override=True),
        loaded,
        (["DB_USER", "DB_PASSWORD"], DB_VALUES),
    ),
    Operation(
        "apps",
        "GET /secrets/tokens/",
        lambda c, _: c.apps(),
        lambda apps: APP in [a.name for a in apps],
        True,
        cold=True,
    ),
    Operation(
        "environments",
        "GET /secrets/tokens/",
        lambda c, _: c.environments(APP),
        lambda envs: [e.name for e in envs],
        [DEV, STAGING, PROD],
        cold=True,
    ),
    Operation(
        "lease_generate",
        "GET /public/v1/secrets/dynamic/",
        lambda c, ctx: c.lease_generate(ctx["secret_id"], APP, ttl=60),
        leased,
        (["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], True),
        needs=("secret_id",),
        creates=True,
    ),
    Operation(
        "create",
        "POST /secrets/",
        lambda c, _: c.create([{"key": "FAULT_NEW", "value": NEW_VALUE}], APP),
        unchanged=not_created,
    ),
    Operation(
        "update",
        "PUT /secrets/",
        lambda c, _: c.update("DB_HOST", APP, value=CHANGED_VALUE),
        unchanged=db_host_intact,
        lookup_first=True,
    ),
    Operation(
        "delete",
        "DELETE /secrets/",
        lambda c, _: c.delete(["DB_HOST"], APP, path="/"),
        unchanged=db_host_intact,
        lookup_first=True,
    ),
    Operation(
        "lease_renew",
        "PUT /public/v1/secrets/dynamic/leases/",
        lambda c, ctx: c.lease_renew(ctx["lease_id"], 120, APP),
        needs=("secret_id", "lease_id"),
    ),
    Operation(
        "lease_revoke",
        "DELETE /public/v1/secrets/dynamic/leases/",
        lambda c, ctx: c.lease_revoke(ctx["lease_id"], APP),
        unchanged=lease_still_active,
        needs=("secret_id", "lease_id"),
    ),
]
KINDS = ["blocking", "asyncio"]

each_operation = pytest.mark.parametrize(
    "op", OPERATIONS, ids=[op.name for op in OPERATIONS]
)
each_kind = pytest.mark.parametrize("kind", KINDS)


@pytest.fixture(autouse=True)
def restore_environ() -> Iterator[None]:
    """load_env writes to os.environ: every test leaves it as it found it."""
    saved = dict(os.environ)
    yield
    for key in set(os.environ) - set(saved):
        del os.environ[key]
    os.environ.update(saved)


def test_the_matrix_covers_every_network_method() -> None:
    """Every public network method of both classes is in OPERATIONS (refresh and close
    only drop the cached session, stats reads counters; watch polls on its own and meets
    its faults in test_watch.py)."""
    local = {"refresh", "close", "from_env", "host", "stats", "watch"}
    for cls in (Client, AsyncClient):
        methods = {
            name
            for name in dir(cls)
            if not name.startswith("_") and callable(getattr(cls, name, None))
        }
        assert methods - local == {op.name for op in OPERATIONS}, cls.__name__


class Call:
    """One operation on one client, timed from inside (so that a thread it runs in, or
    the hold of fault_after_first, does not count)."""

    def __init__(
        self, server: PhasekitServer, op: Operation, kind: str, deadline: float
    ) -> None:
        helper = server.client()
        self.server, self.op, self.helper = server, op, helper
        self.context: Context = {}
        if "secret_id" in op.needs:
            dynamic = [s for s in helper.get(APP, DEV, dynamic=True) if s.is_dynamic]
            self.context["secret_id"] = dynamic[0].id
        if "lease_id" in op.needs:
            leased = helper.lease_generate(self.context["secret_id"], APP, ttl=60)
            self.context["lease_id"] = str(leased[0].lease_id)
        if kind == "blocking":
            self.client: Client | AsyncClient = server.client(deadline=deadline)
        else:
            self.client = server.async_client(deadline=deadline)
        if not op.cold:
            invoke(self.client, lambda c: c.apps())  # the session is cached from now on
        server.reset_requests()
        self.elapsed = 0.0

    def __call__(self) -> Any:
        started = time.monotonic()
        try:
            return invoke(self.client, lambda c: self.op.call(c, self.context))
        finally:
            self.elapsed = time.monotonic() - started

    def under(self, **rule: Any) -> Any:
        """Runs the call with `rule` aimed at the operation's request."""
        if self.op.lookup_first:
            return self.server.fault_after_first("GET /secrets/", rule, self)
        self.server.faults(path=self.op.path, **rule)
        return self()

    def fails(self, kind: type[PhaseError], **rule: Any) -> PhaseError:
        """Runs the call under `rule`; it must raise `kind`, which leaks nothing."""
        with pytest.raises(kind) as caught:
            self.under(**rule)
        assert_leak_free(
            caught.value, self.server.tokens.values(), [NEW_VALUE, CHANGED_VALUE]
        )
        return caught.value

    def sent(self) -> int:
        """How often the request aimed at reached the server."""
        return self.server.count(self.op.endpoint)

    def assert_unchanged(self) -> None:
        if self.op.unchanged is not None:
            self.op.unchanged(self.helper, self.context)


@each_kind
@each_operation
def test_a_burst_of_5xx(server: PhasekitServer, op: Operation, kind: str) -> None:
    """Reads ride out two 503s (three requests, right data); a write that got a 503 fails
    with it, was sent once and changed nothing."""
    call = Call(server, op, kind, DEFAULT_DEADLINE)
    if op.writes:
        error = call.fails(ServerError, fail_next=1, fail_status=503)
        assert (error.code, error.status, error.retryable) == ("server", 503, True)
        assert call.sent() == 1, "a write is not repeated"
        call.assert_unchanged()
    else:
        assert op.observe(call.under(fail_next=2, fail_status=503)) == op.expected
        assert call.sent() == 3


@each_kind
@each_operation
def test_a_short_retry_after(server: PhasekitServer, op: Operation, kind: str) -> None:
    """429 with Retry-After: 1: reads wait about a second and succeed; writes fail with
    RateLimitError (retry_after 1.0) without being repeated."""
    call = Call(server, op, kind, DEFAULT_DEADLINE)
    if op.writes:
        error = call.fails(RateLimitError, throttle_next=1, retry_after=1)
        assert (error.code, error.status, error.retry_after) == (
            "rate_limited",
            429,
            1.0,
        )
        assert call.sent() == 1, "a write is not repeated"
        call.assert_unchanged()
    else:
        assert op.observe(call.under(throttle_next=1, retry_after=1)) == op.expected
        assert 0.95 <= call.elapsed < 3, f"{call.elapsed:.2f}s"
        assert call.sent() == 2


@each_kind
@each_operation
def test_a_long_retry_after(server: PhasekitServer, op: Operation, kind: str) -> None:
    """429 with Retry-After: 120 (over the 30 s the client waits at most): every operation
    fails at once with RateLimitError, retry_after 120.0; nothing is repeated."""
    call = Call(server, op, kind, DEFAULT_DEADLINE)
    error = call.fails(RateLimitError, throttle_next=1, retry_after=120)
    assert (error.code, error.status, error.retry_after) == ("rate_limited", 429, 120.0)
    assert error.retryable
    assert call.elapsed < 1.0 + (0.3 if op.lookup_first else 0.0)
    assert call.sent() == 1
    call.assert_unchanged()


@each_kind
@each_operation
def test_a_dropped_connection(server: PhasekitServer, op: Operation, kind: str) -> None:
    """A connection closed without an answer: reads retry and succeed; a write may have
    reached the server, so it fails with NetworkError and is not repeated."""
    call = Call(server, op, kind, DEFAULT_DEADLINE)
    if op.writes:
        error = call.fails(NetworkError, drop_next=1)
        assert not isinstance(error, RequestTimeoutError)
        assert (error.code, error.status) == ("network", None)
        assert call.sent() == 1, "a write is not repeated"
        call.assert_unchanged()
    else:
        assert op.observe(call.under(drop_next=1)) == op.expected
        assert call.sent() == 2


@each_kind
@each_operation
def test_a_server_slower_than_the_deadline(
    server: PhasekitServer, op: Operation, kind: str
) -> None:
    """The aimed-at request takes 0.7 s, the call may take 0.4 s: RequestTimeoutError
    (code timeout) within the deadline and a small margin, the request sent once."""
    call = Call(server, op, kind, DEADLINE)
    error = call.fails(RequestTimeoutError, latency_ms=LATENCY_MS)
    assert isinstance(error, NetworkError)
    assert (error.code, error.status, error.retryable) == ("timeout", None, True)
    assert DEADLINE - 0.05 <= call.elapsed < DEADLINE + DEADLINE_MARGIN, call.elapsed
    assert call.sent() == 1
    if op.writes:
        # The server still carries out the slow write after the client gave up; let it
        # finish here rather than in the next test's world, and check it was not resent.
        time.sleep(LATENCY_MS / 1000 - DEADLINE + 0.2)
        assert call.sent() == 1


@pytest.mark.parametrize("status", [502, 504])
def test_other_gateway_statuses_are_retried(
    server: PhasekitServer, client: Client, status: int
) -> None:
    """502 and 504 are retried like 503; a 500 is not (test_errors.py)."""
    client.get_secret("DB_HOST", APP)
    server.reset_requests()
    server.faults(fail_next=1, fail_status=status, path="/secrets/")
    assert values(client.get(APP, DEV, path="/db")) == DB_VALUES
    assert server.count("GET /secrets/") == 2


def test_retries_stop_at_max_retries(server: PhasekitServer) -> None:
    """max_retries=1 against three 503s: two requests, then the ServerError."""
    client = server.client(max_retries=1)
    client.get_secret("DB_HOST", APP)
    server.reset_requests()
    server.faults(fail_next=3, fail_status=503, path="/secrets/")
    with pytest.raises(ServerError) as caught:
        client.get(APP, DEV, path="/db")
    assert caught.value.status == 503
    assert server.count("GET /secrets/") == 2


def test_the_deadline_caps_the_retries(server: PhasekitServer) -> None:
    """503s for ever with a 0.4 s deadline: the call stops retrying when the next backoff
    would end past the deadline and raises the last error (the 503, or the timeout of an
    attempt that had only the rest of the budget), naming the deadline."""
    client = server.client(deadline=DEADLINE)
    client.get_secret("DB_HOST", APP)
    server.reset_requests()
    server.faults(fail_next=100, fail_status=503, path="/secrets/")
    started = time.monotonic()
    with pytest.raises((ServerError, RequestTimeoutError)) as caught:
        client.get(APP, DEV, path="/db")
    elapsed = time.monotonic() - started
    assert elapsed < DEADLINE + DEADLINE_MARGIN, elapsed
    assert "400ms deadline" in caught.value.message
    assert 2 <= server.count("GET /secrets/") <= 3, "backoff from 200 ms: 2 or 3 tries"


ALL_FOLDERS: dict[str, Callable[[Any], Any]] = {
    "get": lambda c: c.get(APP, DEV),
    "export": lambda c: c.export(APP, DEV, "json"),
    "load_env": lambda c: c.load_env(APP, DEV, override=True),
}
REFERENCE_FETCH_FAULTS: dict[str, tuple[dict[str, Any], type[PhaseError]]] = {
    "500": ({"fail_next": 1, "fail_status": 500}, ServerError),
    "truncated": ({"corrupt_next": 1, "corruption": "truncate"}, ProtocolError),
}


def read_all_folders_with_a_failing_reference_fetch(
    server: PhasekitServer, kind: str, read: Callable[[Any], Any], fault: str
) -> Any:
    """Reads every folder of Development, which also fetches Staging's root for
    ${staging.DB_HOST}; that second GET /secrets/ meets `fault`."""
    client = server.client() if kind == "blocking" else server.async_client()
    invoke(client, lambda c: c.apps())
    server.reset_requests()
    rule = REFERENCE_FETCH_FAULTS[fault][0]
    try:
        return server.fault_after_first(
            "GET /secrets/", rule, lambda: invoke(client, read)
        )
    finally:
        assert server.count("GET /secrets/") == 2


@pytest.mark.parametrize(
    ("name", "kind", "fault"),
    [
        ("get", "blocking", "500"),
        ("get", "asyncio", "truncated"),
        ("export", "blocking", "truncated"),
        ("load_env", "blocking", "500"),
    ],
)
def test_no_partial_results(
    server: PhasekitServer, name: str, kind: str, fault: str
) -> None:
    """When the fetch of a referenced folder fails, the call raises that failure: it never
    returns, exports or puts into os.environ values whose references went unresolved."""
    environ_before = dict(os.environ)
    raised = REFERENCE_FETCH_FAULTS[fault][1]
    try:
        with pytest.raises(raised) as caught:
            read_all_folders_with_a_failing_reference_fetch(
                server, kind, ALL_FOLDERS[name], fault
            )
        assert_leak_free(caught.value, server.tokens.values())
    finally:
        assert dict(os.environ) == environ_before, "nothing was loaded"


@each_kind
@pytest.mark.parametrize("fault", list(REFERENCE_FETCH_FAULTS))
def test_strict_reads_raise_the_failed_fetch_itself(
    server: PhasekitServer, kind: str, fault: str
) -> None:
    """With strict=True too, a failed fetch of a referenced folder is raised as what it
    is (a server or protocol error), not as an unresolved reference."""
    with pytest.raises(REFERENCE_FETCH_FAULTS[fault][1]) as caught:
        read_all_folders_with_a_failing_reference_fetch(
            server, kind, lambda c: c.get(APP, DEV, strict=True), fault
        )
    assert "GET /secrets/" in caught.value.message
    assert_leak_free(caught.value, server.tokens.values())
