"""Benchmark: 20 concurrent API clients doing mixed reads and writes against the bundled server.

Each client is a thread with its own user, token and keep-alive ``requests.Session``, working
in its own project: ~70 % reads (list, filter, detail of sessions and actions) and ~30 % writes
(create, patch, delete of sessions and actions). Afterwards every acknowledged write is checked
against what the server holds. Reports errors (must be 0), acknowledged vs found records (must
match), throughput and p50/p95/p99 latency, and any error lines of the server log.

    .venv/bin/python -m bench.bench_load --db sqlite --seconds 60 [--workers 2]
    .venv/bin/python -m bench.bench_load --db postgresql --seconds 60   # throwaway cluster
    .venv/bin/python -m bench.bench_load --db postgresql+psycopg://u:p@host:port/db --seconds 60

``--db postgresql`` starts ``scripts/test-postgres.sh`` (on $STEMGUI_PG_PORT, default 55432)
if nothing listens there and stops it afterwards; with a URL, a fresh database is created on
that server. Exit status 1 when an error occurred or a write went missing.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

from stemgui.server.admin import ensure_user, issue_token
from tests.serverproc import REPO_ROOT, ServerProcess, create_postgres_database

READ_SHARE = 0.7
LOG_PROBLEM = re.compile(r"Traceback|ERROR|Error|locked|Exception| 5\d\d ", re.IGNORECASE)
ACTION_DETAILS = {"injectionVolume": 250, "injectionRate": 2, "injectionSchema": "Gradual"}


class SetupFailed(RuntimeError):
    """The workload could not be prepared (the server refused a setup request)."""


@dataclass
class Worker:
    """One API client: its user, project, subject, what it was told was written, and timings."""

    name: str
    url: str
    token: str
    http: requests.Session = field(default_factory=requests.Session)
    project: str = ""
    subject: str = ""
    sessions: dict[str, str] = field(default_factory=dict)  # id -> last acknowledged description
    actions: dict[str, str] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    acknowledged: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def call(self, kind: str, method: str, path: str, expect: int, **kwargs) -> dict | None:
        """One timed request; an unexpected status or a transport failure is an error."""
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.url + path, timeout=30, **kwargs)
        except requests.RequestException as exc:
            self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None
        self.latencies.setdefault(kind, []).append(time.perf_counter() - started)
        if response.status_code != expect:
            self.errors.append(f"{kind}: HTTP {response.status_code} {response.text[:300]}")
            return None
        try:
            return response.json() if response.content else {}
        except ValueError:
            self.errors.append(f"{kind}: HTTP {response.status_code} but not JSON: {response.text[:300]}")
            return None


# -- the workload --------------------------------------------------------------------------------


def setup(worker: Worker) -> None:
    """The worker's project, taxonomy and subject (not timed)."""
    tag = uuid.uuid4().hex[:8]
    worker.project = _create(worker, "project", "stem", {"name": f"load-{worker.name}-{tag}"})
    species = _create(worker, "species", "taxonomies", {"name": f"Species-{tag}", "description": ""})
    strain = _create(worker, "strain", "taxonomies", {"name": f"Strain-{tag}", "species": species})
    subject = {"name": f"Rat-{tag}", "strain": strain, "sex": "F", "projects": [worker.project]}
    worker.subject = _create(worker, "subject", "stem", subject)


def _create(worker: Worker, model: str, app: str, data: dict) -> str:
    body = worker.call("setup", "POST", f"api/private/{app}/{model}/", 201, json=data)
    if body is None:
        raise SetupFailed(f"setup failed: {worker.errors[-1]}")
    return next(iter(body.values()))["id"]


def read(worker: Worker, rng: random.Random) -> None:
    """One of the list / filter / detail reads a page makes."""
    choice = rng.random()
    if choice < 0.3:
        params = {"filter{projects.id}": worker.project, "sort[]": "-date_time", "limit": 20}
        worker.call("list sessions", "GET", "api/private/stem/session/", 200, params=params)
    elif choice < 0.5:
        params = {"filter{subject}": worker.subject, "limit": 20}
        worker.call("list actions", "GET", "api/private/modules/action/", 200, params=params)
    elif choice < 0.65:
        params = {"filter{name.icontains}": rng.choice("0123456789abcdef"), "limit": 50}
        worker.call("filter sessions", "GET", "api/private/stem/session/", 200, params=params)
    elif worker.sessions and choice < 0.85:
        record = rng.choice(list(worker.sessions))
        worker.call("detail session", "GET", f"api/private/stem/session/{record}/", 200)
    elif worker.actions:
        record = rng.choice(list(worker.actions))
        worker.call("detail action", "GET", f"api/private/modules/action/{record}/", 200)
    else:
        worker.call("list projects", "GET", "api/private/stem/project/", 200)


