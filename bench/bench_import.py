"""Benchmark: the spreadsheet import (issue 16) — dry run and commit of 5,000 procedure rows.

A fresh bundled server (SQLite file) with a project, 50 subjects and CA1; an XLSX file of 5,000
VirusInjection rows (subject by name, region by acronym, quantities with units) is read, dry-run
(names resolved, every row checked by the one rule set, matched by natural key) and committed
through the outbox (one create per row), then dry-run again (all unchanged).
Targets on this 2-core machine: dry run ≤ 10 s, commit ≤ 60 s.

    .venv/bin/python -m bench.bench_import --rows 5000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stemgui.client import BrainstemClient
from stemgui.importing import commit, dry_run, read_table, template_columns
from stemgui.importing.writing import xlsx_bytes
from stemgui.outbox import Outbox
from stemgui.server.admin import ensure_user, issue_token
from tests.serverproc import ServerProcess

SUBJECTS = 50
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _lab(server: ServerProcess, db_url: str) -> tuple[BrainstemClient, list[str]]:
    ensure_user(db_url, "bench", "bench@example.org", "bench-password-123")
    client = BrainstemClient(server.url, issue_token(db_url, "bench"), timeout=(3.05, 60))
    project = client.save_model("project", data={"name": "bench"})["project"]["id"]
    species = client.save_model("species", data={"name": "Mus bench"})["species"]["id"]
    strain = client.save_model("strain", data={"name": "C57 bench", "species": species})["strain"]["id"]
    client.save_model("brainregion", data={"name": "Field CA1", "acronym": "CA1", "atlas": "AIA"})
    names = [f"m{index:03d}" for index in range(SUBJECTS)]
    for name in names:
        body = {"name": name, "strain": strain, "sex": "F", "projects": [project]}
        client.save_model("subject", data=body)
    return client, names


def _file(rows: int, subjects: list[str]) -> bytes:
    columns = template_columns("procedure", "VirusInjection", "Stereotaxic_BregmaAbsolute")
    cells = []
    for index in range(rows):
        row = {
            "subject": subjects[index % len(subjects)], "type": "VirusInjection",
            "coordinates_system": "Stereotaxic_BregmaAbsolute", "brain_region": "CA1",
            "date_time": (START + timedelta(minutes=10 * index)).isoformat().replace("+00:00", "Z"),
            "notes": f"bench injection {index}", "details.injectionVolume [nL]": 300 + index % 7,
            "details.injectionRate [nL/min]": "50 nL/min", "coordinates.apCoordinate [mm]": -2.0,
            "coordinates.mlCoordinate [mm]": 1.5, "coordinates.dvCoordinate [mm]": -1.3,
        }  # fmt: skip
        cells.append([row.get(column) for column in columns])
    return xlsx_bytes(columns, cells)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        db_url = f"sqlite:///{data_dir / 'bench.sqlite'}"
        server = ServerProcess(db_url, data_dir).start()
        try:
            client, subjects = _lab(server, db_url)
            data = _file(args.rows, subjects)
            started = time.perf_counter()
            table = read_table(data, "bench.xlsx")
            read_s = time.perf_counter() - started
            started = time.perf_counter()
            result = dry_run(client, "procedure", table)
            dry_s = time.perf_counter() - started
            assert result.counts["create"] == args.rows, (result.counts, result.errors[:5])
            started = time.perf_counter()
            marks: list[float] = []

            def progress(done: int, total: int) -> None:
                if done % 1000 == 0:
                    marks.append(time.perf_counter() - started)

            summary = commit(client, Outbox(data_dir, "bench"), result, progress)
            commit_s = time.perf_counter() - started
            assert summary.counts["created"] == args.rows, summary.counts
            started = time.perf_counter()
            again = dry_run(client, "procedure", read_table(data, "bench.xlsx"))
            again_s = time.perf_counter() - started
            assert again.counts["unchanged"] == args.rows, again.counts
        finally:
            server.stop()
    print(f"{args.rows} procedure rows ({len(data) / 1e6:.1f} MB XLSX)")
    print(f"read file      {read_s:6.2f} s")
    print(f"dry run        {dry_s:6.2f} s   (target <= 10 s)")
    print(f"commit         {commit_s:6.2f} s   (target <= 60 s)")
    print("  rows written by then: " + ", ".join(f"{1000 * (i + 1)}: {m:.1f} s" for i, m in enumerate(marks)))
    print(f"dry run again  {again_s:6.2f} s   (all unchanged)")


if __name__ == "__main__":
    main()
