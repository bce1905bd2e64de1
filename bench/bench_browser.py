"""Benchmark: the Sessions, Actions and Procedures lists in a real browser (Playwright + Chromium).

Issue 17's browser targets, measured from the click (or key) to the table showing the new rows:

- first render of each list: the "Log in" click to the Sessions table (the page a login lands
  on: it includes the login's own check), then the "Actions" link to the Actions table and the
  "Procedures" link to the Procedures table;
- a filter change: a search text typed and sent (Tab) to the table with the new count;
- opening a record: a click on the first row's "Open" button to its detail panel; then a click
  on the second row's marker to the panel showing that record (a picked row waits for the
  grid's 150 ms selection debounce before Streamlit hears of it).

Data: a fresh bundled data dir (the first-run admin, the demo lab), plus ``--sessions`` sessions,
``--actions`` actions and ``--procedures`` procedures (copies of a demo virus injection)
bulk-inserted into the bundled SQLite file through the server's tables (``bench.bench_server``'s
seeders), in the demo lab's projects and subjects (admin's); then a
second data dir with ``--big`` sessions for the 50,000 first render. Warm: Streamlit's process
and the server have served a discarded round first; every round is a new browser context (a new
Streamlit session, so no per-session cache helps).

"The table shows the new rows" is detected in the page at animation-frame resolution: the
count under the table ("... shown", "Showing ...") changed (or the detail panel appeared), and no element of
the previous run is left stale and no run is going on. Each ``--app-root`` (default: this
checkout; add an older checkout's export for a before/after in one run) is measured in turn on
the same data. Run from the repo root:

    .venv/bin/python -m bench.bench_browser [--sessions 10000] [--actions 10000] [--procedures 10000]
        [--big 50000]
        [--rounds 3] [--app-root DIR ...]

Targets: first render <= 1.5 s (50,000 sessions: <= 3 s), filter change <= 300 ms, opening a
record <= 300 ms (medians).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import insert

from bench.bench_server import WORDS, _day, _seed_actions, _seed_sessions
from stemgui import backend
from stemgui.auth import INITIAL_PASSWORD_FILE, UserStore
from stemgui.server import tables as t
from stemgui.server import tables_current as tc
from stemgui.server.db import sessionmaker_for
from tests.browser import CHROMIUM, CHROMIUM_ARGS, idle
from tests.serverproc import REPO_ROOT, free_port

TARGETS = {"first render": 1.5, "first render (50k)": 3.0, "filter change": 0.3, "open a record": 0.3,
           "open a record, row marker": 0.3}
BUSY = "[data-testid='stStatusWidget'], [data-stale='true'], [data-testid='stSkeleton']"
# the count under the list changed from `previous` and the run is over: the moment, else false
_COUNT_CHANGED = """([previous, busy]) => {
    if (document.querySelector(busy)) return false;
    const counts = [...document.querySelectorAll("[data-testid='stCaptionContainer']")]
        .map(e => e.innerText).filter(t => / shown|^Showing /.test(t));
    if (!counts.length || counts[0] === previous) return false;
    if (!document.querySelector("[data-testid='stDataFrame']")) return false;
    return performance.now();
}"""
_DETAIL_SHOWN = """([selector, busy]) => {
    if (document.querySelector(busy)) return false;
    return document.querySelector(selector) ? performance.now() : false;
}"""
# the detail panel shows another record than ``before`` (its text) and the run is over
_DETAIL_CHANGED = """([selector, busy, before]) => {
    if (document.querySelector(busy)) return false;
    const panel = document.querySelector(selector);
    return panel && panel.innerText !== before ? performance.now() : false;
}"""
_COUNT = """() => ([...document.querySelectorAll("[data-testid='stCaptionContainer']")]
    .map(e => e.innerText).filter(t => / shown|^Showing /.test(t))[0] || "")"""


def _seed_procedures(db, count: int, subjects: list[str]) -> None:
    """``count`` copies of a demo virus injection (valid for its shipped schemas), on the demo
    lab's subjects, with their own dates and notes ("procedure <word> <i>")."""
    rnd = random.Random(7)
    model = db.query(tc.Procedure).filter(tc.Procedure.type == "VirusInjection").first()
    kept = ("type", "details", "type_schema_version", "coordinates_system", "coordinates_details",
            "coordinates_schema_version", "brain_region_id")  # fmt: skip
    db.execute(insert(tc.Procedure), [
        {**{name: getattr(model, name) for name in kept}, "notes": f"procedure {rnd.choice(WORDS)} {i}",
         "subject_id": subjects[i % len(subjects)], "date_time": _day(i)}
        for i in range(count)
    ])  # fmt: skip


