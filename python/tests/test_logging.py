"""The core's diagnostics through Python's `logging`: with debug=True (or PHASE_DEBUG) one
INFO record per request on the "phasekit.transport" logger, naming method, path and
outcome; warnings always; nothing else with debug off. Records are emitted by the thread
that made the call (blocking) or by the event loop's thread (asyncio), never by the core's
own threads, and no record, repr or exception shows a secret value or a token part.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import threading
from typing import TYPE_CHECKING, Any

import pytest

from phasekit import (
    Client,
    InvalidInputError,
    NotFoundError,
    PhaseError,
    RateLimitError,
)
from pkhelpers import (
    APP,
    DB_VALUES,
    DEV,
    assert_text_leak_free,
    rendered,
    values,
)

if TYPE_CHECKING:
    from conftest import PhasekitServer

LOGGER = "phasekit.transport"
REQUEST_LINE = re.compile(
    r"^phase request method=(?P<method>[A-Z]+) path=(?P<path>/\S*) attempt=(?P<attempt>\d+)"
    r" took=\S+ outcome=(?P<outcome>.+)$"
)


def request_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The request lines captured so far."""
    return [
        record
        for record in caplog.records
        if record.name == LOGGER and REQUEST_LINE.match(record.getMessage())
    ]


def requests_logged(caplog: pytest.LogCaptureFixture) -> dict[str, int]:
    """Request lines per "METHOD /path/" (query strings dropped), as the server counts."""
    counted: dict[str, int] = {}
    for record in request_records(caplog):
        line = REQUEST_LINE.match(record.getMessage())
        assert line is not None
        endpoint = f"{line['method']} {line['path'].split('?')[0]}"
        counted[endpoint] = counted.get(endpoint, 0) + 1
    return counted


@pytest.fixture
def info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog capturing INFO and up from the phasekit loggers."""
    caplog.set_level(logging.INFO, logger="phasekit")
    return caplog


def test_debug_logs_one_info_record_per_request(
    server: PhasekitServer, info: pytest.LogCaptureFixture
) -> None:
    """A cold get (2 requests) and a warm get_secret (1): three INFO records on
    phasekit.transport with method, path and outcome, as the server counted them."""
    client = server.client(debug=True)
    assert values(client.get(APP, DEV, path="/db")) == DB_VALUES
    client.get_secret("DB_HOST", APP)
    records = request_records(info)
    assert [r.levelno for r in records] == [logging.INFO] * 3
    lines = [REQUEST_LINE.match(r.getMessage()) for r in records]
    assert [(m["method"], m["path"]) for m in lines if m] == [
        ("GET", "/secrets/tokens/"),
        ("GET", "/secrets/"),
        ("GET", "/secrets/"),
    ]
    assert all(m and m["outcome"].startswith("ok, ") for m in lines)
    assert requests_logged(info) == server.requests()


def test_debug_logs_one_summary_record_per_read(
    server: PhasekitServer, info: pytest.LogCaptureFixture
) -> None:
    """Besides the requests, each read logs one INFO record on phasekit.client.get with
    how many secrets it returned and where they came from, never which ones."""
    client = server.client(debug=True)
    client.get(APP, DEV, path="/db")
    client.get_secret("DB_HOST", APP)
    summaries = [
        r.getMessage() for r in info.records if r.name == "phasekit.client.get"
    ]
    assert [m.split(" decrypted=")[0] for m in summaries] == [
        "phase get secrets=2 source=network",
        "phase get secrets=1 source=network",
    ]


def test_each_attempt_is_a_record_with_its_outcome(
    server: PhasekitServer, info: pytest.LogCaptureFixture
) -> None:
    """A 503 retried: attempt 0 with outcome "server", attempt 1 "ok"; a request that
    fails for good logs its error code."""
    client = server.client(debug=True)
    client.apps()
    info.clear()
    server.faults(fail_next=1, fail_status=503, path="/secrets/")
    client.get(APP, DEV, path="/db")
    lines = [REQUEST_LINE.match(r.getMessage()) for r in request_records(info)]
    assert [(m["attempt"], m["outcome"].split(",")[0]) for m in lines if m] == [
        ("0", "server"),
        ("1", "ok"),
    ]
    info.clear()
    server.faults(throttle_next=1, retry_after=120, path="/secrets/")
    with pytest.raises(RateLimitError):
        client.get(APP, DEV, path="/db")
    lines = [REQUEST_LINE.match(r.getMessage()) for r in request_records(info)]
    assert [m["outcome"] for m in lines if m] == ["rate_limited"]


def test_blocking_calls_emit_in_the_calling_thread(
    server: PhasekitServer, info: pytest.LogCaptureFixture
) -> None:
    """The records of a blocking call are emitted by the thread that called it, by the
    time the call returns."""
    client = server.client(debug=True)
    seen: list[int] = []

    def work() -> None:
        client.get(APP, DEV, path="/db")
        seen.append(len(request_records(info)))

    caller = threading.Thread(target=work, name="phasekit-caller")
    caller.start()
    caller.join(timeout=30)
    assert seen == [2], "both records were there when get() returned"
    assert {r.threadName for r in request_records(info)} == {"phasekit-caller"}


def test_asyncio_calls_emit_in_the_event_loop_thread(
    server: PhasekitServer, info: pytest.LogCaptureFixture
) -> None:
    """The records of an awaited call are emitted in the event loop's thread before the
    awaiting coroutine resumes; failed awaits log too."""

    async def main() -> tuple[int, int]:
        client = server.async_client(debug=True)
        await client.get(APP, DEV, path="/db")
        after_get = len(request_records(info))
        with pytest.raises(NotFoundError):
            await client.get_secret("NOPE", APP)
        return after_get, len(request_records(info))

    assert asyncio.run(main()) == (2, 3)
    assert {r.thread for r in request_records(info)} == {threading.get_ident()}
    assert requests_logged(info) == server.requests()


def test_without_debug_no_request_is_logged(
    server: PhasekitServer, caplog: pytest.LogCaptureFixture
) -> None:
    """debug off: no request records at any level, also when a request was retried;
    nothing at all from a healthy client."""
    caplog.set_level(logging.DEBUG, logger="phasekit")
    client = server.client()
    client.get(APP, DEV, path="/db")
    server.faults(fail_next=1, fail_status=503, path="/secrets/")
    client.get(APP, DEV, path="/db")

    async def main() -> None:
        await server.async_client().get(APP, DEV, path="/db")

    asyncio.run(main())
    assert [r for r in caplog.records if r.name.startswith("phasekit")] == []


def test_phase_debug_turns_request_logging_on(
    server: PhasekitServer,
    info: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PHASE_DEBUG=1 logs requests of from_env() and constructed clients alike; an
    explicit debug=False wins over it."""
    monkeypatch.setenv("PHASE_SERVICE_TOKEN", server.tokens["sa-token"])
    monkeypatch.setenv("PHASE_HOST", server.url)
    monkeypatch.setenv("PHASE_DEBUG", "1")
    Client.from_env().apps()
    assert requests_logged(info) == {"GET /secrets/tokens/": 1}
    Client(server.tokens["sa-token"], server.url).apps()
    assert requests_logged(info) == {"GET /secrets/tokens/": 2}
    Client(server.tokens["sa-token"], server.url, debug=False).apps()
    assert requests_logged(info) == {"GET /secrets/tokens/": 2}
    assert server.requests() == {"GET /secrets/tokens/": 3}