def write(worker: Worker, rng: random.Random) -> None:
    """One create (60 %), patch (25 %) or delete (15 %) of a session or an action."""
    model = "session" if rng.random() < 0.6 else "action"
    owned = worker.sessions if model == "session" else worker.actions
    path = "api/private/stem/session/" if model == "session" else "api/private/modules/action/"
    choice = rng.random()
    if choice < 0.6 or len(owned) < 5:
        body = worker.call(f"create {model}", "POST", path, 201, json=_new_record(worker, model, rng))
        if body is not None:
            record = body[model]
            owned[record["id"]] = record["description"]
            worker.acknowledged[f"{model} created"] += 1
    elif choice < 0.85:
        record, text = rng.choice(list(owned)), f"patched {uuid.uuid4().hex[:12]}"
        if worker.call(f"patch {model}", "PATCH", f"{path}{record}/", 200, json={"description": text}):
            owned[record] = text
            worker.acknowledged[f"{model} patched"] += 1
    else:
        record = rng.choice(list(owned))
        if worker.call(f"delete {model}", "DELETE", f"{path}{record}/", 204) is not None:
            del owned[record]
            worker.acknowledged[f"{model} deleted"] += 1


def _new_record(worker: Worker, model: str, rng: random.Random) -> dict:
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if model == "session":
        name = f"{worker.name}-{uuid.uuid4().hex[:12]}"
        return {"name": name, "projects": [worker.project], "description": "new", "date_time": day,
                "tags": ["load"], "extra_fields": {"weight": rng.randint(200, 400)}}  # fmt: skip
    coordinates = {"apCoordinate": rng.uniform(-4, 4), "mlCoordinate": rng.uniform(-3, 3), "dvCoordinate": 2}
    return {"type": "VirusInjection", "subject": worker.subject, "description": "new", "date_time": day,
            "details": ACTION_DETAILS, "coordinates_system": "Stereotaxic_BregmaAbsolute",
            "coordinates_details": coordinates}  # fmt: skip


def run_worker(worker: Worker, stop_at: float, seed: int, write_share: float) -> None:
    rng = random.Random(seed)
    while time.perf_counter() < stop_at:
        (write if rng.random() < write_share else read)(worker, rng)


# -- checking what the server holds --------------------------------------------------------------


def missing_writes(worker: Worker) -> list[str]:
    """Differences between the writes the server acknowledged and the records it holds now."""
    problems = []
    for model, path, key, filters in (
        ("session", "api/private/stem/session/", "sessions", {"filter{projects.id}": worker.project}),
        ("action", "api/private/modules/action/", "actions", {"filter{subject}": worker.subject}),
    ):
        expected = worker.sessions if model == "session" else worker.actions
        found = {r["id"]: r["description"] for r in _list_all(worker, path, key, filters)}
        if found.keys() != expected.keys():
            lost, extra = expected.keys() - found.keys(), found.keys() - expected.keys()
            counts = f"{len(lost)} acknowledged missing, {len(extra)} unexpected"
            problems.append(f"{worker.name} {model}s: {counts}")
        stale = [i for i in expected.keys() & found.keys() if found[i] != expected[i]]
        if stale:
            problems.append(f"{worker.name} {model}s: {len(stale)} acknowledged patches not found")
    return problems


def _list_all(worker: Worker, path: str, key: str, filters: dict) -> list[dict]:
    records: list[dict] = []
    while True:
        params = {**filters, "limit": 100, "offset": len(records)}
        page = worker.http.get(worker.url + path, params=params, timeout=60)
        page.raise_for_status()
        body = page.json()
        records += body[key]
        if not body[key] or len(records) >= body["count"]:
            return records


# -- databases and the server --------------------------------------------------------------------


