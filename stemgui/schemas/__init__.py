"""The JSON Schemas of ``details`` and ``coordinates_details``: one file per type / system.

This package is the single source read by the bundled server (to validate) and by the GUI
(to draw forms). Two generations of BrainSTEM live side by side (``GENERATIONS``): the seed's
actions (``action/`` + ``coordinates/``) and today's procedures (``procedure/`` +
``coordinates_current/``, each schema with its ``"version"``); today's subject logs have their
entries' ``details`` in ``subjectlog/`` (one file per log type). Adding a type is adding a file;
another version of a type is a file named ``<Type>@<version>.json``. Nothing here imports Streamlit.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft7Validator

SCHEMA_DIR = Path(__file__).parent
SchemaKind = Literal["action", "coordinates", "procedure", "coordinates_current", "subjectlog"]


@dataclass(frozen=True)
class Generation:
    """One generation of BrainSTEM's surgical records: the model and its two schema sets."""

    model: str  # "action" (the seed's modules/action) or "procedure" (today's modules/procedure)
    types: SchemaKind  # the schemas of ``details``, one per ``type``
    coordinates: SchemaKind  # the schemas of ``coordinates_details``, one per ``coordinates_system``


GENERATIONS: dict[str, Generation] = {
    "action": Generation("action", "action", "coordinates"),
    "procedure": Generation("procedure", "procedure", "coordinates_current"),
}


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in version.split("."))


@cache
def _versions(kind: SchemaKind) -> dict[str, dict[str, dict]]:
    """Type name -> version -> schema; a file ``Name@1.0.0.json`` is an older version of ``Name``."""
    found: dict[str, dict[str, dict]] = {}
    for path in sorted((SCHEMA_DIR / kind).glob("*.json")):
        name, _, tag = path.stem.partition("@")
        schema = json.loads(path.read_text("utf-8"))
        found.setdefault(name, {})[str(schema.get("version") or tag)] = schema
    return found


@cache
def _schemas(kind: SchemaKind) -> dict[str, dict]:
    """Type name -> its newest schema."""
    return {name: versions[latest_version(kind, name)] for name, versions in _versions(kind).items()}


def schema_names(kind: SchemaKind) -> dict[str, str]:
    """Type (or system) name -> human title, in name order."""
    return {name: schema.get("title", name) for name, schema in _schemas(kind).items()}


def schema_versions(kind: SchemaKind, name: str) -> list[str]:
    """The versions of one type's schema this app ships, oldest first; [] for an unknown type."""
    return sorted(_versions(kind).get(name, {}), key=_version_key)


def latest_version(kind: SchemaKind, name: str) -> str:
    """The newest shipped version of one type's schema; KeyError if the type is unknown."""
    versions = schema_versions(kind, name)
    if not versions:
        raise KeyError(name)
    return versions[-1]


def load_versioned(kind: SchemaKind, name: str, version: str | None = None) -> dict:
    """A deep copy of one version of a schema (the newest when ``version`` is None); KeyError if absent."""
    version = latest_version(kind, name) if version is None else version
    return copy.deepcopy(_versions(kind)[name][version])


def load_schema(kind: SchemaKind, name: str) -> dict:
    """A deep copy of one schema; KeyError if ``name`` is not a known type/system."""
    return copy.deepcopy(_schemas(kind)[name])


def action_types() -> dict[str, str]:
    """Action type name -> human title, in name order."""
    return {name: schema.get("title", name) for name, schema in _schemas("action").items()}


def coordinate_systems() -> dict[str, str]:
    """Coordinates system name -> human title, in name order."""
    return {name: schema.get("title", name) for name, schema in _schemas("coordinates").items()}


def _coerce(value: Any, declared: Any) -> Any:
    """Coerce a schema default to its declared type (the spec has a number defaulting to "0")."""
    types = declared if isinstance(declared, list) else [declared]
    if isinstance(value, str) and ("number" in types or "integer" in types) and "string" not in types:
        try:
            number = float(value)
        except ValueError:
            return value
        if "integer" in types and number.is_integer():
            return int(number)
        return number
    if "integer" in types and isinstance(value, float) and value.is_integer():
        return int(value)
    if "boolean" in types and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def property_default(prop: dict) -> Any:
    """The default of one property schema coerced to its type, or None when it has none."""
    if "default" in prop:
        return _coerce(copy.deepcopy(prop["default"]), prop.get("type"))
    if prop.get("type") == "object" and isinstance(prop.get("properties"), dict):
        nested = schema_defaults(prop)
        return nested or None
    return None


