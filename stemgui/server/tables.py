"""The ORM tables of the bundled server: portable SQL (SQLite and PostgreSQL).

Ids are UUIDs stored as 36-character strings; free-form data (tags, extra fields, details)
are JSON columns; many-to-many links are association tables. Indexes cover what lists
filter and sort by.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from stemgui.models import (
    ACRONYM_MAX,
    ACTION_DESCRIPTION_MAX,
    DESCRIPTION_MAX,
    GENOTYPE_MAX,
    LONG_NAME_MAX,
    NAME_MAX,
    PROJECT_NAME_MAX,
    SESSION_NAME_MAX,
)


def new_id() -> str:
    """A fresh record id."""
    return str(uuid.uuid4())


def now() -> datetime:
    """The current UTC time (creation stamps; they give lists a stable default order)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Base of every table."""


def _id() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


def _created() -> Mapped[datetime]:
    return mapped_column(DateTime, default=now, nullable=False, index=True)


def _updated() -> Mapped[datetime]:
    # The record's version: set on every write; its ETag and the edit preconditions come from it.
    return mapped_column(DateTime, default=now, nullable=False)


def _creator() -> Mapped[str | None]:
    return mapped_column(String(36), ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class Stamped:
    """Mixin of every API record's table: its id, creation and version stamps."""

    id: Mapped[str] = _id()
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class Record(Stamped):
    """Mixin of an API record's table whose creator is ``creator_id`` (all but subject logs, whose
    creator column is the API's ``user``)."""

    creator_id: Mapped[str | None] = _creator()


class Taxonomy(Record):
    """Mixin of species, strains, suppliers, consumables and hardware devices: a unique name, a
    description and comments (lengths: the pydantic models' constants)."""

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True, nullable=False)
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="", nullable=False)
    comments: Mapped[str] = mapped_column(Text, default="", nullable=False)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = _id()
    username: Mapped[str] = mapped_column(String(150), unique=True, nullable=False)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(100), nullable=False)
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = _created()


class Token(Base):
    __tablename__ = "tokens"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = _created()
    # NULL: issued before tokens expired; such a token counts as expiring a lifetime after creation
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LoginFailure(Base):
    """Recent wrong passwords of one username or one client address (``security.LoginGuard``)."""

    __tablename__ = "login_failures"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # "user:<sha256>" or "addr:<ip>"
    failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime, default=now, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Group(Base):
    __tablename__ = "groups"
    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(150), unique=True, nullable=False)


group_members = Table(
    "group_members",
    Base.metadata,
    Column("group_id", String(36), ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Project(Record, Base):
    __tablename__ = "projects"
    name: Mapped[str] = mapped_column(String(PROJECT_NAME_MAX), unique=True, nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    extra_fields: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False, index=True)
    name_used_in_repository: Mapped[str] = mapped_column(String(LONG_NAME_MAX), default="", nullable=False)
    tags: Mapped[list] = mapped_column(JSON, default=list, nullable=False)


class _Permissions:
    can_change: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class ProjectUser(_Permissions, Base):
    __tablename__ = "project_users"
    project_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ProjectGroup(_Permissions, Base):
    __tablename__ = "project_groups"
    project_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def _link(name: str, owner: str, owner_table: str) -> Table:
    """An owner <-> project association table, indexed both ways."""
    return Table(
        name,
        Base.metadata,
        Column(owner, String(36), ForeignKey(f"{owner_table}.id", ondelete="CASCADE"), primary_key=True),
        Column("project_id", String(36), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
        Index(f"ix_{name}_project", "project_id", owner),
    )


session_projects = _link("session_projects", "session_id", "sessions")
subject_projects = _link("subject_projects", "subject_id", "subjects")


class Species(Taxonomy, Base):
    __tablename__ = "species"


class Strain(Taxonomy, Base):
    __tablename__ = "strains"
    species_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("species.id", ondelete="RESTRICT"), nullable=False, index=True
    )


class BrainRegion(Record, Base):
    __tablename__ = "brain_regions"
    __table_args__ = (UniqueConstraint("atlas", "acronym"), UniqueConstraint("atlas", "name"))
    name: Mapped[str] = mapped_column(String(LONG_NAME_MAX), nullable=False, index=True)
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="", nullable=False)
    acronym: Mapped[str] = mapped_column(String(ACRONYM_MAX), nullable=False, index=True)
    atlas: Mapped[str] = mapped_column(String(7), nullable=False)


class Supplier(Taxonomy, Base):
    __tablename__ = "suppliers"
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)  # free length here
    website: Mapped[str] = mapped_column(String(LONG_NAME_MAX), default="", nullable=False)


