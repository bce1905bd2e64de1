"""Running the API server: one process, or several sharing the port (``serve --workers N``).

Several processes let a list walk's concurrent pages (``BrainstemClient.list_all``) and many
clients use more than one core: one process runs Python on one core at a time. What a process
keeps in memory is safe to split: the list counts (``counts.py``) and the password-check slots
are per process by design; everything else lives in the database.
"""

from __future__ import annotations

import contextlib
import socket

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from stemgui.server import settings as server_settings
from stemgui.server.app import create_app
from stemgui.server.db import sessionmaker_for


class NoDelayHttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools' C parser: a request costs less CPU than with h11's
    pure-Python one) with TCP_NODELAY on every connection.

    With several workers uvicorn binds the port itself, on a socket whose protocol number is 0,
    and asyncio then leaves Nagle's algorithm on for the connections it accepts: a response's
    body waited for the client's delayed ACK of its headers, 48 ms per request on loopback
    against 4.5 ms with one process (measured)."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # not a TCP socket (a Unix socket): nothing to turn off
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def worker_app() -> FastAPI:
    """The app of one of several server processes: each is a fresh interpreter that finds the
    database URL and its settings in the environment ``serve`` handed down."""
    settings = server_settings.install(server_settings.Settings.from_env())
    return create_app(settings.served_db_url, settings)


def serve(db_url: str, host: str, port: int, workers: int, log_level: str) -> None:
    """Serve ``db_url`` on ``host``:``port`` with ``workers`` processes (until stopped)."""
    http = f"{__name__}:{NoDelayHttpProtocol.__name__}"
    if workers <= 1:
        app = create_app(db_url, server_settings.current())
        uvicorn.run(app, host=host, port=port, log_level=log_level, http=http)
        return
    sessionmaker_for(db_url)  # create or migrate the database once, before the workers race to
    server_settings.hand_down_db_url(db_url)
    uvicorn.run(f"{__name__}:{worker_app.__name__}", factory=True, workers=workers, host=host, port=port,
                log_level=log_level, http=http)  # fmt: skip
