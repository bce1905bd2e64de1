"""The BrainSTEM records and their field rules (pydantic v2), defined once.

Used by the bundled server to validate writes and by the GUI to check forms before sending.
``XCreate`` holds the writable fields with their rules, ``XUpdate`` the same fields all
optional (a PATCH), ``XPublic`` the response shape. Nothing here imports Streamlit or SQLAlchemy.
Rules that need the database (unique names, related ids that exist) live in the server.
"""

from __future__ import annotations

import math
import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
)

from stemgui import dates
from stemgui.schemas import action_types, coordinate_systems, load_schema, stored_payload

SESSION_NAME_MAX = 100
ACTION_DESCRIPTION_MAX = 500
PROJECT_NAME_MAX = 200
NAME_MAX = 100
LONG_NAME_MAX = 200
DESCRIPTION_MAX = 500
ACRONYM_MAX = 15
EXTRA_FIELD_KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
SEXES = ("M", "F", "U")
# today's subject ``status``: the docs give only "active" as an example; these are the bundled
# server's choices (README, spec notes)
SUBJECT_STATUSES = ("active", "inactive", "retired", "transferred", "deceased")
GENOTYPE_MAX = 200
ATLASES = ("AIA", "AIA_dM", "AIA_HB", "AIA_dHB", "AIA_P", "AIA_S", "BM4", "PF2001", "PW1997", "S2004")
CONSUMABLE_TYPES = ("OpticFiberDesign", "SiliconProbeDesign", "VirusConstruct", "WireElectrode")
PERMISSION_KEYS = ("can_change", "is_manager", "is_owner")


# ---------------------------------------------------------------- field-level rules


def _known(choices: Any) -> AfterValidator:
    """A validator that accepts only names of ``choices()`` (the schema registry)."""

    def check(value: str | None) -> str | None:
        known = choices()
        if value is not None and value not in known:
            raise ValueError(f'"{value}" is not a valid choice. Choose one of: {", ".join(known)}.')
        return value

    return AfterValidator(check)


def normalize_extra_fields(value: Any) -> dict:
    """The object form of ``extra_fields``; accepts the object or a list of {name, value}."""
    if value is None:
        return {}
    if isinstance(value, list):
        pairs: dict = {}
        for item in value:
            if not isinstance(item, dict) or set(item) != {"name", "value"}:
                raise ValueError("Each entry must be an object with exactly 'name' and 'value'.")
            pairs[item["name"]] = item["value"]
        value = pairs
    if not isinstance(value, dict):
        raise ValueError("Expected an object of name: value pairs (or a list of {name, value}).")
    for key, item in value.items():
        if not isinstance(key, str) or not EXTRA_FIELD_KEY_PATTERN.match(key):
            raise ValueError(
                f"Invalid name {key!r}: must start with a letter and use only letters, digits and _."
            )
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"The value of {key!r} must be text or a number.")
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"The value of {key!r} must be a finite number.")
    return dict(value)


def normalize_date_time(value: Any) -> str | None:
    """``YYYY-MM-DD`` or an ISO date-time, returned in ISO form; None stays None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("Expected a date (YYYY-MM-DD) or an ISO date-time as text.")
    try:
        return dates.parse_strict(value).isoformat()
    except ValueError:
        raise ValueError("Date has wrong format. Use YYYY-MM-DD or an ISO date-time.") from None


def normalize_date(value: Any) -> str | None:
    """A plain ``YYYY-MM-DD`` date (a date-time is cut to its date); None stays None."""
    normal = normalize_date_time(value)
    return normal[:10] if normal else None


def _check_uuid(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f'"{value}" is not a valid UUID.') from None


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("This field may not be blank.")
    return value


def _check_download_links(value: list | None) -> list | None:
    for link in value or ():
        if set(link) != {"Repository", "URL"}:
            raise ValueError("Each link must have exactly the keys 'Repository' and 'URL'.")
    return value


def _check_permissions(value: dict | None) -> dict | None:
    for key, perms in (value or {}).items():
        extra = set(perms) - set(PERMISSION_KEYS) - {"remove"}
        if extra:
            raise ValueError(f"{key}: unknown permission(s) {', '.join(sorted(extra))}.")
    return value


Uuid = Annotated[str, AfterValidator(_check_uuid)]
UuidList = list[Uuid]
Name = Annotated[str, AfterValidator(_not_blank)]
DateTime = Annotated[str | None, BeforeValidator(normalize_date_time)]
Date = Annotated[str | None, BeforeValidator(normalize_date)]
ExtraFields = Annotated[dict[str, str | int | float], BeforeValidator(normalize_extra_fields)]
DownloadLink = dict[Literal["Repository", "URL"], str]
DownloadLinks = Annotated[list[DownloadLink], AfterValidator(_check_download_links)]
Permissions = Annotated[dict[str, dict[str, bool]], AfterValidator(_check_permissions)]
Tags = list[str]


class _Write(BaseModel):
    """Strict input: no silent type coercion; unknown and read-only fields are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class _Public(BaseModel):
    model_config = ConfigDict(extra="ignore")


