"""Procedures as a table and as a detail view: ids replaced by names, server filters, prompts.

The twin of `stemgui.action_table` for today's procedures; the time, excerpt, CSV and
empty-cell handling are the action table's own. A stored record whose schema version this app
does not ship is still shown: its values as read-only JSON (`unshipped_rows`). No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

import pandas as pd

from stemgui.action_table import ActionQuery, action_filters, blank_missing, excerpt, newest_first, when
from stemgui.actions import details_columns, format_values
from stemgui.models_current import PROCEDURE, current_coordinate_systems
from stemgui.procedure_payload import unshipped_versions
from stemgui.procedure_types import type_label
from stemgui.schema_form import json_text

BASE_COLUMNS = ["when", "type", "subject", "brain region", "coordinates system", "coordinates",
                "consumable stock", "equipment", "licenses", "notes"]
RELATED = {"subject": "subjects", "brain_region": "regions", "consumablestock": "stocks",
           "equipment": "equipment", "licenses": "licenses"}
"""Related-record field of a procedure -> the `ProcedureLookups` attribute that names it."""

ProcedureQuery = ActionQuery  # the same filters; the text is searched in `notes`


@dataclass(frozen=True)
class ProcedureLookups:
    """id -> label of the records a procedure points to (see `stemgui.procedure_pickers`)."""

    subjects: Mapping[str, str] = field(default_factory=dict)
    regions: Mapping[str, str] = field(default_factory=dict)
    stocks: Mapping[str, str] = field(default_factory=dict)
    equipment: Mapping[str, str] = field(default_factory=dict)
    licenses: Mapping[str, str] = field(default_factory=dict)
    region_records: tuple[Mapping[str, Any], ...] = ()  # the API's records, for the ranked region search

    def name(self, related_field: str, value: Any) -> str | None:
        """The label of the record `value` of `related_field` (the id itself when unknown)."""
        if not value:
            return None
        return getattr(self, RELATED[related_field]).get(value, str(value))

    def names(self, related_field: str, values: Any) -> str:
        """"Stereotax, Nanoject III": the labels of a list field (equipment, licenses)."""
        return ", ".join(self.name(related_field, v) or "" for v in (values or []) if v)


def procedure_filters(query: ProcedureQuery) -> dict[str, str]:
    """The API filters of `query` (the server applies them all, ANDed; text in `notes`)."""
    return action_filters(query, text_field="notes")


def type_title(procedure_type: str | None) -> str:
    """"Virus injection" from "VirusInjection"."""
    return type_label(procedure_type)


def system_title(system: str | None) -> str:
    """The human title of today's coordinates system (its name when unknown)."""
    return current_coordinate_systems().get(system or "", system or "")


def coordinates_text(procedure: Mapping[str, Any], sep: str = ", ") -> str:
    """"AP -2 mm, ML +1.5 mm, …" for a procedure's coordinates (each value in its own unit)."""
    return format_values(PROCEDURE.coordinates, procedure.get("coordinates_system"),
                         procedure.get("coordinates_details"), brief=True, sep=sep)


def details_text(procedure: Mapping[str, Any], sep: str = "; ") -> str:
    """"Injection volume 0.3 µL; …" for a procedure's details."""
    return format_values(PROCEDURE.types, procedure.get("type"), procedure.get("details"), sep=sep)


def _row(procedure: Mapping[str, Any], lookups: ProcedureLookups, tz: tzinfo) -> dict[str, Any]:
    return {
        "when": when(procedure.get("date_time"), tz),
        "type": type_title(procedure.get("type")),
        "subject": lookups.name("subject", procedure.get("subject")),
        "brain region": lookups.name("brain_region", procedure.get("brain_region")),
        "coordinates system": system_title(procedure.get("coordinates_system")),
        "coordinates": coordinates_text(procedure),
        "consumable stock": lookups.name("consumablestock", procedure.get("consumablestock")),
        "equipment": lookups.names("equipment", procedure.get("equipment")),
        "licenses": lookups.names("licenses", procedure.get("licenses")),
        "notes": excerpt(procedure.get("notes")),
    }


