"""One description per API model: table, relations, visibility scope. The generic routes read these."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import JSON, Table

from stemgui.catalog import MODELS
from stemgui.models import CREATE_MODELS, PUBLIC_MODELS
from stemgui.server import tables as t
from stemgui.server.tables_current import Procedure, SubjectLog, license_subjects


@dataclass(frozen=True)
class ToOne:
    """A foreign key shown as the related id (``column`` is the ORM attribute)."""

    column: str
    target: str


@dataclass(frozen=True)
class ToMany:
    """A list of related ids: rows of ``table`` where ``owner`` is the record's id, values in ``value``."""

    table: Table
    owner: str
    value: str
    target: str
    writable: bool = False


@dataclass(frozen=True)
class Resource:
    """How one model is stored, shown, scoped and ordered."""

    name: str
    orm: type
    # who may read it: "project" (members), "projects" (via its projects), "subject" (via its
    # subject), "open" (everyone signed in; writes by creator or superuser), "personal" (like open,
    # but the public portal shows only is_public ones), "parent" (as its ``parent`` record)
    scope: str
    to_one: dict[str, ToOne] = field(default_factory=dict)
    to_many: dict[str, ToMany] = field(default_factory=dict)
    default_sort: tuple[str, ...] = ("name",)
    unique: tuple[tuple[str, ...], ...] = (("name",),)
    # relations the spec lists that this server does not hold yet: include[] gives [], filters match none
    unserved: tuple[str, ...] = ()
    # scope "parent": read and changed as the record named by this to-one relation is
    parent: str = ""
    # schema-name field -> its schema-version field, reset to the newest when a PATCH changes the name
    versions: dict[str, str] = field(default_factory=dict)
    # fields written on creation only: a PATCH that changes one is a 400 naming it
    fixed: tuple[str, ...] = ()

    @property
    def list_key(self) -> str:
        return MODELS[self.name].list_key

    @property
    def detail_key(self) -> str:
        return MODELS[self.name].detail_key

    @property
    def public_fields(self) -> dict:
        return PUBLIC_MODELS[self.name].model_fields

    @property
    def writable_fields(self) -> tuple[str, ...]:
        return tuple(CREATE_MODELS[self.name].model_fields)

    @property
    def columns(self) -> dict[str, object]:
        """API name -> ORM column of every plain (non-relation) field shown in responses."""
        table = self.orm.__table__
        return {name: getattr(self.orm, name) for name in self.public_fields if name in table.c}

    def sortable(self, name: str) -> bool:
        column = self.columns.get(name)
        return column is not None and not isinstance(column.type, JSON)

    @property
    def project_link(self) -> ToMany | None:
        return self.to_many.get("projects")


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


# today's BrainSTEM records (procedures and what they point at)
from stemgui.server.resources_current import CURRENT_RESOURCES  # noqa: E402

RESOURCES.update(CURRENT_RESOURCES)


def resource_for(app: str, model: str) -> Resource | None:
    """The resource at ``/api/<portal>/<app>/<model>/``, or None when there is none."""
    info = MODELS.get(model)
    if info is None or info.app != app:
        return None
    return RESOURCES[model]
