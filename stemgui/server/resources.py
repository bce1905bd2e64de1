"""One description per API model: table, relations, visibility scope. The generic routes read these.

``Resource``, ``ToOne`` and ``ToMany`` live in ``resource_types`` (re-exported here).
"""

from __future__ import annotations

from sqlalchemy import Table

from stemgui.catalog import MODELS
from stemgui.server import tables as t
from stemgui.server.resource_types import Resource, ToMany, ToOne
from stemgui.server.resources_current import CURRENT_RESOURCES
from stemgui.server.tables_current import Procedure, SubjectLog, license_subjects


def _projects(table: Table, owner: str) -> ToMany:
    return ToMany(table, owner, "project_id", "project", writable=True)


_SUPPLIED = {"supplier": ToOne("supplier_id", "supplier")}

RESOURCES: dict[str, Resource] = {
    res.name: res
    for res in (
        Resource(
            "project",
            t.Project,
            "project",
            to_many={
                "datasets": ToMany(t.session_projects, "project_id", "session_id", "session"),
                "sessions": ToMany(t.session_projects, "project_id", "session_id", "session"),  # today's name
                "subjects": ToMany(t.subject_projects, "project_id", "subject_id", "subject"),
            },
            unserved=("collections", "cohorts"),
        ),
        Resource(
            "subject",
            t.Subject,
            "projects",
            to_one={"strain": ToOne("strain_id", "strain"), "supplier": ToOne("supplier_id", "supplier")},
            to_many={
                "projects": _projects(t.subject_projects, "subject_id"),
                "licenses": ToMany(license_subjects, "subject_id", "license_id", "license", True),
                "actions": ToMany(t.Action.__table__, "subject_id", "id", "action"),
                "procedures": ToMany(Procedure.__table__, "subject_id", "id", "procedure"),
                "subjectlogs": ToMany(SubjectLog.__table__, "subject_id", "id", "subjectlog"),
            },
            unique=(),
        ),
        Resource(
            "session",
            t.Session,
            "projects",
            to_many={"projects": _projects(t.session_projects, "session_id")},
            unserved=("dataacquisition", "behaviors", "manipulations", "epochs", "datastorage"),
        ),
        Resource(
            "action",
            t.Action,
            "subject",
            to_one={
                "subject": ToOne("subject_id", "subject"),
                "consumable": ToOne("consumable_id", "consumable"),
                "hardwaredevice": ToOne("hardwaredevice_id", "hardwaredevice"),
                "brain_region": ToOne("brain_region_id", "brainregion"),
            },
            default_sort=("created_at",),
            unique=(),
        ),
        Resource("species", t.Species, "open"),
        Resource("strain", t.Strain, "open", to_one={"species": ToOne("species_id", "species")}),
        Resource(
            "brainregion",
            t.BrainRegion,
            "open",
            default_sort=("atlas", "name"),
            unique=(("atlas", "acronym"), ("atlas", "name")),
        ),
        Resource("supplier", t.Supplier, "open"),
        Resource("consumable", t.Consumable, "open", to_one=dict(_SUPPLIED)),
        Resource("hardwaredevice", t.HardwareDevice, "open", to_one=dict(_SUPPLIED)),
    )
}

RESOURCES.update(CURRENT_RESOURCES)  # today's BrainSTEM records (procedures and what they point at)


def resource_for(app: str, model: str) -> Resource | None:
    """The resource at ``/api/<portal>/<app>/<model>/``, or None when there is none."""
    info = MODELS.get(model)
    if info is None or info.app != app:
        return None
    return RESOURCES[model]
