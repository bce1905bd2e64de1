"""Benchmark: a fresh install, from ``make run`` to a logged-in Sessions table (issue 17).

For each round, a new empty data dir, then what ``make run`` does (the venv is already set up):
``python -m stemgui.firstrun`` (the admin, the demo lab, admin's API user), then ``streamlit run
app.py``; Chromium (Playwright) opens the page, logs in with the password from the first-run
password file as soon as the login form takes a click, and waits for the Sessions table (the
count under it). Printed per round:

- ``first-run step``: ``python -m stemgui.firstrun`` (before Streamlit starts);
- ``to the page``: from ``make run`` to the login form showing in the browser;
- ``page -> table``: from the login form showing to the Sessions table (target <= 5 s); it holds
  the form's settling and the click, which a user typing a password takes longer for;
- ``click -> table``: from the "Log in" click to the Sessions table (what the user waits for).

Each ``--app-root`` (default: this checkout; give an older checkout's export for a before/after
in one run) is measured in turn, alternating by round. Run from the repo root:

    .venv/bin/python -m bench.bench_first_run [--rounds 3] [--app-root DIR ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_browser import log_in, streamlit
from stemgui.auth import INITIAL_PASSWORD_FILE
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.serverproc import REPO_ROOT

TARGET_PAGE_TO_TABLE = 5.0


def one_install(browser, app_root: Path, data_dir: Path) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "STEMGUI_API_URL"}
    env.update(STEMGUI_DATA_DIR=str(data_dir), PYTHONPATH=str(app_root))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "stemgui.firstrun"], cwd=app_root, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    times = {"first-run step": time.perf_counter() - started}
    password = (data_dir / INITIAL_PASSWORD_FILE).read_text().strip()
    with streamlit(app_root, data_dir) as url:
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("button", name="Log in", exact=True).wait_for(timeout=60_000)
        times["to the page"] = time.perf_counter() - started
        shown = time.perf_counter()
        times["click -> table"] = log_in(page, password)  # from the (last) Log in click
        times["page -> table"] = time.perf_counter() - shown
        page.close()
    return times


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--app-root", type=Path, action="append", help="a checkout to measure (repeatable)")
    args = parser.parse_args()
    roots = [root.resolve() for root in args.app_root or [REPO_ROOT]]
    results: dict[Path, dict[str, list[float]]] = {root: {} for root in roots}
    with tempfile.TemporaryDirectory(prefix="stemgui-bench-first-run-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for number in range(args.rounds):
            for root in roots:
                data_dir = Path(tmp) / f"{number}-{roots.index(root)}"
                for name, seconds in one_install(browser, root, data_dir).items():
                    results[root].setdefault(name, []).append(seconds)
        browser.close()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"fresh install, median of {args.rounds} rounds (load average {load})")
    missed = False
    for root, figures in results.items():
        print(f"  app {root}")
        for name, values in figures.items():
            median = statistics.median(values)
            verdict = ""
            if name == "page -> table":
                missed |= median > TARGET_PAGE_TO_TABLE
                verdict = f"  target {TARGET_PAGE_TO_TABLE:.0f} s " + (
                    "met" if median <= TARGET_PAGE_TO_TABLE else "MISSED"
                )
            runs = ", ".join(f"{v:.2f}" for v in values)
            print(f"    {name:16s} {median:6.2f} s{verdict}  ({runs})")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
