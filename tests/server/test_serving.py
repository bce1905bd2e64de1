"""Issue 17: ``serve --workers N`` (several server processes on one port and one database) and the
HTTP protocol every server process uses."""

from __future__ import annotations

import asyncio
import socket

import pytest
import requests
import uvicorn
from uvicorn.server import ServerState

from stemgui.server.serving import NoDelayHttpProtocol
from tests.server.api import Api, flt
from tests.server.builders import make_project, make_session, share
from tests.serverproc import ServerProcess

FRESH_CONNECTIONS = 12  # each request on a new connection: the kernel hands them to either process


@pytest.fixture(scope="module")
def two_processes(database_url, tmp_path_factory):
    """Two server processes on the session's database (a SQLite file, then PostgreSQL)."""
    proc = ServerProcess(database_url, tmp_path_factory.mktemp("two-processes"), workers=2).start()
    yield proc
    proc.stop()


def _api(server: ServerProcess, prefix: str) -> Api:
    username, token = server.new_user(prefix)
    return Api(server.url, token, username)


def _fresh_get(api: Api, model: str, id: str | None = None, params=None) -> requests.Response:
    """A GET on a connection of its own (not the keep-alive one, which stays with one process)."""
    return requests.get(api.url(model, id), params=params, headers=api.http.headers, timeout=30)


def test_every_process_sees_each_write_and_each_permission_change_at_once(two_processes):
    """What one process writes, the other reads on the next request; a member removed from a
    project is refused by every process on the next request (permissions are read per request,
    never kept in a process)."""
    owner, guest, stranger = (_api(two_processes, name) for name in ("owner", "guest", "stranger"))
    project = make_project(owner)["id"]
    session = make_session(owner, [project])["id"]
    share(owner, project, guest)
    for _ in range(FRESH_CONNECTIONS):
        listed = _fresh_get(guest, "session", params={flt("projects.id"): project}).json()
        assert [record["id"] for record in listed["sessions"]] == [session] and listed["count"] == 1
        assert _fresh_get(stranger, "session", session).status_code == 404
        assert _fresh_get(stranger, "session", params={flt("projects.id"): project}).json()["count"] == 0
    owner.change("project", project, {"users": {guest.email: {"remove": True}}})
    for _ in range(FRESH_CONNECTIONS):
        assert _fresh_get(guest, "session", session).status_code == 404
        assert _fresh_get(guest, "session", params={flt("projects.id"): project}).json()["count"] == 0
    assert _fresh_get(Api(two_processes.url, "not-a-token"), "session").status_code == 401


def test_stopping_stops_every_process(tmp_path):
    """No worker outlives ``stop``: the port is free again (an orphan would keep serving)."""
    server = ServerProcess(f"sqlite:///{tmp_path / 'stop.sqlite'}", tmp_path, workers=2).start()
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "api/public/stem/session/", timeout=5)


def test_connections_are_answered_without_waiting_for_the_clients_delayed_ack():
    """With several workers uvicorn listens on a socket it made itself (protocol number 0) and
    asyncio then leaves Nagle's algorithm on for the connections it accepts: each answer's body
    waited ~40 ms for the client's ACK of its headers. The protocol turns it off itself."""

    async def app(scope, receive, send) -> None:  # accepting a connection never calls it
        raise AssertionError("no request is sent")

    config = uvicorn.Config(app=app, http=NoDelayHttpProtocol, lifespan="off")
    made: list[NoDelayHttpProtocol] = []

    def protocol() -> NoDelayHttpProtocol:
        made.append(NoDelayHttpProtocol(config=config, server_state=ServerState(), app_state={}))
        return made[-1]

    async def accept_one() -> int:
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # as uvicorn binds it
        listening.bind(("127.0.0.1", 0))
        assert listening.proto == 0
        server = await asyncio.get_running_loop().create_server(protocol, sock=listening)
        _, writer = await asyncio.open_connection(*listening.getsockname())
        while not made or made[0].transport is None:
            await asyncio.sleep(0.01)
        accepted = made[0].transport.get_extra_info("socket")
        nodelay = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        server.close()
        return nodelay

    assert asyncio.run(asyncio.wait_for(accept_one(), 10)) != 0
