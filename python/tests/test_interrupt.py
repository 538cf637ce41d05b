"""Interrupting calls: Ctrl-C (a real SIGINT) during a blocking call raises
KeyboardInterrupt at once instead of after the deadline, and cancelling an AsyncClient
call (task.cancel(), asyncio.wait_for) ends it at once; either way the request in flight
is dropped (its connection closed) and the same client object goes on working.

The clients talk to the local server through a `Relay` on loopback that the tests switch
between a server that never answers (it accepts connections, reads the request and says
nothing) and a plain pass-through to the local server. Every interruption is made only
once the relay holds the whole request, so that no test can pass without a call in
flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TYPE_CHECKING, Any

import pytest

import phasekit
from phasekit import AsyncClient, Client
from pkhelpers import APP, DB_VALUES, DEV, values

if TYPE_CHECKING:
    from conftest import PhasekitServer

# Far beyond every latency asserted here: a call that waited for it could not pass.
DEADLINE = 30.0
# How long a call is left in flight before it is interrupted.
IN_FLIGHT = 0.3
# The promptness asserted: the binding looks for signals every 50 ms.
PROMPT = 0.5
# How soon after an interruption the client must have closed the held connection.
DROPPED_WITHIN = 1.0


class Held:
    """A connection that the relay accepted and never answers."""

    def __init__(self) -> None:
        self.received = bytearray()
        self.request_seen = threading.Event()
        self.closed = threading.Event()
        self.closed_at: float | None = None


class Relay:
    """A loopback listener in front of the local server. While `hanging`, every
    connection it accepts is held: read, never answered; otherwise it is relayed to the
    server."""

    def __init__(self, upstream: str) -> None:
        parts = urllib.parse.urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.hanging = True
        self.held: list[Held] = []
        self.relayed = 0
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._spawn(self._accept)

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        threading.Thread(target=target, args=args, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                self._sockets.append(conn)
                if self.hanging:
                    held = Held()
                    self.held.append(held)
                    self._spawn(self._hold, conn, held)
                else:
                    self.relayed += 1
                    self._spawn(self._relay, conn)

    def _hold(self, conn: socket.socket, held: Held) -> None:
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            if not data:
                held.closed_at = time.monotonic()
                held.closed.set()
                return
            held.received += data
            if b"\r\n\r\n" in held.received:
                held.request_seen.set()

    def _relay(self, conn: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            conn.close()
            return
        upstream.settimeout(None)
        with self._lock:
            self._sockets.append(upstream)
        self._spawn(self._pump, upstream, conn)
        self._pump(conn, upstream)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def wait_for_request(self, timeout: float = 10.0) -> Held:
        """The held connection that has received a whole request head."""
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            with self._lock:
                seen = [h for h in self.held if h.request_seen.is_set()]
            if seen:
                assert len(seen) == 1, "one call, one request"
                return seen[0]
            time.sleep(0.005)
        pytest.fail("the call never reached the never-answering server")

    def stop(self) -> None:
        self._stop.set()
        self.listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()


@pytest.fixture
def relay(server: PhasekitServer) -> Iterator[Relay]:
    """A relay in front of the local server, holding connections until told
    otherwise."""
    relay = Relay(server.url)
    yield relay
    relay.stop()


@pytest.fixture
def sigint() -> Iterator[None]:
    """Python's own SIGINT handler (KeyboardInterrupt), whatever the test runner set."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


class Sender(threading.Thread):
    """Sends `signum` to this process once the relay holds the call's request and the
    call has been in flight for IN_FLIGHT more; sends nothing when no request
    arrives."""

    def __init__(self, relay: Relay, signum: int) -> None:
        super().__init__(daemon=True)
        self.relay = relay
        self.signum = signum
        self.held: Held | None = None
        self.sent_at: float | None = None
        self.closed_before = False

    def run(self) -> None:
        self.held = self.relay.wait_for_request()
        time.sleep(IN_FLIGHT)
        self.closed_before = self.held.closed.is_set()
        self.sent_at = time.monotonic()
        os.kill(os.getpid(), self.signum)


