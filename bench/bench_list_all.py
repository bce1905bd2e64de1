"""Benchmark: ``list_all`` vs sequential limit/offset paging, 3,000 sessions and 3,000 procedures.

Starts the bundled server as a subprocess on a temporary SQLite file, seeds it through the API,
then times both ways of reading every record: directly on loopback, and through a link (in its
own process) that adds 30 ms to every request, like a server far away: ``--link tcp`` (default)
delays the bytes without reading HTTP (``delay_link.py``), ``--link http`` is the test suite's
HTTP proxy, whose own parsing and re-sending takes CPU from the client and the server on a small
machine. Targets (issue 17): ``list_all`` >= 5x sequential through the link, >= 1x on loopback.
Run from the repo root:

    .venv/bin/python -m bench.bench_list_all [--sessions 3000] [--latency-ms 30] [--repeat 5]
        [--workers 1] [--link tcp|http]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.delay_link import delay_link_process
from stemgui.catalog import model_info
from stemgui.client import PAGE_SIZE, BrainstemClient
from tests.faults import LatencyProxy
from tests.serverproc import ServerProcess


def seed(api: BrainstemClient, sessions: int) -> dict[str, dict]:
    """A project with ``sessions`` sessions and a subject in it with as many procedures, created
    through the API; the filters that select each (model -> filters)."""
    project = api.save_model("project", data={"name": f"bench-{time.time_ns()}"})["project"]
    species = api.save_model("species", data={"name": f"bench-{time.time_ns()}", "description": ""})
    strain = api.save_model("strain", data={"name": f"bench-{time.time_ns()}", "description": "",
                                            "species": species["species"]["id"]})  # fmt: skip
    subject = api.save_model(
        "subject",
        data={
            "name": f"bench-{time.time_ns()}",
            "sex": "F",
            "strain": strain["strain"]["id"],
            "projects": [project["id"]],
        },
    )
    subject_id = subject["subject"]["id"]

    def create(i: int) -> None:
        api.save_model(
            "session", data={"name": f"bench-{project['id'][:8]}-{i:05d}", "projects": [project["id"]]}
        )
        api.save_model("procedure", data={"type": "VirusInjection", "subject": subject_id,
                                          "notes": f"bench {i}", "date_time": "2026-11-20",
                                          "details": {"injectionRate": 50},
                                          "coordinates_system": "Stereotaxic_BregmaAbsolute",
                                          "coordinates_details": {"apCoordinate": -2}})  # fmt: skip

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(create, range(sessions)))
    return {"session": {"projects.id": project["id"]}, "procedure": {"subject": subject_id}}


def sequential(api: BrainstemClient, model: str, filters: dict) -> list[dict]:
    """Plain paging: one page after the other until ``count`` is reached."""
    key = model_info(model).list_key
    records: list[dict] = []
    while True:
        options = {"limit": PAGE_SIZE, "offset": len(records)}
        page = api.load_model(model, filters=filters, options=options)
        records += page[key]
        if not page[key] or len(records) >= page["count"]:
            return records


def _timed(run: Callable[[], list], expected: int) -> float:
    started = time.perf_counter()
    got = len(run())
    seconds = time.perf_counter() - started
    if got != expected:
        raise SystemExit(f"expected {expected} records, got {got}")
    return seconds


def compare(
    url: str, token: str, model: str, filters: dict, expected: int, repeat: int
) -> tuple[float, float]:
    """(sequential seconds, list_all seconds) against ``url``: medians of ``repeat`` runs of each,
    taken in turns (after one warm-up each), so that a machine whose speed drifts during the bench
    slows both alike, and in turns of which goes first, so neither always runs right after the
    other (whatever the first leaves behind, e.g. garbage to collect, falls on both alike)."""
    with BrainstemClient(url, token) as api:
        ways = (lambda: sequential(api, model, filters), lambda: api.list_all(model, filters=filters))
        for run in ways:
            run()
        times: tuple[list[float], list[float]] = ([], [])
        for turn in range(repeat):
            pairs = list(zip(ways, times, strict=True))
            for run, taken in pairs if turn % 2 == 0 else reversed(pairs):
                taken.append(_timed(run, expected))
    return statistics.median(times[0]), statistics.median(times[1])


def _serve_proxy(upstream: str, latency_ms: float, urls: multiprocessing.Queue, stop) -> None:
    with LatencyProxy(upstream, latency_ms=latency_ms) as proxy:
        urls.put(proxy.url)
        stop.wait()


@contextlib.contextmanager
def latency_proxy_process(upstream: str, latency_ms: float) -> Iterator[str]:
    """A LatencyProxy in its own process (so it does not share the client's GIL); yields its URL."""
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    process = context.Process(target=_serve_proxy, args=(upstream, latency_ms, urls, stop), daemon=True)
    process.start()
    try:
        yield urls.get(timeout=30)
    finally:
        stop.set()
        process.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=3000)
    parser.add_argument("--latency-ms", type=float, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--link", choices=("tcp", "http"), default="tcp")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="stemgui-bench-list-all-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        server = ServerProcess(db_url, Path(tmp), workers=args.workers).start()
        try:
            _, token = server.new_user("bench")
            with BrainstemClient(server.url, token) as api:
                started = time.perf_counter()
                filters = seed(api, args.sessions)
                seconds = time.perf_counter() - started
                print(f"seeded {args.sessions} sessions and procedures through the API in {seconds:.1f} s")
            rows = []
            if args.link == "tcp":
                link = delay_link_process(server.port, args.latency_ms)
            else:
                link = latency_proxy_process(server.url, args.latency_ms)
            with link as link_url:
                for model, selected in filters.items():
                    for label, url in (
                        ("loopback", server.url),
                        (f"+{args.latency_ms:g} ms {args.link} link", link_url),
                    ):
                        figures = compare(url, token, model, selected, args.sessions, args.repeat)
                        rows.append((f"{model}s, {label}", *figures))
        finally:
            server.stop()

    pages = -(-args.sessions // PAGE_SIZE)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{args.sessions} records each, {pages} pages of {PAGE_SIZE}, median of {args.repeat} runs "
        f"(load average {load} on {os.cpu_count()} CPUs; {args.workers} server process(es))"
    )
    print(f"{'path':<28}{'sequential':>12}{'list_all':>12}{'speed-up':>10}  target")
    for label, seq, par in rows:
        target = 5.0 if "link" in label else 1.0
        verdict = "met" if seq / par >= target else "MISSED"
        times = f"{seq * 1000:>10.0f}ms{par * 1000:>10.0f}ms"
        print(f"{label:<28}{times}{seq / par:>9.1f}x  >= {target:g}x {verdict}")


if __name__ == "__main__":
    main()
