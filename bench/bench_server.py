"""Benchmark: list latency of the bundled server with 10,000 sessions and 10,000 actions (SQLite).

Seeds a fresh SQLite file in bulk through the server's own tables (fast, and fine for a
benchmark), then measures over real HTTP against ``python -m stemgui.server serve`` on loopback:

- the median latency of a filtered, sorted page of 100 (target <= 20 ms),
- the total time to read all 10,000 sessions through 100 sequential pages (target <= 2 s),
- the same for actions, and for pages that embed relations (``include[]``);
- N+1 check: the SQL statements one list request runs, counted in-process with SQLAlchemy
  events, for pages of 1, 10 and 100 records (must not grow with the page size).

The user can read 10,000 of the 11,000 sessions (one project is someone else's), so the
permission filter is part of every query. Run from the repo root:

    .venv/bin/python -m bench.bench_server [--sessions 10000] [--actions 10000] [--repeat 50]

Exit status 1 when a target is missed or statements grow with the page size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests
from sqlalchemy import event, insert

from stemgui.schemas import action_types, coordinate_systems
from stemgui.server import tables as t
from stemgui.server.admin import ensure_user
from stemgui.server.db import sessionmaker_for
from tests.serverproc import ServerProcess, free_port

PAGE = 100
USER, PASSWORD = "bench", "bench-password"
WORDS = ("rat", "mouse", "septum", "cortex", "hippocampus", "sleep", "maze", "cooling")
TARGET_PAGE_MS, TARGET_ALL_S = 20.0, 2.0


def _rows(count: int, make: Callable[[int], dict]) -> list[dict]:
    return [make(i) for i in range(count)]


def seed(db_url: str, sessions: int, actions: int, foreign: int, projects: int = 4) -> None:
    """Bulk-insert projects (the user owns ``projects`` of them), subjects, sessions and actions;
    ``foreign`` more sessions go to one more project, another user's."""
    ensure_user(db_url, USER, f"{USER}@example.org", PASSWORD)
    ensure_user(db_url, "stranger", "stranger@example.org", "stranger-password")
    rnd = random.Random(7)
    with sessionmaker_for(db_url).begin() as db:
        users = {u.username: u.id for u in db.query(t.User)}
        project_ids = [t.new_id() for _ in range(projects + (1 if foreign else 0))]
        db.execute(insert(t.Project), [_project(pid, i) for i, pid in enumerate(project_ids)])
        owners = [users[USER]] * projects + [users["stranger"]] * (len(project_ids) - projects)
        memberships = [_owner(pid, uid) for pid, uid in zip(project_ids, owners, strict=True)]
        db.execute(insert(t.ProjectUser), memberships)
        species, strain = t.new_id(), t.new_id()
        db.execute(insert(t.Species), [{"id": species, "name": "Rat"}])
        db.execute(insert(t.Strain), [{"id": strain, "name": "Long-Evans", "species_id": species}])
        subjects = [t.new_id() for _ in range(200)]
        subject_rows = [{"id": sid, "name": f"rat{i:03d}", "strain_id": strain, "sex": "M"}
                        for i, sid in enumerate(subjects)]  # fmt: skip
        db.execute(insert(t.Subject), subject_rows)
        links = [
            {"subject_id": sid, "project_id": project_ids[i % projects]} for i, sid in enumerate(subjects)
        ]
        db.execute(insert(t.subject_projects), links)
        _seed_sessions(db, rnd, sessions, foreign, project_ids, projects)
        _seed_actions(db, rnd, actions, subjects)


def _project(project_id: str, number: int) -> dict:
    return {"id": project_id, "name": f"Bench project {number}", "is_public": False}


def _owner(project_id: str, user_id: str) -> dict:
    flags = {"can_change": True, "is_manager": True, "is_owner": True}
    return {"project_id": project_id, "user_id": user_id, **flags}


def _day(i: int) -> str:
    return f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}"


def _seed_sessions(
    db, rnd: random.Random, count: int, theirs: int, project_ids: list[str], mine: int
) -> None:
    """``count`` sessions of the user (1-2 projects each) plus ``theirs`` in the last project."""
    ids = [t.new_id() for _ in range(count + theirs)]

    def session(i: int) -> dict:
        words = rnd.sample(WORDS, 2)
        return {
            "id": ids[i],
            "name": f"{words[0]}-{words[1]}-{i:05d}",
            "description": f"{words[1]} day {i}",
            "date_time": f"{_day(i)}T{i % 24:02d}:00:00",
            "extra_fields": {"rig": f"R{i % 5}", "trials": i % 300},
            "download_links": [{"Repository": "DANDI", "URL": f"https://dandiarchive.org/{i}"}],
            "tags": words,
        }

    db.execute(insert(t.Session), _rows(count + theirs, session))
    links = []
    for i, sid in enumerate(ids):
        owners = [project_ids[-1]] if i >= count else rnd.sample(project_ids[:mine], 1 + (i % 2))
        links += [{"session_id": sid, "project_id": pid} for pid in owners]
    db.execute(insert(t.session_projects), links)


