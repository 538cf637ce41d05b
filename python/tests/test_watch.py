"""`watch()`: rotations made by another client arrive as added, changed and removed keys on
the watch's own thread; transient failures reach on_error while polling goes on; a refusal is
the last callback; close() (also from a callback, also through `with`) stops the polling and
the callbacks. Unhandled errors and failing callbacks are logged. Polls every 0.1 s.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from phasekit import (
    Change,
    Client,
    InvalidInputError,
    PermissionDeniedError,
    PhaseError,
    ServerError,
    Watch,
)
from pkhelpers import APP, DEV

if TYPE_CHECKING:
    from conftest import PhasekitServer

DB = "/db"
FAST: dict[str, Any] = {"interval": 0.1, "max_backoff": 0.4}
WAIT = 10.0


class Recorder:
    """Callbacks that queue what they get and note the thread they ran on."""

    def __init__(self) -> None:
        self.changes: queue.Queue[Change] = queue.Queue()
        self.errors: queue.Queue[PhaseError] = queue.Queue()
        self.threads: set[str] = set()

    def on_change(self, change: Change) -> None:
        self.threads.add(threading.current_thread().name)
        self.changes.put(change)

    def on_error(self, error: PhaseError) -> None:
        self.threads.add(threading.current_thread().name)
        self.errors.put(error)

    def watch(self, client: Client, **options: Any) -> Watch:
        """A watch of interop-app/Development/db with these callbacks."""
        return client.watch(
            APP,
            DEV,
            DB,
            on_change=self.on_change,
            on_error=self.on_error,
            **{**FAST, **options},
        )


def eventually(condition: Callable[[], bool], what: str) -> None:
    """Waits until `condition()` holds; fails naming `what` after WAIT seconds."""
    give_up = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"{what} within {WAIT:.0f} s")
        time.sleep(0.01)


def baseline_taken(server: PhasekitServer) -> None:
    """Polls are sequential: once the second has been asked for, the first one's answer
    (the baseline that later polls are compared to) has been taken in."""
    eventually(lambda: server.count("GET /secrets/") >= 2, "two polls")


def watch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("phasekit-watch")]


def kinds(change: Change) -> tuple[list[str], list[str], list[str]]:
    return change.added, change.changed, change.removed


def test_rotations_arrive_as_added_changed_and_removed(server: PhasekitServer) -> None:
    """An update is "changed", a create "added", a delete "removed" (folder-prefixed), all
    delivered on a daemon thread of the watch, which ends with the `with` block."""
    recorder = Recorder()
    writer = server.client()
    with recorder.watch(server.client()) as watch:
        baseline_taken(server)
        writer.update("DB_PASSWORD", APP, DEV, path=DB, value="rotated-Pa55w0rd!")
        change = recorder.changes.get(timeout=WAIT)
        assert kinds(change) == ([], ["/db/DB_PASSWORD"], [])

        writer.create([{"key": "DB_REPLICA", "value": "replica-1", "path": DB}], APP)
        writer.delete(["DB_USER"], APP, DEV, path=DB)
        added: list[str] = []
        removed: list[str] = []
        while not (added and removed):  # the two writes may land in one poll or two
            change = recorder.changes.get(timeout=WAIT)
            assert change.changed == []
            added += change.added
            removed += change.removed
        assert (added, removed) == (["/db/DB_REPLICA"], ["/db/DB_USER"])
        assert repr(change).startswith("Change(added=")
        assert not watch.closed
    assert watch.closed
    assert recorder.errors.empty()
    assert recorder.threads and all(
        name.startswith("phasekit-watch") for name in recorder.threads
    )
    eventually(lambda: not watch_threads(), "the watch thread to end")


def test_transient_failures_reach_on_error_and_polling_goes_on(
    server: PhasekitServer,
) -> None:
    """Two polls failing with 503 (no retries) are two ServerErrors; the next change still
    arrives."""
    recorder = Recorder()
    with recorder.watch(server.client(max_retries=0)) as watch:
        baseline_taken(server)
        server.faults(fail_next=2, fail_status=503, path="/secrets/")
        errors = [recorder.errors.get(timeout=WAIT) for _ in range(2)]
        assert all(isinstance(error, ServerError) for error in errors)
        assert [(error.status, error.retryable) for error in errors] == [
            (503, True),
            (503, True),
        ]
        assert not watch.closed

        server.client().create(
            [{"key": "AFTER_OUTAGE", "value": "after-1", "path": DB}], APP
        )
        change = recorder.changes.get(timeout=WAIT)
        assert kinds(change) == (["/db/AFTER_OUTAGE"], [], [])


def test_close_stops_the_polling_and_the_callbacks(server: PhasekitServer) -> None:
    """After close() (idempotent) no request is made and a later rotation calls nothing."""
    recorder = Recorder()
    watch = recorder.watch(server.client())
    baseline_taken(server)
    watch.close()
    watch.close()
    assert watch.closed
    assert repr(watch) == 'Watch(env="Development", path="/db", closed=True)'

    server.client().update("DB_PASSWORD", APP, DEV, path=DB, value="after-close-1")
    server.reset_requests()
    time.sleep(0.5)
    assert server.requests() == {}
    assert recorder.changes.empty() and recorder.errors.empty()
    eventually(lambda: not watch_threads(), "the watch thread to end")


def test_close_from_a_callback_ends_the_watch(server: PhasekitServer) -> None:
    """A callback that closes its own watch does not deadlock, and is the last one."""
    calls: list[Change] = []
    closed = threading.Event()

    def on_change(change: Change) -> None:
        calls.append(change)
        watch.close()
        closed.set()

    watch = server.client().watch(APP, DEV, DB, on_change=on_change, **FAST)
    baseline_taken(server)
    writer = server.client()
    writer.update("DB_PASSWORD", APP, DEV, path=DB, value="rotated-once-1")
    assert closed.wait(WAIT)
    eventually(lambda: not watch_threads(), "the watch thread to end")
    assert watch.closed
    writer.update("DB_PASSWORD", APP, DEV, path=DB, value="rotated-twice-2")
    time.sleep(0.3)
    assert len(calls) == 1


def test_a_refusal_is_the_last_callback(server: PhasekitServer) -> None:
    """A 403 reaches on_error as a non-retryable PermissionDeniedError; then the watch is
    closed and polls no more."""
    recorder = Recorder()
    watch = recorder.watch(server.client())
    try:
        baseline_taken(server)
        server.faults(fail_next=1, fail_status=403, path="/secrets/")
        error = recorder.errors.get(timeout=WAIT)
        assert isinstance(error, PermissionDeniedError)
        assert error.retryable is False
        eventually(lambda: watch.closed, "the watch to end")
        server.reset_requests()
        time.sleep(0.4)
        assert server.requests() == {}
        assert recorder.errors.empty() and recorder.changes.empty()
    finally:
        watch.close()


def test_unhandled_errors_and_failing_callbacks_are_logged(
    server: PhasekitServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Without on_error a transient failure is a WARNING on phasekit.watch; a callback that
    raises is logged as an ERROR with its traceback, and the watch goes on."""
    caplog.set_level(logging.WARNING, logger="phasekit")
    seen: queue.Queue[Change] = queue.Queue()

    def on_change(change: Change) -> None:
        seen.put(change)
        raise RuntimeError("the callback fails on purpose")

    def failures() -> list[logging.LogRecord]:
        return [
            r
            for r in caplog.records
            if r.name == "phasekit.watch" and r.levelno == logging.ERROR
        ]

    client = server.client(max_retries=0)
    with client.watch(APP, DEV, DB, on_change=on_change, **FAST):
        baseline_taken(server)
        server.faults(fail_next=1, fail_status=503, path="/secrets/")
        eventually(
            lambda: any(r.name == "phasekit.watch" for r in caplog.records),
            "a record on phasekit.watch",
        )
        writer = server.client()
        writer.update("DB_PASSWORD", APP, DEV, path=DB, value="rotated-logged-1")
        seen.get(timeout=WAIT)
        writer.update("DB_PASSWORD", APP, DEV, path=DB, value="rotated-logged-2")
        seen.get(timeout=WAIT)
        # Logged once the callback has returned, which may be just after seen.get().
        eventually(lambda: len(failures()) == 2, "two callback failures logged")

    warning = next(r for r in caplog.records if r.name == "phasekit.watch")
    assert warning.levelno == logging.WARNING
    assert warning.getMessage().startswith("the watch could not poll: server: ")
    assert len(failures()) == 2
    exc_info = failures()[0].exc_info
    assert exc_info is not None
    assert isinstance(exc_info[1], RuntimeError)


