"""The fault servers themselves: they do what they say and stop cleanly (no port, no thread left)."""

from __future__ import annotations

import socket
import threading

import pytest
import requests

from tests.faults import ClosedPort, FaultProxy, SleepyServer


def refuses_connections(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_closed_port_refuses():
    with ClosedPort() as closed:
        assert refuses_connections(closed.port)
        with pytest.raises(requests.ConnectionError):
            requests.get(closed.url, timeout=2)


def test_sleepy_server_stops_under_a_waiting_request():
    threads_before = set(threading.enumerate())
    outcome: list[object] = []
    sleepy = SleepyServer(delay=120).start()

    def wait_for_answer() -> None:
        try:
            outcome.append(requests.get(sleepy.url, timeout=(2, 60)).status_code)
        except requests.RequestException as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait_for_answer)
    waiter.start()
    while sleepy.requests == 0:
        waiter.join(0.01)
    sleepy.stop()
    waiter.join(10)

    assert not waiter.is_alive()
    assert isinstance(outcome[0], requests.ConnectionError)  # dropped, not answered late
    assert refuses_connections(sleepy.port)
    assert {t for t in threading.enumerate() if t.is_alive()} <= threads_before


def test_proxy_forwards_counts_and_stops(server):
    with FaultProxy(server.url, failures=1) as proxy:
        with requests.Session() as http:  # one keep-alive connection through the proxy
            first = http.get(proxy.url + "api/public/stem/session/", timeout=5)
            second = http.get(proxy.url + "api/public/stem/session/", timeout=5)
    assert (first.status_code, second.status_code) == (503, 200)
    assert set(second.json()) >= {"sessions", "count"}
    assert proxy.received == {"GET": 2} and proxy.forwarded == {"GET": 1}
    assert refuses_connections(proxy.port)


def test_proxy_answers_502_when_upstream_is_gone():
    with ClosedPort() as closed, FaultProxy(closed.url) as proxy:
        response = requests.get(proxy.url + "api/public/stem/session/", timeout=5)
    assert response.status_code == 502
    assert proxy.received == {"GET": 1} and proxy.forwarded == {}


def test_stopping_a_server_that_never_started_returns():
    SleepyServer().stop()
    FaultProxy("http://127.0.0.1:1/").stop()