def test_logging_configuration_applies(
    server: PhasekitServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The records go through the standard hierarchy: raising the "phasekit" logger to
    WARNING silences the request lines of a debug client."""
    caplog.set_level(logging.WARNING, logger="phasekit")
    server.client(debug=True).get(APP, DEV, path="/db")
    assert request_records(caplog) == []


def test_a_failing_log_filter_does_not_fail_the_call(
    server: PhasekitServer,
    info: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An exception raised while logging is reported as unraisable; the call returns its
    result all the same."""
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def refuse(record: logging.LogRecord) -> bool:
        raise RuntimeError("this filter is broken")

    logger = logging.getLogger(LOGGER)
    logger.addFilter(refuse)
    try:
        assert values(server.client(debug=True).get(APP, DEV, path="/db")) == DB_VALUES
    finally:
        logger.removeFilter(refuse)
    assert [type(u.exc_value) for u in unraisable] == [RuntimeError]


def test_no_secret_in_any_record_repr_or_error(
    server: PhasekitServer, info: pytest.LogCaptureFixture
) -> None:
    """Every kind of call with debug=True, successful and failing: no record (message,
    arguments, logger name), no repr of a result and no exception text contains a seeded
    value, a value written or generated here, or a field of a token after its prefix."""
    written = ["logging-new-value-1234", "logging-changed-value-5678"]
    client = server.client(debug=True)
    shown: list[str] = [repr(client)]
    generated: list[str] = []
    secrets = client.get(APP, DEV) + client.get(APP, DEV, raw=True)
    shown += [repr(s) + str(s) for s in secrets]
    shown.append(repr(client.get_secret("DB_PASSWORD", APP, path="/db")))
    shown.append(repr(client.apps()) + repr(client.environments(APP)))
    client.export(APP, DEV, "json")
    client.create([{"key": "LOG_NEW", "value": written[0]}], APP)
    client.update("LOG_NEW", APP, value=written[1])
    client.delete(["LOG_NEW"], APP)
    dynamic = [s for s in client.get(APP, DEV, dynamic=True) if s.is_dynamic]
    leased = client.lease_generate(dynamic[0].id, APP, ttl=60)
    generated += [s.value for s in leased]
    shown += [repr(s) for s in leased]
    lease_id = str(leased[0].lease_id)
    client.lease_renew(lease_id, 120, APP)
    client.lease_revoke(lease_id, APP)
    errors: list[PhaseError] = []
    for failing in (
        lambda: client.get_secret("NOPE", APP),
        lambda: client.create([{"key": "DB_HOST", "value": written[0]}], APP),
        lambda: server.client("sa-expired", debug=True).get(APP),
    ):
        with pytest.raises(PhaseError) as caught:
            failing()
        errors.append(caught.value)
    server.faults(corrupt_next=1, corruption="tamper", path="/secrets/")
    with pytest.raises(PhaseError) as caught:
        client.get(APP, DEV)
    errors.append(caught.value)

    records = [r for r in info.records if r.name.startswith("phasekit")]
    assert len(request_records(info)) == sum(server.requests().values())
    texts = [f"{r.name} {r.getMessage()} {r.args!r} {r.msg!r}" for r in records]
    texts += shown + [rendered(error) for error in errors]
    for text in texts:
        assert_text_leak_free(
            text,
            "a log record, repr or error",
            server.tokens.values(),
            [*written, *generated],
        )


def test_credentials_in_the_host_url_are_refused_unseen(
    server: PhasekitServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A host URL with a user and password in it is refused (InvalidInputError) without
    repeating the password, and nothing logged shows it."""
    caplog.set_level(logging.DEBUG, logger="phasekit")
    password = "hunter2-in-the-url"
    host = server.url.replace("http://", f"http://user:{password}@")
    with pytest.raises(InvalidInputError) as caught:
        Client(server.tokens["sa-token"], host, verify_ssl=False)
    shown = [rendered(caught.value)] + [r.getMessage() for r in caplog.records]
    for text in shown:
        assert_text_leak_free(text, "an error or log record", (), [password])
    assert server.requests() == {}
