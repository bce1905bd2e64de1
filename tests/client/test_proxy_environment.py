"""An institute's HTTP_PROXY: the bundled server on this machine is reached directly, a remote
server through the proxy (as requests does by default)."""

from __future__ import annotations

from stemgui.backend import free_port
from stemgui.client import BrainstemClient
from tests.client.helpers import stand_in_server


def test_the_bundled_server_is_reached_directly_whatever_the_environments_proxy(
    server, user, proxy_environment
):
    """A proxy that does not answer (nothing listens on its port) is not asked: before, every call
    of the app to its own bundled server went to it and failed ("Could not reach the server")."""
    proxy_environment(f"http://127.0.0.1:{free_port()}")
    with BrainstemClient(server.url, user[1], attempts=1) as api:
        assert api.list_all("project") == api.list_all("project")  # answered, twice
        assert api.ping()


def test_a_remote_server_is_still_asked_through_the_environments_proxy_a_stand_in_proxy(proxy_environment):
    """BrainSTEM itself cannot be reached here: a stand-in proxy on loopback answers for it. The
    request for the remote host goes to the proxy, as an absolute URL naming that host."""
    asked: list[str] = []

    def answer(path: str) -> dict:
        asked.append(path.split("?")[0])
        return {"projects": [], "count": 0}

    with stand_in_server(answer) as proxy_url:
        proxy_environment(proxy_url.rstrip("/"))
        with BrainstemClient("http://brainstem.invalid/", "token", attempts=1) as api:
            assert api.load_model("project") == {"projects": [], "count": 0}
    assert asked == ["http://brainstem.invalid/api/private/stem/project/"]