# ---------------------------------------------------------------- sessions


class SessionCreate(_Write):
    """A new session (POST)."""

    name: Name = Field(max_length=SESSION_NAME_MAX)
    description: str = ""
    projects: UuidList = Field(min_length=1)
    date_time: DateTime = None
    extra_fields: ExtraFields = Field(default_factory=dict)
    download_links: DownloadLinks = Field(default_factory=list)
    name_used_in_storage: str = Field("", max_length=LONG_NAME_MAX)
    tags: Tags = Field(default_factory=list)


class SessionPublic(_Public):
    """A session as the API returns it."""

    id: str
    name: str
    description: str = ""
    epochs: list[str] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    date_time: str | None = None
    datastorage: list[str] = Field(default_factory=list)
    extra_fields: dict = Field(default_factory=dict)
    download_links: list[dict] = Field(default_factory=list)
    dataacquisition: list[str] = Field(default_factory=list)
    behaviors: list[str] = Field(default_factory=list)
    manipulations: list[str] = Field(default_factory=list)
    name_used_in_storage: str = ""
    tags: list[str] = Field(default_factory=list)
    links: dict = Field(default_factory=lambda: {"projects": "projects/"})


# ---------------------------------------------------------------- actions


class ActionCreate(_Write):
    """A new action (POST); ``schema_check()`` checks details against the type schemas."""

    type: Annotated[str, _known(action_types)]
    description: str = Field("", max_length=ACTION_DESCRIPTION_MAX)
    subject: Uuid
    date_time: DateTime = None
    consumable: Uuid | None = None
    hardwaredevice: Uuid | None = None
    brain_region: Uuid | None = None
    details: dict = Field(default_factory=dict)
    coordinates_system: Annotated[str, _known(coordinate_systems)]
    coordinates_details: dict = Field(default_factory=dict)

    def schema_check(self) -> tuple[dict, dict[str, list[str]]]:
        """({payload field: as stored, schema defaults filled in}, errors) from the JSON Schemas of
        the type and system; the record itself is not changed (``validate_record`` applies them)."""
        stored: dict = {}
        errors: dict[str, list[str]] = {}
        checks = (("type", "details", "action"), ("coordinates_system", "coordinates_details", "coordinates"))
        for kind_field, payload_field, kind in checks:
            schema = load_schema(kind, getattr(self, kind_field))
            stored[payload_field], problems = stored_payload(schema, getattr(self, payload_field))
            for path, message in problems.items():
                key = payload_field if path == "__all__" else f"{payload_field}.{path}"
                errors.setdefault(key, []).append(message)
        return stored, errors


class ActionPublic(_Public):
    """An action as the API returns it."""

    id: str
    type: str
    description: str = ""
    subject: str
    date_time: str | None = None
    consumable: str | None = None
    hardwaredevice: str | None = None
    details: dict = Field(default_factory=dict)
    brain_region: str | None = None
    coordinates_system: str
    coordinates_details: dict = Field(default_factory=dict)


# ---------------------------------------------------------------- projects and subjects


class ProjectCreate(_Write):
    """A new project (POST); ``users``/``groups`` map email / group name to permissions."""

    name: Name = Field(max_length=PROJECT_NAME_MAX)
    description: str = ""
    extra_fields: ExtraFields = Field(default_factory=dict)
    is_public: bool = False
    name_used_in_repository: str = Field("", max_length=LONG_NAME_MAX)
    tags: Tags = Field(default_factory=list)
    users: Permissions = Field(default_factory=dict)
    groups: Permissions = Field(default_factory=dict)


class ProjectPublic(_Public):
    """A project as the API returns it."""

    id: str
    name: str
    description: str = ""
    datasets: list[str] = Field(default_factory=list)
    sessions: list[str] = Field(default_factory=list)  # today's name of datasets
    subjects: list[str] = Field(default_factory=list)
    collections: list[str] = Field(default_factory=list)  # not held yet: always empty
    cohorts: list[str] = Field(default_factory=list)  # not held yet: always empty
    publications: list[str] = Field(default_factory=list)
    extra_fields: dict = Field(default_factory=dict)
    is_public: bool = False
    name_used_in_repository: str = ""
    tags: list[str] = Field(default_factory=list)
    users: dict = Field(default_factory=dict)
    groups: dict = Field(default_factory=dict)
    links: dict = Field(default_factory=lambda: {"datasets": "datasets/", "subjects": "subjects/"})