def interrupt(
    relay: Relay, call: Callable[[], object], signum: int = signal.SIGINT
) -> tuple[Sender, BaseException, float]:
    """Runs `call` while a Sender signals this process; returns the sender, what `call`
    raised (it must raise) and how long after the signal it did."""

    def outcome() -> tuple[BaseException | None, float]:
        try:
            call()
        except BaseException as raised:  # noqa: BLE001 - KeyboardInterrupt is the point
            return raised, time.monotonic()
        return None, time.monotonic()

    sender = Sender(relay, signum)
    sender.start()
    try:
        caught, raised_at = outcome()
    except BaseException as late:  # noqa: BLE001
        # A call deaf to signals ends at its deadline, and the pending signal's
        # exception then lands right after it, here: a failed latency below, not an
        # aborted session.
        caught, raised_at = late, time.monotonic()
    if caught is None:
        pytest.fail("the call returned although the server never answers")
    sender.join(timeout=10)
    assert sender.sent_at is not None, "no signal was sent"
    assert (
        sender.held is not None and not sender.closed_before
    ), "the request was not in flight when the signal was sent"
    return sender, caught, raised_at - sender.sent_at


def assert_dropped(held: Held, since: float) -> float:
    """Asserts that the client closed the held connection soon after `since`; returns
    how soon."""
    assert held.closed.wait(DROPPED_WITHIN), "the interrupted request was not dropped"
    assert held.closed_at is not None
    dropped = held.closed_at - since
    assert dropped < DROPPED_WITHIN, f"the connection was closed {dropped:.3f} s later"
    return dropped


def blocking_client(server: PhasekitServer, relay: Relay) -> Client:
    return Client(server.tokens["sa-token"], relay.url, deadline=DEADLINE)


def test_ctrl_c_interrupts_a_blocking_get_at_once(
    server: PhasekitServer, relay: Relay, sigint: None
) -> None:
    """SIGINT while get() waits for a server that never answers: KeyboardInterrupt
    within well under a second of the signal, not after the deadline."""
    client = blocking_client(server, relay)
    _, raised, latency = interrupt(relay, lambda: client.get(APP, DEV))
    print(f"KeyboardInterrupt {latency * 1000:.0f} ms after SIGINT")
    assert type(raised) is KeyboardInterrupt
    assert 0 <= latency < PROMPT


def test_an_interrupted_blocking_get_drops_its_request(
    server: PhasekitServer, relay: Relay, sigint: None
) -> None:
    """The interrupted request's connection is closed at once, not left to the
    deadline."""
    client = blocking_client(server, relay)
    sender, raised, _ = interrupt(relay, lambda: client.get(APP, DEV))
    assert isinstance(raised, KeyboardInterrupt)
    assert sender.held is not None and sender.sent_at is not None
    dropped = assert_dropped(sender.held, sender.sent_at)
    print(f"connection closed {dropped * 1000:.0f} ms after SIGINT")
    assert len(relay.held) == 1


def test_the_client_works_after_an_interruption(
    server: PhasekitServer, relay: Relay, sigint: None
) -> None:
    """The same Client object reads secrets once the server answers again."""
    client = blocking_client(server, relay)
    _, raised, latency = interrupt(relay, lambda: client.get(APP, DEV))
    assert isinstance(raised, KeyboardInterrupt)
    assert latency < PROMPT
    relay.hanging = False
    assert values(client.get(APP, DEV, path="/db")) == DB_VALUES
    assert relay.relayed >= 1
    assert len(relay.held) == 1


