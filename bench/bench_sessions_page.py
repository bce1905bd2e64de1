"""Benchmark: the Sessions page with 10,000 sessions on the bundled server (AppTest run time).

Starts the bundled server through the app's own launcher in a temporary data dir (demo data
loaded), adds 10,000 sessions through the API, then measures with Streamlit's AppTest:

- first render: a new browser session (empty per-session cache) opening the Sessions page,
  logged in as admin; the whole script run (app.py + page: API calls, DataFrame, table);
- filter change: on an open page, typing a search text (sent to the server as
  ``filter{name.icontains}`` / ``filter{description.icontains}``), choosing one project, choosing
  a tag; a different value each time so no cache is hit.

The table holds the newest ``data.ROW_LIMIT`` matches; "Show all" (timed once, no target)
reads every session. A warm-up run first pays Python's imports and the server start, which
are not the page's cost.
Targets: first render <= 1.5 s, filter change <= 300 ms (medians). Run from the repo root:

    .venv/bin/python -m bench.bench_sessions_page [--sessions 10000] [--repeat 5] [--data-dir DIR]

``--data-dir`` keeps the seeded data dir for the next run (seeding takes a minute or two).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from stemgui import backend
from stemgui.auth import UserStore
from stemgui.client import BrainstemClient
from stemgui.gui import loaders as data
from tests.gui.apptest import use_navigation_in_apptest

REPO_ROOT = Path(__file__).resolve().parent.parent
WORDS = ["linear track", "open field", "sleep", "T-maze", "home cage", "ripples", "theta", "optotag"]
TARGET_FIRST, TARGET_FILTER = 1.5, 0.3


def seed(api: BrainstemClient, count: int) -> None:
    """``count`` sessions in a new project, with words, tags and extra fields to filter on."""
    project = api.save_model("project", data={"name": f"Bench {time.time_ns()}"})["project"]

    def create(i: int) -> None:
        word = WORDS[i % len(WORDS)]
        api.save_model("session", data={
            "name": f"bench-{i:05d} {word}", "projects": [project["id"]],
            "description": f"{word} session number {i} of rat R{i % 37:02d}",
            "date_time": f"20{20 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "tags": [word, f"rig{i % 4}"], "extra_fields": {"trial": i, "rig": f"rig{i % 4}"},
        })  # fmt: skip

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(create, range(count)))


def logged_in_app() -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "admin"
    return at


def timed(run) -> float:
    start = time.perf_counter()
    at = run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, help="reuse (or create) this data dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stemgui-bench-") as tmp:
        data_dir = (args.data_dir or Path(tmp)).resolve()
        os.environ.update(STEMGUI_DATA_DIR=str(data_dir), STEMGUI_LOGIN_SLEEP="0")
        os.environ.pop("STEMGUI_API_URL", None)
        os.chdir(REPO_ROOT)
        UserStore(data_dir).bootstrap()
        server = backend.bundled_server(data_dir)
        try:
            api = BrainstemClient(server.url, server.token_for("admin", "admin"))
            start = time.perf_counter()
            missing = args.sessions - api.load_model("session", options={"limit": 1})["count"]
            if missing > 0:
                seed(api, missing)
            total = api.load_model("session", options={"limit": 1})["count"]
            seconds = time.perf_counter() - start
            print(f"seeded {max(missing, 0):,} sessions in {seconds:.1f} s; admin sees {total:,}")
            measure(api, args.repeat, total)
        finally:
            backend.stop_all()


def measure(api: BrainstemClient, repeat: int, total: int) -> None:
    use_navigation_in_apptest()  # every run goes through app.py, as in a real browser session
    logged_in_app().run()  # warm-up: imports, first connections
    first, filters = [], {"search": [], "project": [], "tag": []}
    projects = list(api.list_all("project"))
    print(f"{total:,} sessions; the table shows the newest {data.ROW_LIMIT} matches; median of {repeat} runs")
    for round_ in range(repeat):
        st.cache_data.clear()  # a cold start: AppTest sessions share one session id, hence one cache
        at = logged_in_app()
        first.append(timed(at.run))
        shown = len(at.dataframe[0].value)
        assert shown == min(total, data.ROW_LIMIT), f"the page showed {shown} of {total} sessions"
        assert f"of {total:,} matching" in " ".join(c.value for c in at.caption)
        search = at.text_input(key="sessions.f.text")
        filters["search"].append(timed(lambda s=search, r=round_: s.input(f"R{r:02d}").run()))
        search.input("")
        at.run()
        project = at.multiselect(key="sessions.f.projects")
        chosen = [projects[round_ % len(projects)]["id"]]
        filters["project"].append(timed(lambda p=project, c=chosen: p.set_value(c).run()))
        project.set_value([])
        at.run()
        tag = at.multiselect(key="sessions.f.tags")
        filters["tag"].append(timed(lambda t=tag, r=round_: t.set_value([WORDS[r % len(WORDS)]]).run()))
    st.cache_data.clear()
    at = logged_in_app()
    at.run()
    show_all = timed(lambda: at.button(key="sessions.show_all_button").click().run())
    assert len(at.dataframe[0].value) == total
    report("first render", first, TARGET_FIRST)
    for name, values in filters.items():
        report(f"filter change ({name})", values, TARGET_FILTER)
    print(f"{'show all (no target)':26s} once   {show_all * 1000:6.0f} ms: every session read into the table")


def report(name: str, values: list[float], target: float) -> None:
    median = statistics.median(values)
    verdict = "ok" if median <= target else "OVER TARGET"
    runs = ", ".join(f"{v * 1000:.0f}" for v in values)
    print(f"{name:26s} median {median * 1000:6.0f} ms (target {target * 1000:.0f} ms, {verdict}); {runs}")


if __name__ == "__main__":
    main()