class Consumable(Taxonomy, Base):
    __tablename__ = "consumables"
    supplier_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("suppliers.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    type: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)


class HardwareDevice(Taxonomy, Base):
    __tablename__ = "hardware_devices"
    supplier_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("suppliers.id", ondelete="RESTRICT"), nullable=False, index=True
    )


class Subject(Record, Base):
    __tablename__ = "subjects"
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    strain_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("strains.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    sex: Mapped[str] = mapped_column(String(1), nullable=False)
    genetic_line: Mapped[str] = mapped_column(String(NAME_MAX), default="", nullable=False)
    subject_identifier: Mapped[str] = mapped_column(String(NAME_MAX), default="", nullable=False)
    source: Mapped[str] = mapped_column(String(NAME_MAX), default="", nullable=False)
    birth_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    death_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    extra_fields: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    name_used_in_repository: Mapped[str] = mapped_column(String(LONG_NAME_MAX), default="", nullable=False)
    tags: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    # today's BrainSTEM fields (added to older databases by db.migrate)
    genotype: Mapped[str] = mapped_column(String(GENOTYPE_MAX), default="", nullable=False)
    supplier_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("suppliers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="active", nullable=False, index=True)
    name_used_in_storage: Mapped[str | None] = mapped_column(String(LONG_NAME_MAX), nullable=True)


class Session(Record, Base):
    __tablename__ = "sessions"
    # (sort key, id): pages in that order read only the index, id included for the permission check
    __table_args__ = (
        Index("ix_sessions_date_time_id", "date_time", "id"),
        Index("ix_sessions_name_id", "name", "id"),
    )  # and ix_sessions_created_at_id, below the class: it names a column of the Record mixin
    name: Mapped[str] = mapped_column(String(SESSION_NAME_MAX), unique=True, nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    date_time: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    extra_fields: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    download_links: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    name_used_in_storage: Mapped[str] = mapped_column(String(LONG_NAME_MAX), default="", nullable=False)
    tags: Mapped[list] = mapped_column(JSON, default=list, nullable=False)


class Action(Record, Base):
    __tablename__ = "actions"
    # (sort key, id, subject_id): pages in that order read only the index, the subject included
    # for the permission check
    __table_args__ = (
        Index("ix_actions_date_time_id", "date_time", "id", "subject_id"),
    )  # and ix_actions_created_at_id, below the class
    type: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    description: Mapped[str] = mapped_column(String(ACTION_DESCRIPTION_MAX), default="", nullable=False)
    subject_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    date_time: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    consumable_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("consumables.id", ondelete="SET NULL"), nullable=True, index=True
    )
    hardwaredevice_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("hardware_devices.id", ondelete="SET NULL"), nullable=True, index=True
    )
    brain_region_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("brain_regions.id", ondelete="SET NULL"), nullable=True, index=True
    )
    details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    coordinates_system: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    coordinates_details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)


# Indexes on the Record mixin's columns: those are added to the table after __table_args__ is read.
Index("ix_sessions_created_at_id", Session.created_at, Session.id)
Index("ix_actions_created_at_id", Action.created_at, Action.id, Action.subject_id)
