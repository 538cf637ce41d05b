"""A reverse proxy that delays each answer of phasekit-server by endpoint, for bench/run.py.

WHY it exists: the realistic-server scenario needs two latencies at once (a real self-hosted
Phase Console answered `GET /service/secrets/tokens/` in about 45 ms and `GET
/service/secrets/` for 1,000 secrets in about 2.0 s), but the server's own fault injection
(`PUT /_admin/faults {latency_ms, path_prefix}`) holds ONE `latency_ms` and ONE
`path_prefix`, and `/secrets/` is a prefix of `/secrets/tokens/`: no prefix delays the
listing without delaying the tokens request too. Until the server can delay by endpoint,
this proxy sits between the clients and the server and adds the delay after the server has
answered (as a slow server would), per exact path (`/service` stripped, query ignored).

The remote-console scenario (bench/remote.py) delays every request alike: the key `"*"` is
the delay of every path not named. Each client connection has its own thread (and its own
upstream connection), and the delay is a sleep in that thread, so requests a client sends
together on two connections are delayed together, as a far server's would be.

Standard library only. HTTP/1.1 with keep-alive on both sides (one upstream connection per
client connection), bodies buffered whole (the largest is a few MB).
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

# Hop-by-hop headers (RFC 9110 §7.6.1) and the length, which is set anew.
_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
}


def endpoint(path: str) -> str:
    """`/service/secrets/?x=1` -> `/secrets/`."""
    path = urlsplit(path).path
    if path.startswith("/service/"):
        path = path[len("/service") :]
    return path


class LatencyProxy:
    """`with LatencyProxy(upstream_url, {"/secrets/": 2000, "*": 0}) as proxy: proxy.url`."""

    def __init__(self, upstream: str, delays_ms: dict[str, float]) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.delays_ms = dict(delays_ms)
        self.delayed = 0
        self._lock = threading.Lock()
        self._connections = 0  # client connections accepted and not yet shut down
        self._drained = threading.Condition()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # An answer goes out as two writes (head, then body). With Nagle's algorithm the
            # body waits for the ACK of the head, which a client that has already been
            # answered on this connection delays by up to 40 ms: every request after the first
            # on a kept-alive connection would pay it, on top of the delay asked for.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass


            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                upstream = getattr(self, "_upstream", None)
                if upstream is None:
                    upstream = http.client.HTTPConnection(
                        proxy.upstream_host, proxy.upstream_port, timeout=120
                    )
                    self._upstream = upstream
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    payload = response.read()
                except (http.client.HTTPException, OSError):
                    # A stale upstream connection: reconnect once.
                    upstream.close()
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    payload = response.read()
                delay = proxy.delays_ms.get(endpoint(self.path), proxy.delays_ms.get("*", 0.0))
                if delay > 0:
                    time.sleep(delay / 1e3)
                    with proxy._lock:
                        proxy.delayed += 1
                try:
                    self.send_response_only(response.status, response.reason)
                    for name, value in response.getheaders():
                        if name.lower() not in _HOP:
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    # The client went away while its answer was delayed: a process that exits
                    # before its background refresh is answered.
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

            def finish(self) -> None:
                upstream = getattr(self, "_upstream", None)
                if upstream is not None:
                    upstream.close()
                super().finish()

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            # Counted when accepted (before the connection's thread starts) until it is shut
            # down (at the end of that thread), so that `__exit__` can wait for every one.
            def process_request(self, request: Any, client_address: Any) -> None:
                proxy._count_connection(+1)
                super().process_request(request, client_address)

            def shutdown_request(self, request: Any) -> None:
                try:
                    super().shutdown_request(request)
                finally:
                    proxy._count_connection(-1)

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _count_connection(self, change: int) -> None:
        with self._drained:
            self._connections += change
            self._drained.notify_all()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> LatencyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stops accepting, lets every accepted connection finish (a request of a process that
        has exited still reaches the server, its delayed answer then finds no one) and closes
        the socket, which drops connections never accepted: nothing of this proxy's clients
        reaches the server afterwards."""
        self._server.shutdown()
        with self._drained:
            self._drained.wait_for(lambda: self._connections <= 0, timeout=60)
        self._server.server_close()
        self._thread.join(timeout=10)
