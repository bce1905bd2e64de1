"""The description types of API models (``Resource``, ``ToOne``, ``ToMany``); the models
themselves are in ``resources`` (the seed's) and ``resources_current`` (today's)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import JSON, Table

from stemgui.catalog import MODELS
from stemgui.models import PUBLIC_MODELS, writable_fields


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
        return writable_fields(self.name)

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