class Database:
    """The database under test: a temp SQLite file, or a fresh database on PostgreSQL."""

    def __init__(self, choice: str, data_dir: Path) -> None:
        self.started_cluster = False
        if choice == "sqlite":
            self.url = f"sqlite:///{data_dir / 'bench.sqlite'}"
            self.label = "SQLite (WAL, file in a temp dir)"
            return
        admin_url = choice if "://" in choice else self._cluster()
        self.url = create_postgres_database(admin_url, prefix="stemgui_bench")
        self.label = f"PostgreSQL {self.url.rsplit('@', 1)[-1]}"

    def _cluster(self) -> str:
        port = int(os.environ.get("STEMGUI_PG_PORT", "55432"))
        with socket.socket() as sock:
            self.started_cluster = sock.connect_ex(("127.0.0.1", port)) != 0
        script = REPO_ROOT / "scripts" / "test-postgres.sh"
        done = subprocess.run([str(script), "start"], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"PostgreSQL could not be started: {done.stderr.strip()}")
        return done.stdout.strip()

    def close(self) -> None:
        if self.started_cluster:
            subprocess.run([str(REPO_ROOT / "scripts" / "test-postgres.sh"), "stop"], check=False)


def make_workers(db_url: str, server_url: str, clients: int) -> list[Worker]:
    """``clients`` users, each with a token (made through the admin API, not timed)."""
    workers = []
    for index in range(clients):
        username = f"load{index:02d}x{uuid.uuid4().hex[:6]}"
        ensure_user(db_url, username, f"{username}@example.org", f"pw-{uuid.uuid4().hex}")
        workers.append(Worker(username, server_url, issue_token(db_url, username)))
    return workers


def server_problems(log_path: Path, limit: int = 40) -> list[str]:
    """Lines of the server log that look like errors (tracebacks, 5xx, "database is locked")."""
    lines = log_path.read_text(errors="replace").splitlines()
    return [line for line in lines if LOG_PROBLEM.search(line)][:limit]


# -- report --------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _quantiles(values: list[float]) -> str:
    return "  ".join(f"p{int(q * 100)} {percentile(values, q) * 1000:7.1f}" for q in (0.5, 0.95, 0.99))


def report(
    db: Database, workers: list[Worker], seconds: float, problems: list[str], log_lines: list[str]
) -> bool:
    """Print the figures; True when there were no errors and no write went missing."""
    per_kind: dict[str, list[float]] = {}
    for worker in workers:
        for kind, values in worker.latencies.items():
            if kind != "setup":
                per_kind.setdefault(kind, []).extend(values)
    everything = [value for values in per_kind.values() for value in values]
    errors = [error for worker in workers for error in worker.errors]
    acknowledged = sum((worker.acknowledged for worker in workers), Counter())
    expected = sum(len(w.sessions) + len(w.actions) for w in workers)
    rate = len(everything) / seconds
    print(f"\n== bench_load: {len(workers)} clients, {seconds:.0f} s, {db.label}")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average now {load} (other work skews the figures)")
    print(f"requests: {len(everything)}   throughput: {rate:.1f} req/s   errors: {len(errors)}")
    print(f"latency ms: {_quantiles(everything)}   max {max(everything, default=0) * 1000:.1f}")
    for kind, values in sorted(per_kind.items()):
        print(f"  {kind:16s} n={len(values):6d}  {_quantiles(values)}")
    print("writes acknowledged: " + ", ".join(f"{k} {v}" for k, v in sorted(acknowledged.items())))
    print(f"records expected afterwards: {expected}   mismatches: {len(problems)}")
    for line in [*errors[:20], *problems[:20]]:
        print(f"  ! {line}")
    print(f"server log lines that look like errors: {len(log_lines)}")
    for line in log_lines:
        print(f"  | {line}")
    return not errors and not problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", help="sqlite | postgresql | a postgresql+psycopg:// URL")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--write-share", type=float, default=1 - READ_SHARE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stemgui-load-") as tmp:
        db = Database(args.db, Path(tmp))
        try:
            return 0 if run(db, Path(tmp), args) else 1
        finally:
            db.close()


def run(db: Database, data_dir: Path, args: argparse.Namespace) -> bool:
    server = ServerProcess(db.url, data_dir, workers=args.workers).start()
    try:
        workers = make_workers(db.url, server.url, args.clients)
        try:
            for worker in workers:
                setup(worker)
        except SetupFailed as failed:
            print(
                f"{failed}\nserver log lines that look like errors:",
                *server_problems(server.log_path),
                sep="\n",
            )
            return False
        stop_at = time.perf_counter() + args.seconds
        threads = [
            threading.Thread(target=run_worker, args=(w, stop_at, args.seed + i, args.write_share))
            for i, w in enumerate(workers)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        problems = [p for worker in workers for p in missing_writes(worker)]
        return report(db, workers, elapsed, problems, server_problems(server.log_path))
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
