"""Benchmark: what one Streamlit run of a page costs as a lab's GUI users grow.

Every run reads the data dir's ``auth.yaml`` and ``api-users.yaml`` several times (the login
check, the role, the session version, the API token), so their size is paid per click. For each
``--users`` N this makes a data dir with the bundled server (the demo lab) and N more GUI users,
each with its API user as the app makes them, then runs the Sessions page in AppTest as one of
them ``--runs`` times and prints the median run. Each ``--app-root`` (default: this checkout; add
an older checkout for a before/after in one run) is measured in its own process, in turn, on the
same data dirs. Run from the repo root:

    .venv/bin/python -m bench.bench_many_users [--users 1 50 150] [--runs 15] [--app-root DIR ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stemgui import backend
from stemgui.auth import UserStore
from tests.serverproc import REPO_ROOT

PASSWORD = "correct horse battery"
ROLE = "editor"


def prepare(data_dir: Path, users: int) -> str:
    """A first-run data dir with ``users`` more GUI users and their API users; one of their names."""
    os.environ["STEMGUI_BCRYPT_ROUNDS"] = "4"  # making the users is not what is measured
    store = UserStore(data_dir)
    store.bootstrap()
    server = backend.bundled_server(data_dir)
    names = [f"member{number:04d}" for number in range(users)]
    for name in names:
        store.add_user(name, PASSWORD, ROLE, name=name.title())
        server.token_for(name, ROLE)
    backend.stop_all()
    return names[-1]


def measure_here(data_dir: Path, username: str, runs: int) -> list[float]:
    """Seconds per rerun of the Sessions page for ``username`` (in this process's checkout)."""
    from tests.gui.apptest import GuiUser, logged_in, use_navigation_in_apptest

    use_navigation_in_apptest()
    backend.bundled_server(data_dir)
    try:
        app = logged_in(GuiUser(username, PASSWORD, ROLE, None))  # lands on Sessions
        app.run()  # warm: the page's lookups are cached from here on
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - started)
        if app.exception:
            raise SystemExit(f"the page failed: {app.exception[0].value}")
        return times
    finally:
        backend.stop_all()


def measure(app_root: Path, data_dir: Path, username: str, runs: int) -> list[float]:
    """``measure_here`` in a process of ``app_root``'s checkout."""
    env = {k: v for k, v in os.environ.items() if k != "STEMGUI_API_URL"}
    env.update(STEMGUI_DATA_DIR=str(data_dir), STEMGUI_LOGIN_SLEEP="0", PYTHONPATH=str(app_root))
    # this file, run by path: the older checkout may not have it, and its own code is imported
    command = [sys.executable, __file__, "--child", str(data_dir), username, str(runs)]
    out = subprocess.run(command, cwd=app_root, env=env, capture_output=True, text=True, timeout=900)
    if out.returncode:
        raise SystemExit(f"{app_root}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        data_dir, username, runs = sys.argv[2:5]
        print(json.dumps(measure_here(Path(data_dir), username, int(runs))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 50, 150])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--app-root", type=Path, action="append", help="a checkout to measure (repeatable)")
    args = parser.parse_args()
    roots = [root.resolve() for root in args.app_root or [REPO_ROOT]]
    with tempfile.TemporaryDirectory(prefix="stemgui-bench-users-") as tmp:
        for users in args.users:
            data_dir = Path(tmp) / f"users-{users}"
            data_dir.mkdir()
            username = prepare(data_dir, users)
            size = sum((data_dir / name).stat().st_size for name in ("auth.yaml", "api-users.yaml"))
            print(f"{users} GUI users (+ admin); auth.yaml + api-users.yaml {size / 1024:.0f} KiB")
            for root in roots:
                times = measure(root, data_dir, username, args.runs)
                load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
                median = statistics.median(times) * 1000
                print(f"  {str(root):40s} Sessions page rerun median {median:6.0f} ms"
                      f"  (min {min(times) * 1000:.0f}; load average {load})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
