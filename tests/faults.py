"""Small real fault servers on loopback threads, for client tests and benchmarks.

- ``SleepyServer``: accepts requests and answers only after ``delay`` seconds (past a timeout).
- ``FaultProxy``: forwards to a real upstream server; can first answer ``failures`` requests
  with 503 (``FlakyProxy``), add ``latency_ms`` to every request (``LatencyProxy``), and run a
  hook before forwarding. Counts requests per method, received and forwarded.
- ``ClosedPort``: a loopback port where nothing listens (connections are refused).

Each is a context manager; ``stop()`` closes the listening socket and every open connection,
so no thread outlives the test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
    "transfer-encoding", "upgrade", "host", "content-length",
}  # fmt: skip
# Request preconditions and response versions: what a backend without versions neither reads nor sends.
VERSION_HEADERS = {"if-match", "if-unmodified-since", "if-none-match", "etag", "last-modified"}


class _TrackingServer(ThreadingHTTPServer):
    """A threading HTTP server that remembers its connections so ``stop`` can close them."""

    daemon_threads = True
    fault: _LoopbackServer

    def __init__(self, *args, **kwargs) -> None:
        self.connections: set[socket.socket] = set()
        self.handler_threads: list[threading.Thread] = []
        self.connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request_thread(self, request, client_address) -> None:
        with self.connections_lock:
            self.handler_threads = [t for t in self.handler_threads if t.is_alive()]
            self.handler_threads.append(threading.current_thread())
        super().process_request_thread(request, client_address)

    def process_request(self, request, client_address) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self, timeout: float = 5.0) -> None:
        """Shut every open connection down and wait (bounded) for their handler threads."""
        with self.connections_lock:
            for conn in list(self.connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the peer
            threads = list(self.handler_threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real server; needs Content-Length
    timeout = 30  # an idle keep-alive connection must not hold its thread forever
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK would
    # add ~40 ms to every response and swamp the latency we mean to add.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.server.fault.handle(self)

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {"Content-Type": "application/json"}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        pass  # tests read counters, not access logs

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, OSError):
            pass  # stop() closed the connection under a waiting handler


class _LoopbackServer:
    """Runs a ``_TrackingServer`` on a free loopback port in a background thread."""

    def __init__(self) -> None:
        self._server = _TrackingServer(("127.0.0.1", 0), _Handler)
        self._server.fault = self
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def handle(self, handler: _Handler) -> None:
        raise NotImplementedError

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        started = self._thread.is_alive()  # shutdown() would wait forever for a loop never started
        if started:
            self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        if started:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class SleepyServer(_LoopbackServer):
    """Answers ``status`` + ``body`` only after ``delay`` seconds (never, if stopped first).

    ``body`` may be a function of the request handler, e.g. to echo a request header back.
    """

    def __init__(
        self,
        delay: float = 60.0,
        body: bytes | Callable[[_Handler], bytes] = b"{}",
        content_type: str = "application/json",
        status: int = 200,
    ) -> None:
        super().__init__()
        self.delay = delay
        self.body = body
        self.content_type = content_type
        self.status = status
        self.requests = 0

    def handle(self, handler: _Handler) -> None:
        self.requests += 1
        handler.read_body()
        if not self.stopping.wait(self.delay):
            body = self.body(handler) if callable(self.body) else self.body
            handler.reply(self.status, body, {"Content-Type": self.content_type})


class FaultProxy(_LoopbackServer):
    """A forwarding proxy to ``upstream`` that can fail, slow down and count requests."""

    def __init__(
        self,
        upstream: str,
        *,
        failures: int = 0,
        failure_status: int = 503,
        latency_ms: float = 0,
        before_forward: Callable[[_Handler], None] | None = None,
        versionless: bool = False,
    ) -> None:
        super().__init__()
        self.versionless = versionless  # like a backend without versions: no ETag, preconditions ignored
        self.upstream = upstream.rstrip("/")
        self.failures = failures
        self.failure_status = failure_status
        self.latency_ms = latency_ms
        self.before_forward = before_forward
        self.received: Counter[str] = Counter()
        self.forwarded: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests being handled at the same moment
        self._lock = threading.Lock()
        self._local = threading.local()  # one upstream session per handler thread

    def fail_next(self, failures: int, status: int = 503) -> None:
        """Answer the next ``failures`` requests with ``status`` instead of forwarding them."""
        with self._lock:
            self.failures, self.failure_status = failures, status

    def handle(self, handler: _Handler) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._handle(handler)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _handle(self, handler: _Handler) -> None:
        body = handler.read_body()
        with self._lock:
            self.received[handler.command] += 1
            fail = self.failures > 0
            self.failures -= 1 if fail else 0
        if fail:
            handler.reply(self.failure_status, b'{"detail": "Service unavailable (fault proxy)"}')
            return
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        if self.before_forward is not None:
            self.before_forward(handler)
        self._forward(handler, body)

    def _forward(self, handler: _Handler, body: bytes) -> None:
        session = getattr(self._local, "session", None) or requests.Session()
        self._local.session = session
        dropped = HOP_BY_HOP | (VERSION_HEADERS if self.versionless else set())
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in dropped}
        try:
            upstream = session.request(
                handler.command, self.upstream + handler.path, headers=headers, data=body or None,
                timeout=60, allow_redirects=False,
            )  # fmt: skip
        except requests.RequestException:
            handler.reply(502, b'{"detail": "Bad gateway: the upstream server did not answer"}')
            return
        with self._lock:
            self.forwarded[handler.command] += 1
        reply_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in dropped}
        reply_headers.pop("Content-Encoding", None)  # requests already decoded the body
        handler.reply(upstream.status_code, upstream.content, reply_headers)


def FlakyProxy(upstream: str, failures: int = 2, status: int = 503) -> FaultProxy:
    """A proxy that answers the first ``failures`` requests with ``status``, then forwards."""
    return FaultProxy(upstream, failures=failures, failure_status=status)


def LatencyProxy(upstream: str, latency_ms: float = 30) -> FaultProxy:
    """A proxy that adds ``latency_ms`` to every request, like a server far away."""
    return FaultProxy(upstream, latency_ms=latency_ms)


class ClosedPort:
    """A loopback port bound but not listening: every connection is refused, no port race."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self._sock.close()

    def __enter__(self) -> ClosedPort:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
