"""A fault proxy for the outbox tests: the request reaches the server, the answer never comes back.

``LostResponseProxy`` forwards every request to the real upstream server. For the next
``drops`` requests whose method is in ``methods`` it then closes the connection without
answering, like a network that broke after the server committed the write. Forwarded and
dropped requests are counted so tests can prove the write really reached the server.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

SKIP_HEADERS = {"connection", "keep-alive", "host", "content-length", "transfer-encoding"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: a drop ends just that request

    def do_GET(self) -> None:
        self.server.proxy.handle(self)  # type: ignore[attr-defined]

    do_POST = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


class LostResponseProxy:
    """Forwards to ``upstream``; the next ``drops`` requests of ``methods`` get no answer."""

    def __init__(self, upstream: str, drops: int = 1, methods: frozenset[str] = frozenset({"POST"})) -> None:
        self.upstream = upstream.rstrip("/")
        self.drops = drops
        self.methods = methods
        self.forwarded: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def handle(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in SKIP_HEADERS}
        upstream = requests.request(
            handler.command, self.upstream + handler.path, headers=headers, data=body, timeout=30
        )
        with self._lock:
            self.forwarded[handler.command] += 1
            drop = self.drops > 0 and handler.command in self.methods
            self.drops -= 1 if drop else 0
        if drop:
            with self._lock:
                self.dropped[handler.command] += 1
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)  # the answer is lost on the way back
            return
        handler.send_response(upstream.status_code)
        handler.send_header("Content-Type", upstream.headers.get("Content-Type", "application/json"))
        handler.send_header("Content-Length", str(len(upstream.content)))
        handler.end_headers()
        handler.wfile.write(upstream.content)

    def __enter__(self) -> LostResponseProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
