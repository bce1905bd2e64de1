"""Issue 11 item "rules once": one translator of validation errors, draft-4 bounds read once,
validation never mutates, schema defaults applied in exactly one place."""

from __future__ import annotations

import ast
import uuid

import pytest

from stemgui import schema_form, session_form
from stemgui.models import LONG_NAME_MAX, ActionCreate, validate_record
from stemgui.schemas import draft7_bounds, stored_payload, validate_payload
from tests.test_import_cycles import PACKAGE_ROOT

PROJECT = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name_used_in_storage", "x" * (LONG_NAME_MAX + 1)),
        ("tags", "not a list"),
        ("extra_fields", {"bad key!": 1}),
        ("date_time", "yesterday"),
    ],
)
def test_the_session_form_words_an_error_as_the_server_does(field, value):
    """Issue 11: the GUI's session form and the server word one pydantic error alike (before, the
    form showed pydantic's own text, e.g. "String should have at most 200 characters")."""
    payload = {"name": "s1", "projects": [PROJECT], field: value}
    record, server = validate_record("session", payload)
    assert record is None and field in server
    assert session_form.model_errors(payload)[field] == " ".join(server[field])


def test_validation_does_not_change_the_record_it_checks():
    """Issue 11: ``schema_check`` returns the payloads as stored and leaves the record alone (the
    old ``schema_errors`` filled schema defaults into the record it was checking)."""
    action = ActionCreate.model_validate({
        "type": "SingleWireElectrode", "subject": str(uuid.uuid4()), "details": {"wireCount": 2},
        "coordinates_system": "Stereotaxic_BregmaAbsolute", "coordinates_details": {},
    })  # fmt: skip
    before = action.model_dump()
    stored, errors = action.schema_check()
    assert errors == {} and action.model_dump() == before
    assert stored["details"] == {"wireCount": 2}
    record, errors = validate_record("action", {**before, "details": {}})
    assert errors == {} and record.details == {"wireCount": 1}  # the default, applied by validate_record


def test_stored_payload_fills_defaults_into_a_copy():
    """Issue 11: the one place schema defaults are applied never changes what it is given."""
    schema = {"type": "object", "properties": {"n": {"type": "integer", "default": 4}}, "required": ["n"]}
    given: dict = {}
    assert stored_payload(schema, given) == ({"n": 4}, {}) and given == {}


def test_schema_defaults_are_applied_in_one_place():
    """Issue 11: before, models.py, outbox_match.py and schemas/quantities.py each called
    ``apply_defaults``; now only ``schemas.stored_payload`` does."""
    callers = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "apply_defaults", "_registry_apply_defaults"
            ):  # fmt: skip
                callers.append(str(path.relative_to(PACKAGE_ROOT)))
    assert callers == ["schemas/__init__.py"]


@pytest.mark.parametrize(
    ("prop", "bounds"),
    [
        ({"minimum": 0, "exclusiveMinimum": True}, (None, None, 0, None)),
        ({"minimum": 0, "exclusiveMinimum": False}, (0, None, None, None)),
        ({"maximum": 10, "exclusiveMaximum": True}, (None, None, None, 10)),
        ({"exclusiveMinimum": True}, (None, None, None, None)),
        ({"exclusiveMinimum": 1, "maximum": 5}, (None, 5, 1, None)),
    ],
)
def test_draft4_exclusive_bounds_are_read_once_for_form_and_validation(prop, bounds):
    """Issue 11: the form's bounds are the validator's (both read through ``draft7_bounds``)."""
    minimum, maximum, exclusive_minimum, exclusive_maximum = bounds
    assert schema_form._bounds(prop) == {
        "minimum": minimum, "maximum": maximum,
        "exclusive_minimum": exclusive_minimum, "exclusive_maximum": exclusive_maximum,
    }  # fmt: skip
    schema = {"type": "object", "properties": {"x": {"type": "number", **prop}}}
    normal = draft7_bounds(schema)["properties"]["x"]
    assert {k: v for k, v in normal.items() if k != "type"} == {
        key: value for key, value in (("minimum", minimum), ("maximum", maximum),
                                      ("exclusiveMinimum", exclusive_minimum),
                                      ("exclusiveMaximum", exclusive_maximum)) if value is not None
    }  # fmt: skip
    if exclusive_minimum is not None:
        assert "x" in validate_payload(schema, {"x": exclusive_minimum})