def procedures_frame(procedures: Iterable[Mapping[str, Any]], lookups: ProcedureLookups,
                     procedure_type: str | None = None, tz: tzinfo = UTC) -> pd.DataFrame:
    """The Procedures table, newest first, index = procedure id; with `procedure_type`, its details
    as columns ("Injection volume": "0.3 µL", each value in its own unit)."""
    ordered = newest_first(procedures)
    frame = pd.DataFrame([_row(p, lookups, tz) for p in ordered], columns=BASE_COLUMNS,
                         index=pd.Index([p["id"] for p in ordered], name="id", dtype="object"))
    if procedure_type:
        extra = pd.DataFrame(details_columns(ordered, procedure_type, kind=PROCEDURE.types))
        if not extra.empty:
            clashing = [c for c in extra if c in BASE_COLUMNS]
            extra = extra.set_index("id").drop(columns=clashing, errors="ignore")
            frame = frame.join(extra)
    return blank_missing(frame)


def record_label(procedure: Mapping[str, Any], lookups: ProcedureLookups, tz: tzinfo = UTC) -> str:
    """"Virus injection · PV03 · CA1 — Field CA1 · 2025-03-01 09:40": names one procedure for people."""
    parts = [type_title(procedure.get("type")), lookups.name("subject", procedure.get("subject")),
             lookups.name("brain_region", procedure.get("brain_region")),
             when(procedure.get("date_time"), tz)]
    return " · ".join(p for p in parts if p)


def _version_text(name: str | None, version: Any) -> str:
    return f"{name} {version}" if name and version else str(version or "")


def detail_rows(procedure: Mapping[str, Any], lookups: ProcedureLookups,
                tz: tzinfo = UTC) -> list[tuple[str, str]]:
    """(label, text) for every field of `procedure`, related ids as names, times in `tz`, and the
    schema versions its `details` and `coordinates_details` follow. Values of a version this app
    does not ship are left to `unshipped_rows` (they cannot be read with our schemas)."""
    unshipped = unshipped_versions(procedure)
    coordinates = ("" if "coordinates_schema_version" in unshipped
                   else coordinates_text(procedure, sep="\n"))
    details = "" if "type_schema_version" in unshipped else details_text(procedure, sep="\n")
    return [
        ("Type", type_title(procedure.get("type"))),
        ("Subject", lookups.name("subject", procedure.get("subject")) or ""),
        ("Date / time", when(procedure.get("date_time"), tz)),
        ("Brain region", lookups.name("brain_region", procedure.get("brain_region")) or ""),
        ("Consumable stock", lookups.name("consumablestock", procedure.get("consumablestock")) or ""),
        ("Equipment", lookups.names("equipment", procedure.get("equipment"))),
        ("Licenses", lookups.names("licenses", procedure.get("licenses"))),
        ("Coordinates system", system_title(procedure.get("coordinates_system"))),
        ("Coordinates", coordinates),
        ("Coordinates schema version", _version_text(procedure.get("coordinates_system"),
                                                     procedure.get("coordinates_schema_version"))),
        ("Details", details),
        ("Type schema version", _version_text(procedure.get("type"), procedure.get("type_schema_version"))),
        ("Notes", str(procedure.get("notes") or "")),
        ("Created", when(procedure.get("created_at"), tz)),
        ("Updated", when(procedure.get("updated_at"), tz)),
        ("Id", str(procedure.get("id") or "")),
    ]


def unshipped_rows(procedure: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(label, why, JSON text) for each payload whose schema version this app does not ship:
    shown read-only as stored, never drawn as a form (our schema may not fit it)."""
    rows = []
    for version_field, payload_field, label in (("type_schema_version", "details", "Details"),
                                                ("coordinates_schema_version", "coordinates_details",
                                                 "Coordinates")):
        why = unshipped_versions(procedure).get(version_field)
        if why:
            rows.append((label, why, json_text(procedure.get(payload_field) or {})))
    return rows


def is_editable(procedure: Mapping[str, Any]) -> bool:
    """Whether the form can open `procedure` (both schema versions shipped by this app)."""
    return not unshipped_versions(procedure)


def delete_prompt(procedure: Mapping[str, Any], lookups: ProcedureLookups) -> str:
    """The confirmation question, naming the record so nobody deletes the wrong one."""
    return f"Delete the procedure “{record_label(procedure, lookups)}”?"


