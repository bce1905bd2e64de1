"""Benchmark: what a fresh install's first login waits for on the backend side (issue 17 item 5).

Two fresh data dirs in one run: "before" runs only the first-run admin step (as the code did
before issue 17), "after" runs ``python -m stemgui.firstrun``'s whole step (demo lab and admin's
API user made before Streamlit starts). Then, for each, what the first login does on the backend
side: start the bundled server (``backend.bundled_server``) and get admin's API token. The
browser's part (Streamlit's page scripts, the login form's own password check) is not included.
Run from the repo root:

    .venv/bin/python -m bench.bench_first_login [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from stemgui import backend
from stemgui.auth import UserStore


def first_login(data_dir: Path, prepared: bool) -> tuple[float, float]:
    """(seconds of the step before Streamlit starts, seconds the first login waits on the backend)."""
    started = time.perf_counter()
    UserStore(data_dir).bootstrap()
    if prepared:
        backend.prepare(data_dir, {"admin": "admin"})
    before_app = time.perf_counter() - started
    started = time.perf_counter()
    try:
        backend.bundled_server(data_dir).token_for("admin", "admin")
        return before_app, time.perf_counter() - started
    finally:
        backend.stop_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for _ in range(args.repeat):
        for label in runs:  # interleaved, so both see the same machine load
            with tempfile.TemporaryDirectory(prefix="stemgui-bench-first-") as tmp:
                runs[label].append(first_login(Path(tmp), prepared=label == "after"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"fresh install, median of {args.repeat} (load average {load} on {os.cpu_count()} CPUs)")
    print(f"{'':8}{'before the app starts':>24}{'first login waits (backend)':>30}")
    for label, figures in runs.items():
        setup = statistics.median(f[0] for f in figures)
        login = statistics.median(f[1] for f in figures)
        print(f"{label:8}{setup:>22.2f} s{login:>28.2f} s")


if __name__ == "__main__":
    main()