def _seed_actions(db, rnd: random.Random, count: int, subjects: list[str]) -> None:
    types, systems = sorted(action_types()), sorted(coordinate_systems())

    def action(i: int) -> dict:
        return {
            "type": types[i % len(types)],
            "description": f"implant {rnd.choice(WORDS)} {i}",
            "subject_id": subjects[i % len(subjects)],
            "date_time": _day(i),
            "coordinates_system": systems[i % len(systems)],
            "coordinates_details": {"apCoordinate": -1.5, "mlCoordinate": 2.0},
        }

    db.execute(insert(t.Action), _rows(count, action))


class Caller:
    """A keep-alive HTTP session on one server, with timing and the server process's CPU time."""

    def __init__(self, url: str, token: str, server_pid: int) -> None:
        self.url = url
        self.server_pid = server_pid
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, params: dict) -> tuple[float, dict]:
        start = time.perf_counter()
        response = self.http.get(self.url + path, params=params, timeout=60)
        elapsed = time.perf_counter() - start
        response.raise_for_status()
        return elapsed, response.json()

    def server_cpu(self) -> float:
        """Seconds of CPU the server process has used (user + system, all threads; Linux)."""
        fields = Path(f"/proc/{self.server_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def page_latency(caller: Caller, path: str, params: dict, repeat: int) -> tuple[float, float, float, int]:
    """(median ms, p95 ms, server CPU ms per request, count) of one list request repeated ``repeat``
    times after a warm-up."""
    _, body = caller.get(path, params)
    cpu = caller.server_cpu()
    times = sorted(caller.get(path, params)[0] * 1000 for _ in range(repeat))
    cpu_ms = (caller.server_cpu() - cpu) * 1000 / repeat
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], cpu_ms, body["count"]


def read_all(caller: Caller, path: str, key: str, sort: list[str]) -> tuple[float, float, int]:
    """(seconds, server CPU seconds, records) to read every record through sequential pages of 100."""
    start, cpu = time.perf_counter(), caller.server_cpu()
    seen: set[str] = set()
    offset, count = 0, None
    while count is None or offset < count:
        _, body = caller.get(path, {"limit": PAGE, "offset": offset, "sort[]": sort})
        count = body["count"]
        seen.update(record["id"] for record in body[key])
        offset += PAGE
    elapsed, cpu = time.perf_counter() - start, caller.server_cpu() - cpu
    if len(seen) != count:
        raise SystemExit(f"paging {path} returned {len(seen)} distinct records, count says {count}")
    return elapsed, cpu, len(seen)


def statements_per_request(db_url: str, token: str) -> dict[str, list[int]]:
    """SQL statements of list requests with limit 1/10/100, counted in an in-process server."""
    import uvicorn

    from stemgui.server.app import create_app

    app = create_app(db_url)
    engine = app.state.sessionmaker.kw["bind"]
    counter = {"n": 0}
    event.listen(engine, "before_cursor_execute", lambda *a, **k: counter.__setitem__("n", counter["n"] + 1))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    caller = Caller(f"http://127.0.0.1:{port}/", token, os.getpid())
    queries = {
        "sessions": ("api/private/stem/session/", {}),
        "sessions include[]=projects": ("api/private/stem/session/", {"include[]": "projects"}),
        "actions include[]=subject": ("api/private/modules/action/", {"include[]": "subject"}),
        "projects (users dicts)": ("api/private/stem/project/", {}),
    }
    result = {}
    try:
        result["plans"] = query_plans(engine, caller)
        for label, (path, params) in queries.items():
            counts = []
            for limit in (1, 10, 100):
                counter["n"] = 0
                caller.get(path, {**params, "limit": limit})
                counts.append(counter["n"])
            result[label] = counts
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return result


