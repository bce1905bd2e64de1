"""Benchmark: ``POST /api/token/`` timing for a known user with a wrong password vs an unknown
user, and a normal request's latency while 24 clients keep sending wrong passwords.

Starts the bundled server as a subprocess on a temporary SQLite file with production bcrypt cost
(12). The login limits are raised for the run so that every attempt really checks a password
(the worst case for the server's CPU; with the default limits an address is refused without a
check after 20 failures). Run from the repo root:

    .venv/bin/python -m bench.bench_login [--repeat 31] [--attackers 24] [--seconds 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from stemgui.server.admin import ensure_user
from tests.serverproc import ServerProcess

SETTINGS = {
    "STEMGUI_BCRYPT_ROUNDS": "12",
    "STEMGUI_LOGIN_MAX_FAILURES": "1000000",
    "STEMGUI_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000",
}


def login_seconds(url: str, username: str, password: str) -> float:
    started = time.perf_counter()
    body = {"username": username, "password": password}
    response = requests.post(url + "api/token/", json=body, timeout=120)
    elapsed = time.perf_counter() - started
    if response.status_code != 400:
        raise SystemExit(f"expected 400 for a wrong login, got {response.status_code}: {response.text}")
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def normal_requests(url: str, token: str, seconds: float) -> list[float]:
    """Wall times of reads of a page of sessions (a normal request), one every 50 ms for ``seconds``."""
    times, stop_at = [], time.monotonic() + seconds
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {token}"
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            http.get(url + "api/private/stem/session/?limit=20", timeout=120).raise_for_status()
            times.append(time.perf_counter() - started)
            time.sleep(0.05)
    return times


def under_attack(url: str, token: str, attackers: int, seconds: float) -> tuple[list[float], int]:
    """Normal requests while ``attackers`` threads send wrong passwords non-stop; also how many
    wrong logins were answered meanwhile."""
    stop, answered = threading.Event(), [0]

    def attack(i: int) -> None:
        with requests.Session() as http:
            while not stop.is_set():
                body = {"username": f"victim{i}", "password": "guess"}
                http.post(url + "api/token/", json=body, timeout=300)
                answered[0] += 1

    threads = [threading.Thread(target=attack, args=(i,), daemon=True) for i in range(attackers)]
    for thread in threads:
        thread.start()
    time.sleep(2.0)  # let the attack reach its steady state
    try:
        return normal_requests(url, token, seconds), answered[0]
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=300)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=31, help="logins timed per kind")
    parser.add_argument("--attackers", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=15, help="length of each phase of normal requests")
    args = parser.parse_args(argv)
    os.environ.update(SETTINGS)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        server = ServerProcess(f"sqlite:///{data_dir / 'bench.sqlite'}", data_dir).start()
        try:
            known, password = f"known-{uuid.uuid4().hex[:6]}", "the right password"
            ensure_user(server.db_url, known, f"{known}@example.org", password)
            for i in range(args.attackers):  # existing users: the costly case also before the fix
                ensure_user(server.db_url, f"victim{i}", f"victim{i}@example.org", f"victim password {i}")
            token = server.token(known, password)
            login_seconds(server.url, known, "warm-up")
            known_times, unknown_times = [], []
            for _ in range(args.repeat):  # interleaved, so that machine load hits both alike
                known_times.append(login_seconds(server.url, known, "a wrong password"))
                unknown_times.append(login_seconds(server.url, f"nobody-{uuid.uuid4().hex[:6]}", "x"))
            quiet = normal_requests(server.url, token, args.seconds)
            loaded, wrong_logins = under_attack(server.url, token, args.attackers, args.seconds)
        finally:
            server.stop()
    known_ms, unknown_ms = statistics.median(known_times) * 1000, statistics.median(unknown_times) * 1000
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    print("| | median |")
    print("|---|---|")
    print(f"| /api/token/, known user, wrong password | {known_ms:.0f} ms |")
    print(f"| /api/token/, unknown user | {unknown_ms:.0f} ms ({100 * (unknown_ms / known_ms - 1):+.0f} %) |")
    print()
    print("| normal request (GET 20 sessions) | p50 | p95 | max |")
    print("|---|---|---|---|")
    for label, times in (("quiet", quiet), (f"while {args.attackers} clients send wrong passwords", loaded)):
        p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
        print(f"| {label} | {p50:.0f} ms | {p95:.0f} ms | {max(times) * 1000:.0f} ms |")
    print(f"\n{len(quiet)} / {len(loaded)} normal requests; wrong logins answered meanwhile: {wrong_logins}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