def test_the_async_client_watches_with_the_same_callbacks(
    server: PhasekitServer,
) -> None:
    """AsyncClient.watch runs the callbacks on the watch's thread too; a change handed to
    the event loop with call_soon_threadsafe arrives in an asyncio.Queue."""

    async def main() -> Change:
        client = server.async_client()
        loop = asyncio.get_running_loop()
        changes: asyncio.Queue[Change] = asyncio.Queue()

        def on_change(change: Change) -> None:
            loop.call_soon_threadsafe(changes.put_nowait, change)

        with client.watch(APP, DEV, DB, on_change=on_change, **FAST):
            await asyncio.to_thread(baseline_taken, server)
            await client.update("DB_USER", APP, DEV, path=DB, value="rotated-user")
            return await asyncio.wait_for(changes.get(), WAIT)

    assert kinds(asyncio.run(main())) == ([], ["/db/DB_USER"], [])


EXIT_SCRIPT = """
import os, sys, threading, time
from phasekit import Client

busy = sys.argv[1] == "busy"
in_callback = threading.Event()

def on_error(error):
    in_callback.set()
    if busy:
        time.sleep(10)  # still running when the interpreter exits

client = Client(os.environ["PHASE_SERVICE_TOKEN"], os.environ["PHASE_HOST"])
client.watch(
    "interop-app", "Development", "/db", interval=0.05, on_change=print,
    on_error=on_error,
)
if busy:
    assert in_callback.wait(10)
else:
    time.sleep(0.3)
print("leaving with the watch open")
"""


