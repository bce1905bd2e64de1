"""What an import file's columns mean, per record kind, and the templates to download.

One column per field. Related records are written by name (``projects``: names separated by
``;``). The JSON-Schema payloads get one column per property: ``details.<field>`` and
``coordinates.<field>``, with the unit in the header where the schema has one
(``details.injectionVolume [nL]``): a bare number in that column is in that unit, and a cell
may carry its own (``0.3 µL``). Nothing here imports Streamlit.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from stemgui.schemas import GENERATIONS, load_schema, schema_names
from stemgui.schemas.quantities import default_unit, is_quantity

Kind = Literal["subject", "session", "procedure", "action"]
KINDS: tuple[Kind, ...] = ("subject", "session", "procedure", "action")
LIST_SEPARATOR = ";"
DETAILS, COORDINATES = "details", "coordinates"
# payload field of each prefix
PREFIX_FIELDS = {DETAILS: "details", COORDINATES: "coordinates_details"}
_HEADER = re.compile(r"^\s*(?P<path>[^\[\]]+?)\s*(?:\[(?P<unit>[^\]]*)\])?\s*$")


@dataclass(frozen=True)
class Column:
    """One plain field of a kind: its payload field, how its cells read, what it refers to."""

    field: str
    reads: Literal["text", "date", "datetime", "list", "choice"] = "text"
    ref: str | None = None  # the model whose records are named in the cell (resolved to ids)
    many: bool = False  # several names, separated by ";"
    required: bool = False


_SUBJECT = (
    Column("name", required=True),
    Column("projects", ref="project", many=True, required=True),
    Column("strain", ref="strain", required=True),
    Column("sex", "choice", required=True),
    Column("birth_date", "date"),
    Column("death_date", "date"),
    Column("description"),
    Column("genetic_line"),
    Column("genotype"),
    Column("subject_identifier"),
    Column("source"),
    Column("supplier", ref="supplier"),
    Column("licenses", ref="license", many=True),
    Column("status", "choice"),
    Column("tags", "list"),
    Column("name_used_in_storage"),
)
_SESSION = (
    Column("name", required=True),
    Column("projects", ref="project", many=True, required=True),
    Column("date_time", "datetime"),
    Column("description"),
    Column("tags", "list"),
    Column("name_used_in_storage"),
)
_PROCEDURE = (
    Column("subject", ref="subject", required=True),
    Column("type", "choice", required=True),
    Column("date_time", "datetime"),
    Column("brain_region", ref="brainregion"),
    Column("coordinates_system", "choice", required=True),
    Column("notes"),
    Column("consumablestock", ref="consumablestock"),
    Column("equipment", ref="equipment", many=True),
    Column("licenses", ref="license", many=True),
)
_ACTION = (
    Column("subject", ref="subject", required=True),
    Column("type", "choice", required=True),
    Column("date_time", "datetime"),
    Column("brain_region", ref="brainregion"),
    Column("coordinates_system", "choice", required=True),
    Column("description"),
    Column("consumable", ref="consumable"),
    Column("hardwaredevice", ref="hardwaredevice"),
)
PLAIN: dict[Kind, tuple[Column, ...]] = {
    "subject": _SUBJECT,
    "session": _SESSION,
    "procedure": _PROCEDURE,
    "action": _ACTION,
}
# How a row finds the record it stands for (its natural key): names are unique for sessions (on
# the server) and subjects (within what the user sees); a surgical record is its subject, type,
# time and target (region, coordinates system and coordinates).
NATURAL_KEYS: dict[Kind, tuple[str, ...]] = {
    "subject": ("name",),
    "session": ("name",),
    "procedure": (
        "subject",
        "type",
        "date_time",
        "brain_region",
        "coordinates_system",
        "coordinates_details",
    ),
    "action": ("subject", "type", "date_time", "brain_region", "coordinates_system", "coordinates_details"),
}


def is_surgical(kind: Kind) -> bool:
    """Whether a kind has ``details``/``coordinates`` columns (procedures and actions)."""
    return kind in ("procedure", "action")


def schema_kinds(kind: Kind) -> tuple[str, str]:
    """(schema set of ``details``, schema set of ``coordinates_details``) of a surgical kind."""
    generation = GENERATIONS[kind]
    return generation.types, generation.coordinates


def types_of(kind: Kind) -> dict[str, str]:
    """The ``type`` choices of a surgical kind -> title."""
    return schema_names(schema_kinds(kind)[0])


def systems_of(kind: Kind) -> dict[str, str]:
    """The ``coordinates_system`` choices of a surgical kind -> title."""
    return schema_names(schema_kinds(kind)[1])


@cache
def schema_of(kind: Kind, prefix: str, name: str) -> dict | None:
    """The newest schema of a type (``details``) or system (``coordinates``); None if unknown.
    Shared between calls (read for every cell of a file): never change it."""
    details_kind, coordinates_kind = schema_kinds(kind)
    try:
        return load_schema(details_kind if prefix == DETAILS else coordinates_kind, name)
    except KeyError:
        return None


def header(prefix: str, name: str, prop: dict) -> str:
    """``details.injectionVolume [nL]``: the column of one schema property, unit in brackets."""
    unit = default_unit(prop) if is_quantity(prop) else None
    return f"{prefix}.{name} [{unit}]" if unit else f"{prefix}.{name}"


def parse_header(text: str) -> tuple[str, str | None]:
    """(``details.injectionVolume``, ``nL``) from a header; the unit is None without brackets."""
    match = _HEADER.match(str(text or ""))
    if not match:
        return str(text or "").strip(), None
    unit = (match.group("unit") or "").strip() or None
    return match.group("path").strip(), unit


def template_columns(kind: Kind, type_name: str | None = None, system: str | None = None) -> list[str]:
    """The columns of a template: every plain field, then ``details.*`` of the type (every type's
    when none is given) and ``coordinates.*`` of the system (every system's when none is given)."""
    columns = [column.field for column in PLAIN[kind]]
    if not is_surgical(kind):
        return columns
    for prefix, names, chosen in (
        (DETAILS, types_of(kind), type_name),
        (COORDINATES, systems_of(kind), system),
    ):
        if chosen is not None and chosen not in names:
            raise ValueError(f'"{chosen}" is not a known {prefix} choice; use one of: {", ".join(names)}')
        seen: dict[str, str] = {}
        for name in [chosen] if chosen else list(names):
            for prop_name, prop in ((schema_of(kind, prefix, name) or {}).get("properties") or {}).items():
                seen.setdefault(prop_name, header(prefix, prop_name, prop))
        columns += list(seen.values())
    return columns


def template_csv(kind: Kind, type_name: str | None = None, system: str | None = None) -> bytes:
    """A CSV template (UTF-8 with a BOM, so spreadsheets read µ correctly): the header row only."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(template_columns(kind, type_name, system))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(kind: Kind, type_name: str | None = None, system: str | None = None) -> bytes:
    """An XLSX template: the header row, bold and frozen."""
    from stemgui.importing.writing import xlsx_bytes

    return xlsx_bytes(template_columns(kind, type_name, system), [])