def prepare(data_dir: Path, sessions: int, actions: int, procedures: int = 0) -> str:
    """A first-run data dir with ``sessions``, ``actions`` and ``procedures`` more, readable by
    admin; admin's password."""
    password = UserStore(data_dir).bootstrap() or (data_dir / INITIAL_PASSWORD_FILE).read_text().strip()
    backend.prepare(data_dir, {"admin": "admin"})
    db_url = f"sqlite:///{data_dir / backend.DB_FILE}"
    started = time.perf_counter()
    with sessionmaker_for(db_url).begin() as db:  # in the demo lab's projects and subjects (admin's)
        projects = [project.id for project in db.query(t.Project)]
        subjects = [subject.id for subject in db.query(t.Subject)]
        if sessions:
            _seed_sessions(db, random.Random(7), sessions, 0, projects, len(projects))
        if actions:
            _seed_actions(db, random.Random(7), actions, subjects)
        if procedures:
            _seed_procedures(db, procedures, subjects)
    print(f"  seeded {sessions:,} sessions, {actions:,} actions and {procedures:,} procedures in "
          f"{time.perf_counter() - started:.1f} s")
    return password


@contextmanager
def streamlit(app_root: Path, data_dir: Path):
    """``streamlit run app.py`` of ``app_root`` on the bundled backend of ``data_dir``; its URL."""
    env = {k: v for k, v in os.environ.items() if k != "STEMGUI_API_URL"}
    env.update(STEMGUI_DATA_DIR=str(data_dir), STEMGUI_LOGIN_SLEEP="0", PYTHONPATH=str(app_root))
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--browser.gatherUsageStats", "false"]  # fmt: skip
    log = (data_dir / f"streamlit-{port}.log").open("wb")
    proc = subprocess.Popen(command, cwd=app_root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "_stcore/health", timeout=1).text == "ok":
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _start(page) -> float:
    return page.evaluate("() => performance.now()")


def _until_count_changed(page, previous: str, start: float) -> float:
    moment = page.wait_for_function(_COUNT_CHANGED, arg=[previous, BUSY], polling="raf", timeout=120_000)
    return (moment.json_value() - start) / 1000


def log_in(page, password: str) -> float:
    """Log in as admin; seconds from the (last) "Log in" click to the Sessions table. A click
    that a rerun of the login page swallowed (the cookie component loading) is repeated."""
    for _ in range(3):
        idle(page, settle_ms=1500)  # the cookie component's rerun would swallow an early click
        page.get_by_role("textbox", name="Username", exact=True).fill("admin")
        page.get_by_role("textbox", name="Password", exact=True).fill(password)
        start = _start(page)
        page.get_by_role("button", name="Log in", exact=True).click()
        try:
            moment = page.wait_for_function(_COUNT_CHANGED, arg=["", BUSY], polling="raf", timeout=30_000)
            return (moment.json_value() - start) / 1000
        except PlaywrightTimeout:
            if not page.get_by_role("button", name="Log in", exact=True).count():
                raise
    raise PlaywrightTimeout("could not log in")