@pytest.mark.parametrize("state", ["idle", "busy"])
def test_an_open_watch_does_not_keep_the_process_alive(
    server: PhasekitServer, state: str
) -> None:
    """A program that ends with its watch open exits at once, with status 0 and nothing on
    stderr: waiting for the next poll, or (within a second) in a callback that would run
    on for long."""
    if state == "busy":
        server.faults(fail_next=1000, fail_status=403, path="/secrets/")
    env = {
        **os.environ,
        "PHASE_SERVICE_TOKEN": server.tokens["sa-token"],
        "PHASE_HOST": server.url,
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, state],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "leaving with the watch open\n"
    assert time.monotonic() - started < 8


@pytest.mark.parametrize(
    "options",
    [
        {"interval": 0},
        {"interval": -1.0},
        {"max_backoff": float("nan")},
        {"on_change": "not callable"},
        {"on_error": 42},
    ],
    ids=["zero-interval", "negative-interval", "nan-backoff", "on_change", "on_error"],
)
def test_bad_arguments_are_invalid_input(
    server: PhasekitServer, options: dict[str, Any]
) -> None:
    """Nothing starts (no thread, no request) when an argument is refused."""
    arguments: dict[str, Any] = {"on_change": print, **options}
    with pytest.raises(InvalidInputError):
        server.client().watch(APP, DEV, **arguments)
    assert not watch_threads()
    assert server.requests() == {}


def test_on_change_is_required(server: PhasekitServer) -> None:
    with pytest.raises(TypeError):
        server.client().watch(APP, DEV)  # type: ignore[call-arg]