def test_ctrl_c_interrupts_a_blocking_login(relay: Relay, sigint: None) -> None:
    """A cloud identity login waits for the server the same way and is interrupted the
    same way."""

    def login() -> object:
        return phasekit.login_aws_iam(
            "00000000-0000-4000-8000-000000000000",
            host=relay.url,
            region="us-east-1",
            access_key_id="AKIAPYINTERRUPT00001",
            secret_access_key="python-interrupt-secret/Key+0zzzzzzzzzzz",
            deadline=DEADLINE,
        )

    sender, raised, latency = interrupt(relay, login)
    print(f"KeyboardInterrupt {latency * 1000:.0f} ms after SIGINT (login)")
    assert type(raised) is KeyboardInterrupt
    assert 0 <= latency < PROMPT
    assert sender.held is not None and sender.sent_at is not None
    assert_dropped(sender.held, sender.sent_at)


class Interrupted(Exception):
    """What the tests' own signal handler raises."""


@pytest.fixture
def sigusr1() -> Iterator[list[float]]:
    """A SIGUSR1 handler that raises nothing; yields the times it ran."""
    ran: list[float] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        ran.append(time.monotonic())

    previous = signal.signal(signal.SIGUSR1, handler)
    yield ran
    signal.signal(signal.SIGUSR1, previous)