class SubjectCreate(_Write):
    """A new subject (POST)."""

    name: Name = Field(max_length=NAME_MAX)
    description: str = ""
    strain: Uuid
    sex: Literal["M", "F", "U"]
    genetic_line: str = Field("", max_length=NAME_MAX)
    subject_identifier: str = Field("", max_length=NAME_MAX)
    source: str = Field("", max_length=NAME_MAX)
    projects: UuidList = Field(min_length=1)
    birth_date: Date = None
    death_date: Date = None
    extra_fields: ExtraFields = Field(default_factory=dict)
    name_used_in_repository: str = Field("", max_length=LONG_NAME_MAX)
    tags: Tags = Field(default_factory=list)
    # today's BrainSTEM fields (api-stem-subject.md)
    genotype: str = Field("", max_length=GENOTYPE_MAX)
    supplier: Uuid | None = None
    licenses: UuidList = Field(default_factory=list)
    status: Literal[SUBJECT_STATUSES] = "active"  # type: ignore[valid-type]
    name_used_in_storage: str | None = Field(None, max_length=LONG_NAME_MAX)


class SubjectPublic(_Public):
    """A subject as the API returns it."""

    id: str
    name: str
    description: str = ""
    strain: str | None = None
    sex: str
    genetic_line: str = ""
    subject_identifier: str = ""
    source: str = ""
    projects: list[str] = Field(default_factory=list)
    birth_date: str | None = None
    death_date: str | None = None
    extra_fields: dict = Field(default_factory=dict)
    actions: list[str] = Field(default_factory=list)
    procedures: list[str] = Field(default_factory=list)
    subjectlogs: list[str] = Field(default_factory=list)
    subjectstatechanges: list[str] = Field(default_factory=list)
    name_used_in_repository: str = ""
    tags: list[str] = Field(default_factory=list)
    genotype: str = ""
    supplier: str | None = None
    breeding: str | None = None  # breeding records are not held: always null
    licenses: list[str] = Field(default_factory=list)
    status: str = "active"
    name_used_in_storage: str | None = None
    links: dict = Field(
        default_factory=lambda: {
            "projects": "projects/",
            "actions": "actions/",
            "subjectstatechanges": "subjectstatechanges/",
            "procedures": "procedures/",
            "subjectlogs": "subjectlogs/",
        }
    )


# ---------------------------------------------------------------- taxonomies and resources


class SpeciesCreate(_Write):
    """A new species."""

    name: Name = Field(max_length=NAME_MAX)
    description: str = Field("", max_length=DESCRIPTION_MAX)
    comments: str = ""


class StrainCreate(SpeciesCreate):
    """A new strain of a species."""

    species: Uuid


class BrainRegionCreate(_Write):
    """A new brain region of an atlas."""

    name: Name = Field(max_length=LONG_NAME_MAX)
    description: str = Field("", max_length=DESCRIPTION_MAX)
    acronym: Name = Field(max_length=ACRONYM_MAX)
    atlas: Literal[ATLASES]  # type: ignore[valid-type]


class SupplierCreate(_Write):
    """A new supplier."""

    name: Name = Field(max_length=NAME_MAX)
    description: str = ""
    website: str = Field("", max_length=LONG_NAME_MAX)
    comments: str = ""


class ConsumableCreate(SpeciesCreate):
    """A new consumable (probe design, fiber design, virus, wire)."""

    supplier: Uuid
    type: Literal[CONSUMABLE_TYPES]  # type: ignore[valid-type]
    details: dict = Field(default_factory=dict)


class HardwareDeviceCreate(SpeciesCreate):
    """A new hardware device."""

    supplier: Uuid


class SpeciesPublic(_Public):
    id: str
    name: str
    description: str = ""
    comments: str = ""


class StrainPublic(SpeciesPublic):
    species: str | None = None


class BrainRegionPublic(_Public):
    id: str
    name: str
    description: str = ""
    acronym: str
    atlas: str


class SupplierPublic(SpeciesPublic):
    website: str = ""


class ConsumablePublic(SpeciesPublic):
    supplier: str | None = None
    type: str
    details: dict = Field(default_factory=dict)


class HardwareDevicePublic(SpeciesPublic):
    supplier: str | None = None


