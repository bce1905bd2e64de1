"""Benchmark: memory of the app-side process with 50,000 sessions loaded (issue 17 item 6).

Seeds 50,000 sessions in bulk (``bench_server.seed``) on a temporary SQLite file, serves them
with the bundled server in its own process, and in this process (which imports what the app
process imports: Streamlit, pandas, the client) reads every session with ``list_all`` and builds
the Sessions table's DataFrame. Prints the resident memory (RSS) after the imports, after the
records are loaded, after the DataFrame is built, and the peak. Target: under 500 MB. Run:

    .venv/bin/python -m bench.bench_memory [--sessions 50000]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import tempfile
import time
from pathlib import Path

import pandas  # noqa: F401  (the app process holds these too: counted in the baseline)
import streamlit  # noqa: F401

from bench.bench_server import PASSWORD, USER, seed
from stemgui.client import BrainstemClient
from stemgui.gui.loaders import sessions_frame
from tests.serverproc import ServerProcess

TARGET_MB = 500


def rss_mb() -> float:
    """This process's resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stemgui-bench-memory-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        seed(db_url, args.sessions, 1, 0)  # (one action: the seeder inserts lists of rows)
        server = ServerProcess(db_url, Path(tmp)).start()
        try:
            token = server.token(USER, PASSWORD)
            gc.collect()
            figures = {"after imports": rss_mb()}
            with BrainstemClient(server.url, token) as api:
                started = time.perf_counter()
                sessions = api.list_all("session")
                load_s = time.perf_counter() - started
                figures[f"{len(sessions):,} sessions loaded ({load_s:.1f} s)"] = rss_mb()
                projects = {p["id"]: p["name"] for p in api.list_all("project")}
                started = time.perf_counter()
                frame = sessions_frame(sessions, projects)
                frame_s = time.perf_counter() - started
                figures[
                    f"DataFrame built ({frame_s:.1f} s, {frame.memory_usage(deep=True).sum() / 2**20:.0f} MB)"
                ] = rss_mb()
        finally:
            server.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"app-side process, {args.sessions:,} sessions (load average {load})")
    for label, mb in figures.items():
        print(f"  {label:<52} RSS {mb:7.0f} MB")
    verdict = "met" if peak < TARGET_MB else "MISSED"
    print(f"  {'peak':<52} RSS {peak:7.0f} MB   target < {TARGET_MB} MB: {verdict}")
    return 0 if peak < TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