def one_round(browser, url: str, password: str, big: bool) -> dict[str, float]:
    """One new browser session: log in, Sessions, a filter, a record; the same on Actions and
    on Procedures."""
    times: dict[str, float] = {}
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(url)
        times["first render" + (" (50k)" if big else "")] = log_in(page, password)
        if big:
            return times
        idle(page, settle_ms=300)
        for noun, search, word in (("sessions", "Search name or description", "septum"),
                                   ("actions", "Search description", "cortex"),
                                   ("procedures", "Search notes", "cortex")):  # fmt: skip
            if noun != "sessions":
                start = _start(page)
                page.get_by_test_id("stSidebarNav").get_by_text(noun.capitalize(), exact=True).click()
                times[f"first render ({noun})"] = _until_count_changed(page, page.evaluate(_COUNT), start)
                idle(page, settle_ms=300)
            box = page.get_by_role("textbox", name=search, exact=True)
            box.fill(word)
            previous = page.evaluate(_COUNT)
            start = _start(page)
            box.press("Tab")
            times[f"filter change ({noun})"] = _until_count_changed(page, previous, start)
            idle(page, settle_ms=300)
            grid = page.get_by_test_id("stDataFrame").first
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            detail = f".st-key-{noun}-detail"
            start = _start(page)
            page.mouse.click(box["x"] + 62, box["y"] + 35 + 17)  # the first row's "Open" button
            try:
                moment = page.wait_for_function(_DETAIL_SHOWN, arg=[detail, BUSY], polling="raf",
                                                timeout=10_000)  # fmt: skip
                times[f"open a record ({noun})"] = (moment.json_value() - start) / 1000
                idle(page, settle_ms=300)
            except PlaywrightTimeout:
                print(f"  no record opened by an Open button ({noun}): an app without that column?")
            shown = page.evaluate("(s) => document.querySelector(s)?.innerText || ''", detail)
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            start = _start(page)
            page.mouse.click(box["x"] + 18, box["y"] + 2 * 35 + 17)  # the second row's marker
            moment = page.wait_for_function(_DETAIL_CHANGED, arg=[detail, BUSY, shown], polling="raf",
                                            timeout=60_000)  # fmt: skip
            times[f"open a record, row marker ({noun})"] = (moment.json_value() - start) / 1000
            idle(page, settle_ms=300)
        return times
    finally:
        context.close()


def measure(browser, app_root: Path, data_dir: Path, password: str, rounds: int, big: bool) -> dict:
    with streamlit(app_root, data_dir) as url:
        for _ in range(2):  # warm-up: imports, the server's first queries (retried once)
            try:
                one_round(browser, url, password, big)
                break
            except PlaywrightTimeout as exc:
                print(f"  the warm-up round did not finish: {str(exc).splitlines()[0]}")
        results: dict[str, list[float]] = {}
        for number in range(rounds):
            try:
                times = one_round(browser, url, password, big)
            except PlaywrightTimeout as exc:  # said, not hidden: the round is left out of the medians
                print(f"  round {number + 1} did not finish: {str(exc).splitlines()[0]}")
                continue
            for name, seconds in times.items():
                results.setdefault(name, []).append(seconds)
        return results


def target_of(name: str) -> float:
    return TARGETS["first render (50k)"] if "50k" in name else TARGETS[name.split(" (")[0]]


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--procedures", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=50_000, help="sessions of the big case (0: skip)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--app-root", type=Path, action="append", help="a checkout to measure (repeatable)")
    args = parser.parse_args()
    roots = [root.resolve() for root in args.app_root or [REPO_ROOT]]
    missed = False
    with tempfile.TemporaryDirectory(prefix="stemgui-bench-browser-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cases = [(Path(tmp) / "10k", args.sessions, args.actions, args.procedures, False)]
        cases += [(Path(tmp) / "big", args.big, 0, 0, True)] if args.big else []
        for data_dir, sessions, actions, procedures, big in cases:
            data_dir.mkdir()
            print(f"data: {sessions:,} sessions, {actions:,} actions, {procedures:,} procedures (+ demo lab)")
            password = prepare(data_dir, sessions, actions, procedures)
            for root in roots:
                results = measure(browser, root, data_dir, password, args.rounds, big)
                load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
                print(f"  app {root} (median of {args.rounds} rounds; load average {load})")
                for name, values in results.items():
                    median, target = statistics.median(values), target_of(name)
                    verdict = "met" if median <= target else "MISSED"
                    missed |= median > target
                    runs = ", ".join(f"{v * 1000:.0f}" for v in values)
                    figure = f"{median * 1000:6.0f} ms  target {target * 1000:.0f} ms {verdict}"
                    print(f"    {name:28s} {figure}  ({runs})")
        browser.close()
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
