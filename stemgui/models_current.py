"""Today's BrainSTEM records (procedures, consumable stocks, equipment, inventories, setups,
licenses) and their field rules, beside the seed's records in ``models``.

``details``/``coordinates_details`` are checked against the versioned schemas of
``stemgui.schemas`` (``procedure/`` and ``coordinates_current/``): a version the app does not
ship is refused naming the version field; an omitted version means the newest one.
Nothing here imports Streamlit or SQLAlchemy.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator

from stemgui.models import (
    CREATE_MODELS,
    DESCRIPTION_MAX,
    PUBLIC_MODELS,
    Date,
    DateTime,
    Name,
    Uuid,
    UuidList,
    _known,
    _partial,
    _Public,
    _Write,
)
from stemgui.schemas import GENERATIONS, SchemaKind, load_versioned, schema_names, schema_versions
from stemgui.schemas.quantities import check

NOTES_MAX = 500
# field lengths (the tables in server/tables_current.py take the same constants)
PLACE_NAME_MAX = 50  # inventories, setups
TITLE_MAX = 255  # equipment, licenses
TYPE_MAX = 64  # free-text types of stocks and equipment; procedure and subject-log types
VERSION_MAX = 20  # "1.2.0"
LABEL_MAX = 100  # a stock's storage location, conditions, intended use, cost
LICENSE_NUMBER_MAX = 128
IMAGE_MAX = 500  # a setup's image (a URL)
PROCEDURE = GENERATIONS["procedure"]
STOCK_STATUSES = ("AVAILABLE", "RESERVED", "DEPLETED")
LICENSE_TYPES = (
    "animal_research_authorization", "human_research_authorization", "biosafety_gmo_authorization",
    "wildlife_fieldwork_permit", "controlled_substance_license", "chemical_use_authorization",
    "import_export_permit",
)  # fmt: skip
LICENSE_STATUSES = ("draft", "pending", "active", "suspended", "expired", "revoked")


def procedure_types() -> dict[str, str]:
    """Procedure type -> human title, in name order."""
    return schema_names(PROCEDURE.types)


def current_coordinate_systems() -> dict[str, str]:
    """Today's coordinates systems -> human title, in name order."""
    return schema_names(PROCEDURE.coordinates)


def _country(value: str | None) -> str | None:
    if value is not None and not (len(value) == 2 and value.isascii() and value.isalpha()):
        raise ValueError("Use a two-letter ISO 3166-1 country code, e.g. GB.")
    return value.upper() if value else value


Version = Annotated[str | None, Field(default=None, max_length=VERSION_MAX)]


class _Versioned(_Write):
    """A record whose JSON payloads follow a named, versioned schema."""

    # (name field, payload field, version field, schema kind) of each checked payload
    payloads: ClassVar[tuple[tuple[str, str, str, SchemaKind], ...]] = ()

    def schema_check(self) -> tuple[dict, dict[str, list[str]]]:
        """({field: value to store}: the normalized payloads and the versions used, errors) from
        the payloads' schema versions; the record itself is not changed."""
        stored: dict = {}
        errors: dict[str, list[str]] = {}
        for name_field, payload_field, version_field, kind in self.payloads:
            name, version = getattr(self, name_field), getattr(self, version_field)
            shipped = schema_versions(kind, name)
            if version is not None and version not in shipped:
                errors[version_field] = [
                    f'Version "{version}" of the {name} schema is not available on this server; '
                    f"use one of: {', '.join(shipped)} (or leave it out for the newest)."
                ]
                continue
            version = version or shipped[-1]
            payload, problems = check(load_versioned(kind, name, version), getattr(self, payload_field))
            for path, message in problems.items():
                key = payload_field if path == "__all__" else f"{payload_field}.{path}"
                errors.setdefault(key, []).append(message)
            stored[payload_field], stored[version_field] = payload, version
        return stored, errors


# ---------------------------------------------------------------- procedures


class ProcedureCreate(_Versioned):
    """A new procedure (POST)."""

    payloads = (
        ("type", "details", "type_schema_version", PROCEDURE.types),
        ("coordinates_system", "coordinates_details", "coordinates_schema_version", PROCEDURE.coordinates),
    )

    type: Annotated[str, _known(procedure_types)]
    notes: str = Field("", max_length=NOTES_MAX)
    subject: Uuid
    date_time: DateTime = None
    consumablestock: Uuid | None = None
    equipment: UuidList = Field(default_factory=list)
    brain_region: Uuid | None = None
    licenses: UuidList = Field(default_factory=list)
    details: dict = Field(default_factory=dict)
    type_schema_version: Version = None
    coordinates_system: Annotated[str, _known(current_coordinate_systems)]
    coordinates_details: dict = Field(default_factory=dict)
    coordinates_schema_version: Version = None


class ProcedurePublic(_Public):
    """A procedure as the API returns it."""

    id: str
    type: str
    notes: str = ""
    subject: str
    date_time: str | None = None
    consumablestock: str | None = None
    equipment: list[str] = Field(default_factory=list)
    licenses: list[str] = Field(default_factory=list)
    details: dict = Field(default_factory=dict)
    type_schema_version: str | None = None
    brain_region: str | None = None
    coordinates_system: str
    coordinates_details: dict = Field(default_factory=dict)
    coordinates_schema_version: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


# ---------------------------------------------------------------- inventories, setups, stocks, equipment


class InventoryCreate(_Write):
    """A new inventory (where consumable stocks are kept)."""

    name: Name = Field(max_length=PLACE_NAME_MAX)
    location: str = ""
    description: str = Field("", max_length=DESCRIPTION_MAX)
    is_public: bool = False


