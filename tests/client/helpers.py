"""Helpers shared by the client tests."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from stemgui.client import BrainstemClient


def unique(prefix: str) -> str:
    """A name no other test uses (names are unique per model on the server)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_sessions(client: BrainstemClient, project: dict, names: list[str]) -> list[dict]:
    """Create one session per name in ``project``; returns the created records."""
    return [
        client.save_model("session", data={"name": name, "projects": [project["id"]]})["session"]
        for name in names
    ]


@contextmanager
def stand_in_server(answer: Callable[[str], Any]) -> Iterator[str]:
    """A loopback HTTP server standing in for what cannot run here (BrainSTEM itself, a proxy, a
    second server process): every GET is answered ``answer(path)`` as JSON. Yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server hook's name)
            body = json.dumps(answer(self.path)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