def query_plans(engine, caller: Caller) -> dict[str, list[str]]:
    """SQLite's EXPLAIN QUERY PLAN of the page and count statements of two session list requests
    (a deep page, where the count is taken from the walk's first page, is shown too)."""
    seen: list[tuple[str, tuple]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM sessions" in statement:
            seen.append((statement, parameters))

    requests_ = {
        "page of 100, sort -date_time": {"sort[]": "-date_time", "limit": PAGE},
        "page of 100 at offset 5000 (count reused)": {"sort[]": "-date_time", "limit": PAGE, "offset": 5000},
        "filter{name.icontains} + sort -date_time": {"filter{name.icontains}": "rat", "sort[]": "-date_time"},
    }
    plans = {}
    event.listen(engine, "before_cursor_execute", keep)
    try:
        for label, params in requests_.items():
            seen.clear()
            caller.get("api/private/stem/session/", params)
            lines = []
            with engine.connect() as conn:
                for statement, parameters in list(seen):
                    kind = "count" if "count(" in statement.lower() else "page"
                    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                    lines += [f"{kind}: {row[-1]}" for row in rows]
            plans[label] = lines
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return plans


SCENARIOS = {
    # the bundled server's usual case: one lab, the user is a member of every project
    "lab": 0,
    # a shared server: one project (1,000 more sessions) is someone else's, so every query
    # carries the permission filter
    "shared": 1_000,
}


def run_scenario(name: str, foreign: int, args) -> tuple[dict, dict]:
    """Seed a fresh database, serve it, measure; (latency figures, statement counts)."""
    with tempfile.TemporaryDirectory(prefix="stemgui-bench-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        start = time.perf_counter()
        seed(db_url, args.sessions, args.actions, foreign)
        print(f"[{name}] seeded {args.sessions} sessions (+{foreign} of another user's project) and "
              f"{args.actions} actions in {time.perf_counter() - start:.1f} s")  # fmt: skip
        proc = ServerProcess(db_url, Path(tmp)).start()
        try:
            token = proc.token(USER, PASSWORD)
            figures = measure(Caller(proc.url, token, proc.process.pid), args)
        finally:
            proc.stop()
        return figures, statements_per_request(db_url, token)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50, help="requests per latency figure")
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    results = {name: run_scenario(name, SCENARIOS[name], args) for name in names}
    ok = all([report(name, *results[name]) for name in names])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        saved = {
            name: {"figures": figures, "statements": counts} for name, (figures, counts) in results.items()
        }
        args.json.write_text(json.dumps(saved, indent=2))
    return 0 if ok else 1


def measure(caller: Caller, args) -> dict:
    sessions, actions = "api/private/stem/session/", "api/private/modules/action/"
    project = caller.get("api/private/stem/project/", {"sort[]": "name"})[1]["projects"][0]["id"]
    newest = {"sort[]": "-date_time", "limit": PAGE}
    pages = {
        "sessions name.icontains + sort -date_time": (sessions, {"filter{name.icontains}": "rat", **newest}),
        "sessions projects.id + tags + sort name": (
            sessions,
            {"filter{projects.id}": project, "filter{tags}": "maze", "sort[]": "name", "limit": PAGE},
        ),
        "sessions include[]=projects": (sessions, {"include[]": "projects", **newest}),
        "actions type + sort -date_time": (actions, {"filter{type}": "VirusInjection", **newest}),
        "actions description.icontains + include[]=subject": (
            actions,
            {"filter{description.icontains}": "maze", "include[]": "subject", "limit": PAGE},
        ),
    }
    figures: dict = {"pages": {}, "all": {}}
    for label, (path, params) in pages.items():
        figures["pages"][label] = page_latency(caller, path, params, args.repeat)
    for label, path, key, sort in (("sessions", sessions, "sessions", ["-date_time"]),
                                   ("sessions (default order)", sessions, "sessions", []),
                                   ("actions", actions, "actions", ["-date_time"])):  # fmt: skip
        runs = [read_all(caller, path, key, sort) for _ in range(3)]
        figures["all"][label] = (
            statistics.median(r[0] for r in runs),
            statistics.median(r[1] for r in runs),
            runs[0][2],
        )
    return figures


def report(name: str, figures: dict, statements: dict) -> bool:
    """Print one scenario's tables; whether its targets are met (``include[]`` rows are shown only).

    Wall times depend on what else the machine runs; the server's CPU time per request does not
    (much), so both are shown, with the load average.
    """
    ok = True
    print(f"\n== scenario: {name}   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'filtered page of 100':52} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'matches':>8}")
    for label, (median, p95, cpu_ms, count) in figures["pages"].items():
        counted = "include[]=projects" not in label
        ok &= median <= TARGET_PAGE_MS or not counted
        note = "" if counted else "  (no target)"
        print(f"{label:52} {median:10.1f} {p95:8.1f} {cpu_ms:7.1f} {count:8d}{note}")
    print(f"\n{'read everything, sequential pages of 100':52} {'wall s':>10} {'CPU s':>8} {'records':>8}")
    for label, (seconds, cpu, records) in figures["all"].items():
        ok &= seconds <= TARGET_ALL_S
        print(f"{label:52} {seconds:10.2f} {cpu:8.2f} {records:8d}")
    print(f"\n{'SQL statements per list request':52} {'limit=1':>10} {'10':>8} {'100':>7}")
    plans = statements.pop("plans", {})
    for label, counts in statements.items():
        # 100 records need no more statements than 1 (a short page even skips the count)
        ok &= counts[2] <= counts[0]
        print(f"{label:52} {counts[0]:10d} {counts[1]:8d} {counts[2]:7d}")
    for label, lines in plans.items():
        print(f"\nEXPLAIN QUERY PLAN, sessions {label}:")
        print("\n".join(f"  {line}" for line in lines))
    verdict = "MET" if ok else "MISSED"
    print(f"targets [{name}]: page median <= {TARGET_PAGE_MS:.0f} ms, all pages <= {TARGET_ALL_S:.0f} s, "
          f"statements not growing with page size -> {verdict}")  # fmt: skip
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