class InventoryPublic(_Public):
    id: str
    name: str
    location: str = ""
    description: str = ""
    is_public: bool = False


class SetupCreate(_Write):
    """A new experimental setup (where equipment is mounted)."""

    name: Name = Field(max_length=PLACE_NAME_MAX)
    location: str = ""
    description: str = Field("", max_length=DESCRIPTION_MAX)
    setup_type: Uuid | None = None
    specifications: list | dict = Field(default_factory=list)  # the table says array, the example an object
    is_public: bool = False
    image: str | None = Field(None, max_length=IMAGE_MAX)


class SetupPublic(_Public):
    id: str
    name: str
    location: str = ""
    description: str = ""
    setup_type: str | None = None
    specifications: list | dict = Field(default_factory=list)
    is_public: bool = False
    image: str | None = None


class ConsumableStockCreate(_Write):
    """A new consumable stock (a lot of a consumable in an inventory). Its ``type`` is free text:
    no consumable-stock schemas are shipped, so ``details`` is any object."""

    type: Name = Field(max_length=TYPE_MAX)
    status: Literal[STOCK_STATUSES] = "AVAILABLE"  # type: ignore[valid-type]
    notes: str = Field("", max_length=NOTES_MAX)
    inventory: Uuid
    acquisition_date: Date = None
    expiration_date: Date = None
    storage_location: str | None = Field(None, max_length=LABEL_MAX)
    storage_conditions: str | None = Field(None, max_length=LABEL_MAX)
    intended_use: str | None = Field(None, max_length=LABEL_MAX)
    cost: str | None = Field(None, max_length=LABEL_MAX)
    consumable: Uuid | None = None
    details: dict = Field(default_factory=dict)
    type_schema_version: str = Field("0.0.0", max_length=VERSION_MAX)


class ConsumableStockPublic(_Public):
    id: str
    type: str
    status: str = "AVAILABLE"
    notes: str = ""
    inventory: str | None = None
    acquisition_date: str | None = None
    expiration_date: str | None = None
    storage_location: str | None = None
    storage_conditions: str | None = None
    intended_use: str | None = None
    cost: str | None = None
    consumable: str | None = None
    details: dict = Field(default_factory=dict)
    type_schema_version: str = "0.0.0"


class EquipmentCreate(_Versioned):
    """A new piece of equipment in a setup; its coordinates follow today's coordinate schemas."""

    payloads = (
        ("coordinates_system", "coordinates_details", "coordinates_schema_version", PROCEDURE.coordinates),
    )

    name: str = Field("", max_length=TITLE_MAX)
    type: Name = Field(max_length=TYPE_MAX)
    notes: str = Field("", max_length=NOTES_MAX)
    setup: Uuid
    date_time: DateTime = None
    consumable: Uuid | None = None
    hardwaredevice: Uuid | None = None
    details: dict = Field(default_factory=dict)
    type_schema_version: str = Field("0.0.0", max_length=VERSION_MAX)
    coordinates_system: Annotated[str, _known(current_coordinate_systems)]
    coordinates_details: dict = Field(default_factory=dict)
    coordinates_schema_version: Version = None


class EquipmentPublic(_Public):
    id: str
    name: str = ""
    type: str
    notes: str = ""
    setup: str | None = None
    date_time: str | None = None
    consumable: str | None = None
    hardwaredevice: str | None = None
    details: dict = Field(default_factory=dict)
    type_schema_version: str = "0.0.0"
    coordinates_system: str
    coordinates_details: dict = Field(default_factory=dict)
    coordinates_schema_version: str | None = None


# ---------------------------------------------------------------- licenses


class LicenseCreate(_Write):
    """A new license (e.g. an animal-research authorization covering subjects and procedures)."""

    name: Name = Field(max_length=TITLE_MAX)
    type: Literal[LICENSE_TYPES]  # type: ignore[valid-type]
    status: Literal[LICENSE_STATUSES] = "draft"  # type: ignore[valid-type]
    description: str = ""
    country: Annotated[str | None, AfterValidator(_country)] = None
    regulatory_authority: Uuid | None = None
    license_number: str | None = Field(None, max_length=LICENSE_NUMBER_MAX)
    valid_from: Date = None
    valid_until: Date = None
    license_holders: UuidList = Field(default_factory=list)
    subjects: UuidList = Field(default_factory=list)
    is_public: bool = False

    @field_validator("valid_until")
    @classmethod
    def _after_valid_from(cls, value: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("valid_from")
        if value and start and value < start:
            raise ValueError("Must be on or after valid_from.")
        return value


class LicensePublic(_Public):
    id: str
    name: str
    type: str
    status: str = "draft"
    description: str = ""
    country: str | None = None
    regulatory_authority: str | None = None
    license_number: str | None = None
    license_document: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    license_holders: list[str] = Field(default_factory=list)
    behavioralassays: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)
    procedures: list[str] = Field(default_factory=list)
    is_public: bool = False


CREATE: dict[str, type[BaseModel]] = {
    "procedure": ProcedureCreate,
    "inventory": InventoryCreate,
    "setup": SetupCreate,
    "consumablestock": ConsumableStockCreate,
    "equipment": EquipmentCreate,
    "license": LicenseCreate,
}
PUBLIC: dict[str, type[BaseModel]] = {
    "procedure": ProcedurePublic,
    "inventory": InventoryPublic,
    "setup": SetupPublic,
    "consumablestock": ConsumableStockPublic,
    "equipment": EquipmentPublic,
    "license": LicensePublic,
}
UPDATE: dict[str, type[BaseModel]] = {
    name: _partial(model, f"{model.__name__}Update") for name, model in CREATE.items()
}
CREATE_MODELS.update(CREATE)
PUBLIC_MODELS.update(PUBLIC)
