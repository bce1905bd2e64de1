"""Benchmark: the cost of per-record history (issue 15) on the write path.

Two bundled servers run side by side in the same run, each on its own fresh database: one as
shipped, one started with ``STEMGUI_HISTORY=off`` (a switch that exists for this comparison only).
One client sends the same sequential writes to each — create a session, PATCH it, PUT it,
DELETE it, and create an action and PATCH it — in alternating rounds, so both see the same
machine load. Reports writes per second (median of the rounds) with and without history.

    .venv/bin/python -m bench.bench_history --rounds 9 --writes 300
    .venv/bin/python -m bench.bench_history --db "$STEMGUI_TEST_POSTGRES_URL"   # PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import requests

from stemgui.server.admin import ensure_user, issue_token
from tests.serverproc import ServerProcess, create_postgres_database


class Target:
    """One server (history on or off) and a signed-in client with a project and a subject."""

    def __init__(self, label: str, history: bool, db_url: str, data_dir: Path) -> None:
        self.label = label
        previous = os.environ.get("STEMGUI_HISTORY")
        os.environ["STEMGUI_HISTORY"] = "on" if history else "off"  # read by the server process
        try:
            self.server = ServerProcess(db_url, data_dir).start()
        finally:
            if previous is None:
                os.environ.pop("STEMGUI_HISTORY", None)
            else:
                os.environ["STEMGUI_HISTORY"] = previous
        ensure_user(db_url, "bench", "bench@example.org", "bench-password-123")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {issue_token(db_url, 'bench')}"
        self.api = self.server.url + "api/private/"
        self.project = self.call("POST", "stem/project/", {"name": "bench"})["project"]["id"]
        species = self.call("POST", "taxonomies/species/", {"name": "Mus bench"})["species"]["id"]
        strain = self.call("POST", "taxonomies/strain/", {"name": "C57 bench", "species": species})["strain"]
        subject = {"name": "m1", "strain": strain["id"], "sex": "M", "projects": [self.project]}
        self.subject = self.call("POST", "stem/subject/", subject)["subject"]["id"]

    def call(self, method: str, path: str, body: dict | None = None) -> dict | None:
        response = self.http.request(method, self.api + path, json=body, timeout=60)
        if response.status_code >= 400:
            raise RuntimeError(
                f"{self.label}: {method} {path}: HTTP {response.status_code} {response.text[:300]}"
            )
        return response.json() if response.content else None

    def cpu_seconds(self) -> float:
        """CPU time the server process used so far (user + system), from /proc."""
        fields = Path(f"/proc/{self.server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def round(self, writes: int) -> tuple[float, float]:
        """(writes per second, server CPU milliseconds per write) over ``writes`` writes (groups of
        6: session create/PATCH/PUT/DELETE, action create/PATCH)."""
        done, started, cpu = 0, time.perf_counter(), self.cpu_seconds()
        while done < writes:
            name = f"s-{uuid.uuid4().hex[:12]}"
            sid = self.call("POST", "stem/session/", {"name": name, "projects": [self.project]})["session"][
                "id"
            ]
            self.call("PATCH", f"stem/session/{sid}/", {"description": "patched"})
            self.call("PUT", f"stem/session/{sid}/", {"description": "put", "tags": ["bench"]})
            self.call("DELETE", f"stem/session/{sid}/")
            action = {
                "type": "OpticFiberImplant", "subject": self.subject, "details": {"fiberTipShape": "flat"},
                "coordinates_system": "Stereotaxic_BregmaAbsolute",
                "coordinates_details": {"apCoordinate": 1.0},
            }  # fmt: skip
            aid = self.call("POST", "modules/action/", action)["action"]["id"]
            self.call("PATCH", f"modules/action/{aid}/", {"description": "patched"})
            done += 6
        return done / (time.perf_counter() - started), (self.cpu_seconds() - cpu) * 1000 / done

    def stop(self) -> None:
        self.server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--writes", type=int, default=300, help="writes per round and server")
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL to make databases on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = []
        for label, history in (("with history", True), ("without history", False)):
            data_dir = Path(tmp) / label.replace(" ", "-")
            data_dir.mkdir()
            url = (
                f"sqlite:///{data_dir / 'bench.sqlite'}"
                if args.db == "sqlite"
                else create_postgres_database(args.db)
            )
            targets.append(Target(label, history, url, data_dir))
        try:
            for target in targets:
                target.round(30)  # warm-up: connections, caches
            rates: dict[str, list[float]] = {target.label: [] for target in targets}
            cpu: dict[str, list[float]] = {target.label: [] for target in targets}
            for index in range(args.rounds):
                for target in targets if index % 2 == 0 else reversed(targets):
                    rate, cpu_ms = target.round(args.writes)
                    rates[target.label].append(rate)
                    cpu[target.label].append(cpu_ms)
        finally:
            for target in targets:
                target.stop()
    load = os.getloadavg()
    medians = {label: statistics.median(values) for label, values in rates.items()}
    database = "SQLite" if args.db == "sqlite" else "PostgreSQL"
    print(f"database: {database}; {args.rounds} rounds of {args.writes} sequential writes per server; "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")  # fmt: skip
    cpu_medians = {label: statistics.median(values) for label, values in cpu.items()}
    print("| | writes/s (median) | min–max | server CPU per write (median) |")
    print("|---|---|---|---|")
    for label, values in rates.items():
        print(f"| {label} | {medians[label]:.0f} | {min(values):.0f}–{max(values):.0f} | "
              f"{cpu_medians[label]:.2f} ms |")  # fmt: skip
    cost = 1 - medians["with history"] / medians["without history"]
    cpu_cost = cpu_medians["with history"] / cpu_medians["without history"] - 1
    print(f"history costs {cost:.0%} of the write throughput and {cpu_cost:+.0%} server CPU per write")


if __name__ == "__main__":
    main()
