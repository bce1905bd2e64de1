"""Actions as a table and as a detail view: ids replaced by names, server filters, prompts.

No Streamlit here. Actions are the API's dicts; `Lookups` holds the id -> label maps of the
related records (subject, brain region, consumable, hardware device) the table shows by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta, tzinfo
from typing import Any

import pandas as pd

from stemgui import dates
from stemgui.actions import details_columns, format_values
from stemgui.csv_safe import safe_csv
from stemgui.schemas import action_types, coordinate_systems

EXCERPT = 80
BASE_COLUMNS = ["when", "type", "subject", "brain region", "coordinates system", "coordinates",
                "consumable", "hardware device", "description"]
RELATED = {"subject": "subjects", "brain_region": "regions", "consumable": "consumables",
           "hardwaredevice": "devices"}
"""Related-record field of an action -> the `Lookups` attribute that names it."""


@dataclass(frozen=True)
class Lookups:
    """id -> label of the records an action points to (a region label is "CA1 — Field CA1")."""

    subjects: Mapping[str, str] = field(default_factory=dict)
    regions: Mapping[str, str] = field(default_factory=dict)
    consumables: Mapping[str, str] = field(default_factory=dict)
    devices: Mapping[str, str] = field(default_factory=dict)
    region_records: tuple[Mapping[str, Any], ...] = ()  # the API's records, for the ranked region search

    def name(self, related_field: str, value: Any) -> str | None:
        """The label of the record `value` of `related_field` (the id itself when unknown)."""
        if not value:
            return None
        return getattr(self, RELATED[related_field]).get(value, str(value))

    def all_labels(self) -> dict[str, str]:
        """Every id -> label (the surgery record names related records with it)."""
        return {**self.subjects, **self.regions, **self.consumables, **self.devices}


@dataclass(frozen=True)
class ActionQuery:
    """What the Actions page filters on (ids for related records; type/system by name)."""

    subject: str | None = None
    type: str | None = None
    coordinates_system: str | None = None
    brain_region: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""


def action_filters(query: ActionQuery, text_field: str = "description") -> dict[str, str]:
    """The API filters of `query` (all applied by the server, ANDed); the text is searched in
    `text_field` ("notes" for procedures)."""
    filters = {name: value for name, value in (
        ("subject", query.subject), ("type", query.type),
        ("coordinates_system", query.coordinates_system), ("brain_region", query.brain_region),
    ) if value}  # fmt: skip
    if query.date_from:
        filters["date_time.gte"] = query.date_from.isoformat()
    if query.date_to:  # the whole last day: date-times of that day sort after its bare date
        filters["date_time.lt"] = (query.date_to + timedelta(days=1)).isoformat()
    if query.text.strip():
        filters[f"{text_field}.icontains"] = query.text.strip()
    return filters


def when(date_time: Any, tz: tzinfo = UTC) -> str:
    """"2024-05-01 10:30" in `tz` (or just the date) from an API `date_time`; "" when unset."""
    return dates.when_text(date_time, tz)


def excerpt(text: Any, length: int = EXCERPT) -> str:
    """The first `length` characters of `text` on one line."""
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def type_title(action_type: str | None) -> str:
    """"Virus injection" from "VirusInjection"."""
    return action_types().get(action_type or "", action_type or "")


def system_title(system: str | None) -> str:
    """"Stereotaxic Bregma absolute" from "Stereotaxic_BregmaAbsolute"."""
    return coordinate_systems().get(system or "", system or "")


def coordinates_text(action: Mapping[str, Any], sep: str = ", ") -> str:
    """"AP -2 mm, ML +1.5 mm, …" for an action's coordinates."""
    return format_values("coordinates", action.get("coordinates_system"),
                         action.get("coordinates_details"), brief=True, sep=sep)


def details_text(action: Mapping[str, Any], sep: str = "; ") -> str:
    """"Injection volume 300 nL; …" for an action's details."""
    return format_values("action", action.get("type"), action.get("details"), sep=sep)


