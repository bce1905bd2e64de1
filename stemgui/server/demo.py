"""Load the demo lab (``demo_data``) and the Allen brain regions; idempotent.

Every record gets an id derived from its kind and name (uuid5), and records that already
exist are left alone, so loading twice changes nothing. The projects are owned by the
system user ``demo-owner``, who cannot sign in (unusable password).
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session as DbSession

from stemgui.errors import AdminError
from stemgui.models import validate_record
from stemgui.server import demo_current, members
from stemgui.server import demo_data as d
from stemgui.server import tables as t
from stemgui.server.db import sessionmaker_for
from stemgui.server.security import unusable_password

REGIONS_CSV = Path(__file__).parent / "reference" / "allen_mouse_brain_regions.csv"
ATLAS = "AIA"
OWNER = "demo-owner"
_NAMESPACE = uuid.UUID("6f1c3f5e-1d2b-4b8e-9a43-5d0c2b7e8a10")


def demo_id(kind: str, name: str) -> str:
    """The stable id of a demo record."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


def _add(db: DbSession, orm: type, kind: str, name: str, **values) -> str:
    """Insert the record unless a record with its id (or name) exists; its id either way."""
    record_id = demo_id(kind, name)
    existing = db.scalar(select(orm.id).where((orm.id == record_id) | (orm.name == name)))
    if existing is None:
        db.add(orm(id=record_id, name=name, **values))
        db.flush()
        return record_id
    return existing


def _link(db: DbSession, table, owner_col: str, owner_id: str, project_id: str) -> None:
    exists = db.execute(
        select(table).where(table.c[owner_col] == owner_id, table.c.project_id == project_id)
    ).first()
    if exists is None:
        db.execute(insert(table).values({owner_col: owner_id, "project_id": project_id}))


def load_regions(db: DbSession) -> None:
    """All regions of the Allen Mouse Brain Atlas CSV (atlas AIA) that are not there yet."""
    have = set(db.scalars(select(t.BrainRegion.acronym).where(t.BrainRegion.atlas == ATLAS)))
    with REGIONS_CSV.open(encoding="utf-8") as handle:
        rows = [
            {"id": demo_id("brainregion", row["acronym"]), "name": row["name"], "acronym": row["acronym"],
             "atlas": ATLAS, "description": "", "created_at": t.now()}
            for row in csv.DictReader(handle)
            if row["acronym"] not in have
        ]  # fmt: skip
    if rows:
        db.execute(insert(t.BrainRegion), rows)


def _owner(db: DbSession) -> str:
    user = db.scalar(select(t.User).where(t.User.username == OWNER))
    if user is None:
        user = t.User(username=OWNER, email="demo-owner@localhost", password_hash=unusable_password())
        db.add(user)
        db.flush()
    return user.id


def _taxonomy(db: DbSession) -> dict[str, str]:
    """Species, strains, suppliers, consumables, devices; name -> id."""
    ids: dict[str, str] = {}
    for item in d.SPECIES:
        ids[item["name"]] = _add(db, t.Species, "species", **item)
    for item in d.STRAINS:
        values = {k: v for k, v in item.items() if k != "species"}
        ids[item["name"]] = _add(db, t.Strain, "strain", species_id=ids[item["species"]], **values)
    for item in d.SUPPLIERS:
        ids[item["name"]] = _add(db, t.Supplier, "supplier", **item)
    for item in d.CONSUMABLES:
        values = {k: v for k, v in item.items() if k != "supplier"}
        ids[item["name"]] = _add(db, t.Consumable, "consumable", supplier_id=ids[item["supplier"]], **values)
    for item in d.HARDWARE_DEVICES:
        values = {k: v for k, v in item.items() if k != "supplier"}
        ids[item["name"]] = _add(
            db, t.HardwareDevice, "hardwaredevice", supplier_id=ids[item["supplier"]], **values
        )
    return ids


def _projects(db: DbSession, owner_id: str) -> dict[str, str]:
    ids = {}
    for item in d.PROJECTS:
        project_id = _add(db, t.Project, "project", creator_id=owner_id, **item)
        if db.get(t.ProjectUser, (project_id, owner_id)) is None:
            members.add_user(db, project_id, owner_id, can_change=True, is_manager=True, is_owner=True)
        ids[item["name"]] = project_id
    return ids


def _subjects_and_sessions(db: DbSession, ids: dict[str, str], projects: dict[str, str]) -> None:
    for item in d.SUBJECTS:
        values = {k: v for k, v in item.items() if k not in ("strain", "project")}
        subject_id = _add(db, t.Subject, "subject", strain_id=ids[item["strain"]], **values)
        _link(db, t.subject_projects, "subject_id", subject_id, projects[item["project"]])
        ids[item["name"]] = subject_id
    for item in d.SESSIONS:
        values = {k: v for k, v in item.items() if k != "project"}
        session_id = _add(db, t.Session, "session", **values)
        _link(db, t.session_projects, "session_id", session_id, projects[item["project"]])


def _actions(db: DbSession, ids: dict[str, str]) -> None:
    regions = dict(
        db.execute(select(t.BrainRegion.acronym, t.BrainRegion.id).where(t.BrainRegion.atlas == ATLAS)).all()
    )
    for number, row in enumerate(d.ACTIONS, 1):
        subject, kind, text, day, consumable, device, region, details, system, coords = row
        action_id = demo_id("action", f"{number}:{subject}:{kind}")
        if db.get(t.Action, action_id) is not None:
            continue
        record, errors = validate_record("action", {
            "type": kind, "subject": ids[subject], "description": text, "date_time": day, "details": details,
            "coordinates_system": system, "coordinates_details": coords,
        })  # fmt: skip
        if errors:
            raise ValueError(f"demo action {number} is invalid: {errors}")
        db.add(t.Action(
            id=action_id, type=kind, subject_id=ids[subject], description=text, date_time=record.date_time,
            consumable_id=ids.get(consumable), hardwaredevice_id=ids.get(device),
            brain_region_id=regions.get(region), details=record.details, coordinates_system=system,
            coordinates_details=record.coordinates_details,
        ))  # fmt: skip


def load(db_url: str, member_usernames: Iterable[str] = ()) -> None:
    """Load everything in one transaction; ``member_usernames`` become owners of the demo projects."""
    with sessionmaker_for(db_url).begin() as db:
        load_regions(db)
        owner_id = _owner(db)
        ids = _taxonomy(db)
        projects = _projects(db, owner_id)
        _subjects_and_sessions(db, ids, projects)
        _actions(db, ids)
        demo_current.load(db, ids, owner_id, demo_id)  # stocks, equipment, license, surgeries as procedures
        for username in member_usernames:
            user = db.scalar(select(t.User).where(t.User.username == username))
            if user is None:
                raise AdminError(f"There is no user {username!r}; create it with adduser first.")
            for project_id in projects.values():
                members.add_user(db, project_id, user.id, can_change=True, is_manager=True, is_owner=True)