# ---------------------------------------------------------------- updates and registry


def _optional(info: Any) -> Any:
    """The field's type made optional, keeping its constraints (max_length etc.)."""
    optional = info.annotation | None
    return Annotated[optional, *info.metadata] if info.metadata else optional


def _partial(model: type[BaseModel], name: str) -> type[BaseModel]:
    """``model`` with every field optional and no defaults: the body of a PATCH."""
    fields = {key: (_optional(info), None) for key, info in model.model_fields.items()}
    return create_model(name, __base__=_Write, **fields)  # type: ignore[call-overload]


SessionUpdate = _partial(SessionCreate, "SessionUpdate")
ActionUpdate = _partial(ActionCreate, "ActionUpdate")
ProjectUpdate = _partial(ProjectCreate, "ProjectUpdate")
SubjectUpdate = _partial(SubjectCreate, "SubjectUpdate")

CREATE_MODELS: dict[str, type[_Write]] = {
    "session": SessionCreate,
    "action": ActionCreate,
    "project": ProjectCreate,
    "subject": SubjectCreate,
    "species": SpeciesCreate,
    "strain": StrainCreate,
    "brainregion": BrainRegionCreate,
    "supplier": SupplierCreate,
    "consumable": ConsumableCreate,
    "hardwaredevice": HardwareDeviceCreate,
}

PUBLIC_MODELS: dict[str, type[_Public]] = {
    "session": SessionPublic,
    "action": ActionPublic,
    "project": ProjectPublic,
    "subject": SubjectPublic,
    "species": SpeciesPublic,
    "strain": StrainPublic,
    "brainregion": BrainRegionPublic,
    "supplier": SupplierPublic,
    "consumable": ConsumablePublic,
    "hardwaredevice": HardwareDevicePublic,
}

_MESSAGES = {
    "missing": "This field is required.",
    "string_type": "Not a valid string.",
    "list_type": "Expected a list of items.",
    "dict_type": "Expected an object (a JSON dictionary).",
    "bool_type": "Must be a valid boolean.",
    "none_required": "This field may not be null.",
}


def _message(error: dict) -> str:
    if error["type"] == "string_too_long":
        return f"Ensure this field has no more than {error['ctx']['max_length']} characters."
    if error["type"] == "too_short" and error.get("ctx", {}).get("min_length") == 1:
        return "This list may not be empty."
    if error["type"] in ("value_error", "assertion_error"):
        return str(error["ctx"]["error"])
    if error["input"] is None and error["type"].endswith("_type"):
        return "This field may not be null."
    return _MESSAGES.get(error["type"], error["msg"])


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A pydantic error as a DRF-style body: top-level field name -> messages."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "non_field_errors"
        message = _message(error)
        if message not in errors.setdefault(field, []):
            errors[field].append(message)
    return errors


NUMBER_LIMIT = 2**53  # beyond ±2^53 a JSON number loses precision (JavaScript, float columns)


def number_errors(data: Any) -> dict[str, list[str]]:
    """Field path (``coordinates_details.apCoordinate``) -> message, for every number in ``data``
    that is not finite or lies beyond ±2^53."""
    errors: dict[str, list[str]] = {}
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            stack.extend((item, (*path, key)) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                message = "Numbers must be finite."
            elif abs(value) > NUMBER_LIMIT:
                message = f"Out of range: numbers must be between -2^53 and 2^53 ({NUMBER_LIMIT})."
            else:
                continue
            errors[".".join(str(part) for part in path) or "non_field_errors"] = [message]
    return errors


def writable_fields(model: str) -> tuple[str, ...]:
    """The fields a client writes for ``model``, in its create model's order: the one list the
    forms, the outbox's matching and the server's resources take (issue 11: once, not four times)."""
    return tuple(CREATE_MODELS[model].model_fields)


def validate_record(model: str, data: Any) -> tuple[BaseModel | None, dict[str, list[str]]]:
    """(validated record, {}) or (None, DRF-style errors) for a full write of ``model``."""
    if not isinstance(data, dict):
        return None, {"non_field_errors": ["Invalid data. Expected a dictionary."]}
    try:
        record = CREATE_MODELS[model].model_validate(data)
    except ValidationError as exc:
        return None, field_errors(exc)
    if hasattr(record, "schema_check"):  # actions, procedures, subject logs...: their JSON Schemas
        stored, errors = record.schema_check()
        if errors:
            return None, errors
        record = record.model_copy(update=stored)  # explicitly: the payloads as stored, defaults in
    if errors := number_errors(record.model_dump()):  # after the schemas: their messages say more
        return None, errors
    return record, {}