def _row(action: Mapping[str, Any], lookups: Lookups, tz: tzinfo) -> dict[str, Any]:
    return {
        "when": when(action.get("date_time"), tz),
        "type": type_title(action.get("type")),
        "subject": lookups.name("subject", action.get("subject")),
        "brain region": lookups.name("brain_region", action.get("brain_region")),
        "coordinates system": system_title(action.get("coordinates_system")),
        "coordinates": coordinates_text(action),
        "consumable": lookups.name("consumable", action.get("consumable")),
        "hardware device": lookups.name("hardwaredevice", action.get("hardwaredevice")),
        "description": excerpt(action.get("description")),
    }


def newest_first(actions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Latest `date_time` first; undated last (stable)."""
    listed = list(actions)
    dated = sorted((a for a in listed if a.get("date_time")), key=lambda a: str(a["date_time"]), reverse=True)
    return dated + [a for a in listed if not a.get("date_time")]


def actions_frame(actions: Iterable[Mapping[str, Any]], lookups: Lookups,
                  action_type: str | None = None, tz: tzinfo = UTC) -> pd.DataFrame:
    """The Actions table, newest first, index = action id; with `action_type`, its details as columns.

    Times are shown in `tz`; a related record that is not set is an empty cell, not "None".
    """
    ordered = newest_first(actions)
    frame = pd.DataFrame([_row(a, lookups, tz) for a in ordered], columns=BASE_COLUMNS,
                         index=pd.Index([a["id"] for a in ordered], name="id", dtype="object"))
    if action_type:
        extra = pd.DataFrame(details_columns(ordered, action_type))
        if not extra.empty:
            clashing = [c for c in extra if c in BASE_COLUMNS]
            extra = extra.set_index("id").drop(columns=clashing, errors="ignore")
            frame = frame.join(extra)
    return blank_missing(frame)


def blank_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with empty cells instead of None/NaN (numeric columns keep their type)."""
    # pandas 3 infers a string dtype for text mixed with None (its missing cells show as "None"),
    # and object for all-None columns: both are text columns here
    text_columns = [c for c in frame.columns
                    if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]
    frame[text_columns] = frame[text_columns].fillna("")
    return frame


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """The rows and columns shown, as UTF-8 CSV (with the action id first, for re-finding a row);
    formula-like text is neutralised (csv_safe)."""
    return safe_csv(frame, index=True)


def record_label(action: Mapping[str, Any], lookups: Lookups, tz: tzinfo = UTC) -> str:
    """"Virus injection · Rat 1 · CA1 — Field CA1 · 2024-05-01 10:30": names one action for people."""
    parts = [type_title(action.get("type")), lookups.name("subject", action.get("subject")),
             lookups.name("brain_region", action.get("brain_region")), when(action.get("date_time"), tz)]
    return " · ".join(p for p in parts if p)


def detail_rows(action: Mapping[str, Any], lookups: Lookups, tz: tzinfo = UTC) -> list[tuple[str, str]]:
    """(label, text) for every field of `action`, related ids shown as names, times in `tz`."""
    return [
        ("Type", type_title(action.get("type"))),
        ("Subject", lookups.name("subject", action.get("subject")) or ""),
        ("Date / time", when(action.get("date_time"), tz)),
        ("Brain region", lookups.name("brain_region", action.get("brain_region")) or ""),
        ("Consumable", lookups.name("consumable", action.get("consumable")) or ""),
        ("Hardware device", lookups.name("hardwaredevice", action.get("hardwaredevice")) or ""),
        ("Coordinates system", system_title(action.get("coordinates_system"))),
        ("Coordinates", coordinates_text(action, sep="\n")),
        ("Details", details_text(action, sep="\n")),
        ("Description", str(action.get("description") or "")),
        ("Id", str(action.get("id") or "")),
    ]


def delete_prompt(action: Mapping[str, Any], lookups: Lookups) -> str:
    """The confirmation question, naming the record so nobody deletes the wrong one."""
    return f"Delete the action “{record_label(action, lookups)}”?"