def test_the_exception_of_any_signal_handler_ends_the_call(
    server: PhasekitServer, relay: Relay
) -> None:
    """Not only KeyboardInterrupt: whatever a handler raises ends the call at once."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    previous = signal.signal(signal.SIGUSR1, handler)
    try:
        client = blocking_client(server, relay)
        sender, raised, latency = interrupt(
            relay, lambda: client.get(APP, DEV), signal.SIGUSR1
        )
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert isinstance(raised, Interrupted)
    assert raised.args == (signal.SIGUSR1,)
    assert 0 <= latency < PROMPT
    assert sender.held is not None and sender.sent_at is not None
    assert_dropped(sender.held, sender.sent_at)


def test_a_signal_handler_that_returns_lets_the_call_go_on(
    server: PhasekitServer, sigusr1: list[float]
) -> None:
    """A handler that raises nothing runs during the call, promptly, and the call goes
    on to its answer."""
    server.faults(latency_ms=1500)
    client = server.client(deadline=DEADLINE)
    signalled: list[float] = []

    def send() -> None:
        time.sleep(0.5)
        signalled.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGUSR1)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    started = time.monotonic()
    answer = values(client.get(APP, DEV, path="/db"))
    returned = time.monotonic()
    sender.join(timeout=10)
    assert answer == DB_VALUES
    assert len(signalled) == 1 and len(sigusr1) == 1
    print(
        f"handler ran {(sigusr1[0] - signalled[0]) * 1000:.0f} ms after the signal, "
        f"{(returned - sigusr1[0]) * 1000:.0f} ms before the call returned"
    )
    assert returned - started >= 1.5
    assert sigusr1[0] - signalled[0] < PROMPT
    assert sigusr1[0] < returned


def async_client(server: PhasekitServer, relay: Relay) -> AsyncClient:
    return AsyncClient(server.tokens["sa-token"], relay.url, deadline=DEADLINE)


async def assert_dropped_and_recovered(
    client: AsyncClient,
    relay: Relay,
    held: Held,
    abandoned_at: float,
    late: float,
    error: str,
    abandoned_by: str,
) -> None:
    """After an async get was abandoned at `abandoned_at` (by `abandoned_by`) and ended
    with `error` `late` seconds later: it ended promptly, its connection was closed soon
    after, and the same client reads secrets once the server answers again."""
    await asyncio.to_thread(held.closed.wait, DROPPED_WITHIN)
    dropped = assert_dropped(held, abandoned_at)
    print(
        f"{error} {late * 1000:.0f} ms after {abandoned_by}, "
        f"connection closed {dropped * 1000:.0f} ms after it"
    )
    assert late < PROMPT
    relay.hanging = False
    assert values(await client.get(APP, DEV, path="/db")) == DB_VALUES
    assert relay.relayed >= 1
    assert len(relay.held) == 1


def test_cancelling_an_async_get_drops_its_request(
    server: PhasekitServer, relay: Relay
) -> None:
    """task.cancel() on a get waiting for a server that never answers: CancelledError at
    once, the connection closed; the same AsyncClient reads secrets afterwards."""

    async def main() -> None:
        client = async_client(server, relay)

        async def fetch() -> object:
            return await client.get(APP, DEV)

        task = asyncio.create_task(fetch())
        held = await asyncio.to_thread(relay.wait_for_request)
        await asyncio.sleep(IN_FLIGHT)
        assert not task.done() and not held.closed.is_set()
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        latency = time.monotonic() - cancelled_at
        await assert_dropped_and_recovered(
            client, relay, held, cancelled_at, latency, "CancelledError", "cancel()"
        )

    asyncio.run(main())


def test_an_async_get_past_wait_for_s_timeout_drops_its_request(
    server: PhasekitServer, relay: Relay
) -> None:
    """asyncio.wait_for with a short timeout: TimeoutError once it is up, the awaitable
    cancelled, the connection closed; the same AsyncClient reads secrets afterwards."""
    timeout = 0.2

    async def main() -> None:
        client = async_client(server, relay)
        pending = asyncio.ensure_future(client.get(APP, DEV))
        held = await asyncio.to_thread(relay.wait_for_request)
        assert not pending.done() and not held.closed.is_set()
        started = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(pending, timeout=timeout)
        late = time.monotonic() - started - timeout
        assert pending.cancelled()
        await assert_dropped_and_recovered(
            client, relay, held, started + timeout, late, "TimeoutError", "the timeout"
        )

    asyncio.run(main())


@contextlib.contextmanager
def python_child(script: str, stdin: int) -> Iterator[subprocess.Popen[str]]:
    """`script` run by this Python in a child process with its output piped; killed if
    still running when the block ends."""
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield child
    finally:
        child.kill()
        child.wait()


def test_ctrl_c_ends_a_script_in_a_blocking_get(
    server: PhasekitServer, relay: Relay
) -> None:
    """Ctrl-C as a terminal sends it, to a script waiting in get(): the script dies of
    its KeyboardInterrupt at once."""
    script = textwrap.dedent(f"""
        import signal
        import phasekit
        # A shell's background job starts with SIGINT ignored; a terminal's does not.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        client = phasekit.Client(
            {server.tokens["sa-token"]!r}, {relay.url!r}, deadline=30
        )
        client.get({APP!r}, {DEV!r})
        """)
    with python_child(script, stdin=subprocess.DEVNULL) as child:
        relay.wait_for_request(timeout=30)
        time.sleep(IN_FLIGHT)
        sent_at = time.monotonic()
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=DEADLINE)
        ended = time.monotonic() - sent_at
    print(f"the script ended {ended * 1000:.0f} ms after SIGINT")
    assert child.returncode == -signal.SIGINT, stderr
    assert "KeyboardInterrupt" in stderr
    assert ended < 2.0


def test_a_blocking_call_in_a_daemon_thread_lets_the_interpreter_exit(
    server: PhasekitServer, relay: Relay
) -> None:
    """A daemon thread still waiting in get() while the interpreter finalizes (a
    finalizer here makes that last 0.5 s) stays out of Python: only the main thread
    looks for signals during a call. The script exits cleanly, nothing on stderr."""
    script = textwrap.dedent(f"""
        import os, sys, threading, time, types
        import phasekit

        class Slow:
            def __del__(self, write=os.write, sleep=time.sleep):
                sleep(0.5)
                write(2, b"finalized\\n")

        # A module of its own is torn down while the interpreter finalizes.
        slow = types.ModuleType("slow")
        slow.slow = Slow()
        sys.modules["slow"] = slow
        del slow
        client = phasekit.Client(
            {server.tokens["sa-token"]!r}, {relay.url!r}, deadline=30
        )
        threading.Thread(target=client.get, args=({APP!r},), daemon=True).start()
        sys.stdin.readline()
        """)
    with python_child(script, stdin=subprocess.PIPE) as child:
        relay.wait_for_request(timeout=30)
        _, stderr = child.communicate("exit\n", timeout=DEADLINE)
    assert child.returncode == 0, stderr
    assert stderr == "finalized\n"
