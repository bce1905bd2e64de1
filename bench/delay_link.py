"""A TCP link that delays what the client sends by a fixed time, like a server far away.

Used by ``bench_list_all`` for its 30 ms round trip. It forwards bytes without reading HTTP (an
HTTP proxy parses and re-sends every request and response, and on a 2-core machine that work
competes with the client and the server being measured). Each chunk the client sends is passed
on ``delay`` seconds after it arrived, in order; the answers come back at once, so every request
on a keep-alive connection takes one extra ``delay``, and concurrent connections overlap as on a
real network.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from collections.abc import Iterator


async def _delayed(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def receive() -> None:
        while data := await reader.read(65536):
            queue.put_nowait((time.monotonic() + delay, data))
        queue.put_nowait((0.0, b""))

    receiving = asyncio.ensure_future(receive())
    try:
        while True:
            due, data = await queue.get()
            if not data:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            writer.write(data)
            await writer.drain()
    finally:
        receiving.cancel()
        writer.close()


async def _straight(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def _serve(upstream_port: int, delay: float, ports: multiprocessing.Queue, stop) -> None:
    async def connect(client_reader, client_writer) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):  # a side hung up, or stopping
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
            await asyncio.gather(
                _delayed(client_reader, server_writer, delay), _straight(server_reader, client_writer),
                return_exceptions=True,
            )  # fmt: skip

    server = await asyncio.start_server(connect, "127.0.0.1", 0)
    ports.put(server.sockets[0].getsockname()[1])
    while not stop.is_set():
        await asyncio.sleep(0.1)
    server.close()


def _run(upstream_port: int, delay: float, ports: multiprocessing.Queue, stop) -> None:
    asyncio.run(_serve(upstream_port, delay, ports, stop))


@contextlib.contextmanager
def delay_link_process(upstream_port: int, delay_ms: float) -> Iterator[str]:
    """A delay link to 127.0.0.1:``upstream_port`` in its own process; yields its URL."""
    context = multiprocessing.get_context("spawn")
    ports, stop = context.Queue(), context.Event()
    process = context.Process(target=_run, args=(upstream_port, delay_ms / 1000, ports, stop), daemon=True)
    process.start()
    try:
        yield f"http://127.0.0.1:{ports.get(timeout=30)}/"
    finally:
        stop.set()
        process.join(10)
