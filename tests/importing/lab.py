"""A lab on the real bundled server for import tests: a user, projects, a strain, subjects,
brain regions (CA1, CA3, MS); and helpers that write real CSV / XLSX files."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from stemgui.client import BrainstemClient
from stemgui.importing.writing import xlsx_bytes
from stemgui.outbox import Outbox


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class ImportLab:
    url: str
    username: str
    client: BrainstemClient
    project: str  # its name
    project_id: str
    strain: str
    subjects: dict[str, str]  # name -> id
    regions: dict[str, str]  # acronym -> id
    data_dir: Path

    def outbox(self) -> Outbox:
        return Outbox(self.data_dir, self.username)


def make_lab(server, data_dir: Path) -> ImportLab:
    username, token = server.new_user("importer")
    client = BrainstemClient(server.url, token, timeout=(3.05, 30))
    project = unique("Project")
    project_id = client.save_model("project", data={"name": project})["project"]["id"]
    species = client.save_model("species", data={"name": unique("Species")})["species"]["id"]
    strain = unique("Strain")
    strain_id = client.save_model("strain", data={"name": strain, "species": species})["strain"]["id"]
    subjects = {}
    for index in range(3):
        name = unique(f"Mouse{index}")
        body = {"name": name, "strain": strain_id, "sex": "F", "projects": [project_id]}
        subjects[name] = client.save_model("subject", data=body)["subject"]["id"]
    regions = {}
    for acronym, name in (("CA1", "Field CA1"), ("CA3", "Field CA3"), ("MS", "Medial septal nucleus")):
        existing = client.list_all("brainregion", filters={"acronym": acronym})
        if existing:
            regions[acronym] = existing[0]["id"]
            continue
        body = {"name": name, "acronym": acronym, "atlas": "AIA"}
        regions[acronym] = client.save_model("brainregion", data=body)["brain_region"]["id"]
    return ImportLab(server.url, username, client, project, project_id, strain, subjects, regions, data_dir)


def as_csv(columns: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def as_file(fmt: str, columns: list[str], rows: list[list]) -> tuple[bytes, str]:
    """(bytes, filename) of a real CSV or XLSX file with these cells."""
    if fmt == "csv":
        return as_csv(columns, rows), "upload.csv"
    return xlsx_bytes(columns, rows), "upload.xlsx"