def schema_defaults(schema: dict) -> dict:
    """The defaults of an object schema's properties, coerced to the declared types."""
    defaults: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        value = property_default(prop)
        if value is not None:
            defaults[name] = value
    return defaults


def apply_defaults(schema: dict, payload: dict) -> dict:
    """``payload`` with every omitted property that has a default filled in (a new dict); called
    by ``stored_payload`` only: use that."""
    return {**schema_defaults(schema), **payload}


def stored_payload(schema: dict, payload: Any) -> tuple[Any, dict[str, str]]:
    """(``payload`` as the server stores it, {field path: message}): the one place schema defaults
    are applied (to a new dict; ``payload`` is not changed), then the result is validated."""
    if not isinstance(payload, dict):
        return payload, validate_payload(schema, payload)
    filled = apply_defaults(schema, payload)
    return filled, validate_payload(schema, filled)


def _label(schema: dict, path: list[str | int]) -> str:
    """The human title of the property at ``path``, else its name (qualified by its parent's)."""
    node: Any = schema
    titles: list[str | None] = []
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {}) if isinstance(node, dict) else {}
        else:
            node = (node.get("properties") or {}).get(part, {}) if isinstance(node, dict) else {}
        titles.append(node.get("title") if isinstance(node, dict) else None)
    if not path:
        return "value"
    if titles[-1]:
        return titles[-1]
    parent = _label(schema, path[:-1]) if len(path) > 1 else None
    if isinstance(path[-1], int):
        return f"{parent or 'list'} (item {path[-1] + 1})"
    return f"{parent} {path[-1]}" if parent else str(path[-1])


_TYPE_WORDS = {
    "number": "a number",
    "integer": "a whole number",
    "string": "text",
    "boolean": "true or false",
    "object": "a group of fields",
    "array": "a list",
    "null": "empty",
}


def _message(error, schema: dict) -> tuple[str, str]:
    """(field path, message a person understands) for one jsonschema error."""
    path = [p for p in error.absolute_path]
    keyword = error.validator
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "field"
        path = path + [missing]
        return ".".join(map(str, path)), f"{_label(schema, path)} is required."
    label = _label(schema, path)
    field = ".".join(map(str, path)) or "__all__"
    value = error.validator_value
    if keyword == "type":
        wanted = value if isinstance(value, list) else [value]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted)
        return field, f"{label} must be {words}."
    if keyword == "minimum":
        return field, f"{label} must be at least {value}."
    if keyword == "maximum":
        return field, f"{label} must be at most {value}."
    if keyword == "exclusiveMinimum":
        return field, f"{label} must be greater than {value}."
    if keyword == "exclusiveMaximum":
        return field, f"{label} must be less than {value}."
    if keyword == "enum":
        choices = ", ".join(map(str, value))
        return field, f"{label} must be one of: {choices}."
    if keyword == "maxLength":
        return field, f"{label} must be at most {value} characters."
    if keyword == "minLength":
        return field, f"{label} must be at least {value} characters."
    if keyword == "additionalProperties":
        return field, f"{label}: unexpected field(s) — {error.message}"
    return field, f"{label}: {error.message}"


def _non_finite_paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Paths of NaN/Infinity numbers, which JSON cannot carry and jsonschema accepts."""
    if isinstance(value, float) and not math.isfinite(value):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _non_finite_paths(v, path + (k,))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite_paths(v, path + (i,))]
    return []


def draft7_bounds(schema: Any) -> Any:
    """``schema`` with draft-4 boolean ``exclusiveMinimum``/``exclusiveMaximum`` made numeric (draft 7):
    the one reading of those flags, for validation and for the form's bounds alike."""
    if isinstance(schema, list):
        return [draft7_bounds(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: draft7_bounds(value) for key, value in schema.items()}
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(flag), bool):
            if out[flag] and bound in out:
                out[flag] = out.pop(bound)
            else:
                del out[flag]
    return out


def validate_payload(schema: dict, payload: Any) -> dict[str, str]:
    """Field path -> a message a person understands; empty when ``payload`` is valid."""
    if not isinstance(payload, dict):
        return {"__all__": "Expected a group of fields (a JSON object)."}
    errors: dict[str, str] = {}
    for path in _non_finite_paths(payload):
        field = ".".join(map(str, path))
        errors[field] = f"{_label(schema, list(path))} must be a finite number."
    validator = Draft7Validator(draft7_bounds(schema))
    for error in sorted(validator.iter_errors(payload), key=lambda e: list(map(str, e.absolute_path))):
        field, message = _message(error, schema)
        errors.setdefault(field, message)
    return errors
