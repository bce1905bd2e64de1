"""The tables of today's BrainSTEM records: procedures and what they point at.

Procedures (``modules/procedure``) replace the seed's actions; consumable stocks live in
inventories, equipment in setups (``personal_attributes``); licenses cover subjects and
procedures. Same conventions as ``tables``: UUID strings, JSON for free-form data.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, synonym

from stemgui.models import DESCRIPTION_MAX
from stemgui.models_current import (
    IMAGE_MAX,
    LABEL_MAX,
    LICENSE_NUMBER_MAX,
    NOTES_MAX,
    PLACE_NAME_MAX,
    TITLE_MAX,
    TYPE_MAX,
    VERSION_MAX,
)
from stemgui.server.tables import Base, Record, Stamped


def _ref(table: str, nullable: bool = True, on_delete: str = "SET NULL") -> Mapped:
    return mapped_column(
        String(36), ForeignKey(f"{table}.id", ondelete=on_delete), nullable=nullable, index=True
    )


class Inventory(Record, Base):
    __tablename__ = "inventories"
    name: Mapped[str] = mapped_column(String(PLACE_NAME_MAX), nullable=False, index=True)
    location: Mapped[str] = mapped_column(Text, default="", nullable=False)
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="", nullable=False)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class Setup(Record, Base):
    __tablename__ = "setups"
    name: Mapped[str] = mapped_column(String(PLACE_NAME_MAX), nullable=False, index=True)
    location: Mapped[str] = mapped_column(Text, default="", nullable=False)
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="", nullable=False)
    setup_type: Mapped[str | None] = mapped_column(String(36), nullable=True)  # taxonomy not served
    specifications: Mapped[list | dict] = mapped_column(JSON, default=list, nullable=False)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    image: Mapped[str | None] = mapped_column(String(IMAGE_MAX), nullable=True)


class ConsumableStock(Record, Base):
    __tablename__ = "consumable_stocks"
    type: Mapped[str] = mapped_column(String(TYPE_MAX), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), default="AVAILABLE", nullable=False)
    notes: Mapped[str] = mapped_column(String(NOTES_MAX), default="", nullable=False)
    inventory_id: Mapped[str] = _ref("inventories", nullable=False, on_delete="CASCADE")
    acquisition_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    expiration_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    storage_location: Mapped[str | None] = mapped_column(String(LABEL_MAX), nullable=True)
    storage_conditions: Mapped[str | None] = mapped_column(String(LABEL_MAX), nullable=True)
    intended_use: Mapped[str | None] = mapped_column(String(LABEL_MAX), nullable=True)
    cost: Mapped[str | None] = mapped_column(String(LABEL_MAX), nullable=True)
    consumable_id: Mapped[str | None] = _ref("consumables")
    details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    type_schema_version: Mapped[str] = mapped_column(String(VERSION_MAX), default="0.0.0", nullable=False)


class Equipment(Record, Base):
    __tablename__ = "equipment"
    name: Mapped[str] = mapped_column(String(TITLE_MAX), default="", nullable=False, index=True)
    type: Mapped[str] = mapped_column(String(TYPE_MAX), nullable=False, index=True)
    notes: Mapped[str] = mapped_column(String(NOTES_MAX), default="", nullable=False)
    setup_id: Mapped[str] = _ref("setups", nullable=False, on_delete="CASCADE")
    date_time: Mapped[str | None] = mapped_column(String(40), nullable=True)
    consumable_id: Mapped[str | None] = _ref("consumables")
    hardwaredevice_id: Mapped[str | None] = _ref("hardware_devices")
    details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    type_schema_version: Mapped[str] = mapped_column(String(VERSION_MAX), default="0.0.0", nullable=False)
    coordinates_system: Mapped[str] = mapped_column(String(40), nullable=False)
    coordinates_details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    coordinates_schema_version: Mapped[str] = mapped_column(String(VERSION_MAX), nullable=False)


class License(Record, Base):
    __tablename__ = "licenses"
    name: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False, index=True)
    type: Mapped[str] = mapped_column(String(TYPE_MAX), nullable=False)
    status: Mapped[str] = mapped_column(String(16), default="draft", nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    regulatory_authority: Mapped[str | None] = mapped_column(String(36), nullable=True)  # not served
    license_number: Mapped[str | None] = mapped_column(String(LICENSE_NUMBER_MAX), nullable=True)
    valid_from: Mapped[str | None] = mapped_column(String(10), nullable=True)
    valid_until: Mapped[str | None] = mapped_column(String(10), nullable=True)
    license_holders: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class Procedure(Record, Base):
    __tablename__ = "procedures"
    # (sort key, id, subject_id): pages in that order read only the index, the subject included
    # for the permission check (as for actions)
    __table_args__ = (
        Index("ix_procedures_date_time_id", "date_time", "id", "subject_id"),
    )  # and ix_procedures_created_at_id, below: it names a column of the Record mixin
    type: Mapped[str] = mapped_column(String(TYPE_MAX), nullable=False, index=True)
    notes: Mapped[str] = mapped_column(String(NOTES_MAX), default="", nullable=False)
    subject_id: Mapped[str] = _ref("subjects", nullable=False, on_delete="CASCADE")
    date_time: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    consumablestock_id: Mapped[str | None] = _ref("consumable_stocks")
    brain_region_id: Mapped[str | None] = _ref("brain_regions")
    details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    type_schema_version: Mapped[str] = mapped_column(String(VERSION_MAX), nullable=False)
    coordinates_system: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    coordinates_details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    coordinates_schema_version: Mapped[str] = mapped_column(String(VERSION_MAX), nullable=False)


Index("ix_procedures_created_at_id", Procedure.created_at, Procedure.id, Procedure.subject_id)


def _pairs(name: str, owner: tuple[str, str], value: tuple[str, str]) -> Table:
    """A many-to-many table, indexed both ways."""
    return Table(
        name,
        Base.metadata,
        Column(owner[0], String(36), ForeignKey(f"{owner[1]}.id", ondelete="CASCADE"), primary_key=True),
        Column(value[0], String(36), ForeignKey(f"{value[1]}.id", ondelete="CASCADE"), primary_key=True),
        Index(f"ix_{name}_{value[0]}", value[0], owner[0]),
    )


procedure_equipment = _pairs(
    "procedure_equipment", ("procedure_id", "procedures"), ("equipment_id", "equipment")
)
procedure_licenses = _pairs("procedure_licenses", ("procedure_id", "procedures"), ("license_id", "licenses"))
license_subjects = _pairs("license_subjects", ("license_id", "licenses"), ("subject_id", "subjects"))


class SubjectLog(Stamped, Base):
    """A subject log (``modules/subjectlog``): its dated entries are one JSON list, newest first."""

    __tablename__ = "subject_logs"
    type: Mapped[str] = mapped_column(String(TYPE_MAX), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_MAX), nullable=True)
    subject_id: Mapped[str] = _ref("subjects", nullable=False, on_delete="CASCADE")
    entries: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    # the API's read-only ``user`` (who created the log) is the creator every table records
    # (its column keeps the name ``creator_id``; ``key`` makes it ``user`` in the API's field lists)
    user = Column(
        "creator_id", String(36), ForeignKey("users.id", ondelete="SET NULL"), nullable=True, key="user"
    )
    creator_id = synonym("user")
