"""stemgui.schema_form: the pure schema walk over every bundled schema and synthetic ones, and the
Streamlit renderer through AppTest (tests/apps/schema_form_app.py)."""

from __future__ import annotations

import copy
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stemgui.schema_form import (
    MISSING,
    extra_field_specs,
    field_specs,
    fitted_spec,
    humanize,
    payload_value,
    schema_defaults,
    split_units,
    validate_payload,
    widget_value,
)
from stemgui.schemas import action_types, coordinate_systems, load_schema

APP = str(Path(__file__).parent / "apps" / "schema_form_app.py")
BUNDLED = [("action", name) for name in action_types()] + [
    ("coordinates", name) for name in coordinate_systems()]

SYNTHETIC = {
    "type": "object",
    "title": "Synthetic",
    "properties": {
        "label": {"title": "Label", "type": "string", "format": "text", "maxLength": 20},
        "notes": {"title": "Notes", "type": "string", "format": "textarea", "description": "Free text"},
        "day": {"title": "Day", "type": "string", "format": "date"},
        "when": {"title": "When", "type": "string", "format": "date-time"},
        "scheme": {"title": "Scheme", "type": "string", "enum": ["Gradual", "Pulses"]},
        "volume": {"title": "Volume (nL)", "type": "number", "minimum": 0, "maximum": 1000, "default": "0"},
        "ratio": {"title": "Ratio", "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "count": {"title": "Count", "type": "integer", "minimum": 1, "default": 4},
        "sterile": {"title": "Sterile", "type": "boolean", "default": False},
        "verified": {"title": "Verified", "type": "boolean"},
        "sides": {"title": "Sides", "type": "array", "items": {"type": "string", "enum": ["left", "right"]}},
        "tags": {"title": "Tags", "type": "array", "items": {"type": "string"}},
        "weight": {"title": "Weight", "type": "object", "required": ["value"], "properties": {
            "value": {"type": "number", "minimum": 0},
            "unit": {"type": "string", "enum": ["g", "kg"]}}},
        "either": {"title": "Either", "oneOf": [{"type": "number"}, {"type": "string"}]},
        "maybe": {"title": "Maybe", "type": ["string", "null"]},
        "depth": {"title": "Depth", "brief": "D", "units": "mm", "type": "number"},
    },
    "required": ["label", "count"],
}
SYNTHETIC_KINDS = {
    "label": "text", "notes": "textarea", "day": "date", "when": "datetime", "scheme": "select",
    "volume": "number", "ratio": "number", "count": "integer", "sterile": "boolean",
    "verified": "tristate", "sides": "multiselect", "tags": "lines", "weight": "group",
    "either": "json", "maybe": "json", "depth": "number",
}
SYNTHETIC_VALUE = {
    "label": "probe A", "notes": "line one\nline two", "day": "2024-05-06",
    "when": "2024-05-06T07:08:09+02:00", "scheme": "Pulses", "volume": 250.5, "ratio": 0.25,
    "count": 3, "sterile": True, "verified": False, "sides": ["right", "left"], "tags": ["a", "b c"],
    "weight": {"value": 25, "unit": "g"}, "either": "x", "maybe": None, "depth": -1.25,
}


def complete_value(schema: dict) -> dict:
    """A value for every property of one of the bundled schemas (they use numbers, text, enums)."""
    value = {}
    for number, (name, prop) in enumerate(schema["properties"].items(), start=1):
        if "enum" in prop:
            value[name] = prop["enum"][-1]
        elif prop["type"] == "integer":
            value[name] = number + 1
        elif prop["type"] == "number":
            value[name] = number + 0.25 if number % 2 else number  # ints in number fields stay ints
        else:
            value[name] = f"text {number}"
    return value


def typed(value):
    """`value` with the type of every leaf, so 1 and 1.0 compare different."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


# --- pure functions over the bundled schemas ------------------------------------------------


@pytest.mark.parametrize(("kind", "name"), BUNDLED)
def test_bundled_schema_fields_are_all_drawable_in_order(kind, name):
    schema = load_schema(kind, name)
    specs = field_specs(schema)
    assert [s.name for s in specs] == list(schema["properties"])
    assert all(s.kind in ("text", "number", "integer", "select") for s in specs)
    required = set(schema.get("required", []))
    assert {s.name for s in specs if s.label.endswith(" *")} == required
    assert {s.name for s in specs if s.required} == required


@pytest.mark.parametrize(("kind", "name"), BUNDLED)
def test_bundled_defaults_and_complete_values_validate(kind, name):
    schema = load_schema(kind, name)
    assert validate_payload(schema, schema_defaults(schema)) == {}
    assert validate_payload(schema, complete_value(schema)) == {}


@pytest.mark.parametrize(("kind", "name"), BUNDLED)
def test_bundled_values_survive_the_widget_conversion(kind, name):
    schema = load_schema(kind, name)
    value = complete_value(schema)
    for spec in field_specs(schema):
        shown = widget_value(spec, value[spec.name])
        assert typed(payload_value(spec, shown, value[spec.name])) == typed(value[spec.name])


def test_defaults_are_coerced_to_the_declared_types():
    assert typed(schema_defaults(load_schema("action", "VirusInjection"))) == {
        "injectionVolume": ("float", 0.0)}
    assert typed(schema_defaults(load_schema("action", "TetrodeWireElectrode"))) == {
        "tetrodeCount": ("int", 1), "nWiresTetrode": ("int", 4)}
    assert schema_defaults(load_schema("coordinates", "Stereotaxic_BregmaAbsolute")) == {}


@pytest.mark.parametrize(("payload", "errors"), [
    ({"injectionVolume": 10.0}, {}),
    ({}, {"injectionVolume": "Injection volume (nL) is required."}),
    ({"injectionVolume": -5.0}, {"injectionVolume": "Injection volume (nL) must be at least 0."}),
    ({"injectionVolume": "lots"}, {"injectionVolume": "Injection volume (nL) must be a number."}),
    ({"injectionVolume": 1, "injectionSchema": "Fast"},
     {"injectionSchema": "Injection schema must be one of: Gradual, Pulses, unknown."}),
])
def test_validate_payload_names_the_field_in_words(payload, errors):
    assert validate_payload(load_schema("action", "VirusInjection"), payload) == errors


# --- pure functions over synthetic schemas (each supported keyword) -------------------------


def test_each_keyword_maps_to_its_widget_kind():
    assert {s.name: s.kind for s in field_specs(SYNTHETIC)} == SYNTHETIC_KINDS


def test_labels_mark_required_and_carry_units_and_help():
    specs = {s.name: s for s in field_specs(SYNTHETIC)}
    assert specs["label"].label == "Label *"
    assert specs["count"].label == "Count *"
    assert specs["volume"].label == "Volume (nL)" and specs["volume"].units == "nL"
    assert specs["depth"].label == "Depth (mm)" and specs["depth"].brief == "D"
    assert specs["notes"].help == "Free text"
    assert specs["volume"].help == "Allowed: ≥ 0, ≤ 1000."
    assert specs["ratio"].help == "Allowed: > 0, < 1."
    assert (specs["ratio"].exclusive_minimum, specs["ratio"].exclusive_maximum) == (0, 1)
    assert specs["count"].step == 1 and specs["volume"].step == 0.01
    assert specs["scheme"].options == ("Gradual", "Pulses")
    assert specs["sides"].options == ("left", "right")


@pytest.mark.parametrize(("name", "label"), [
    ("injectionVolume", "Injection volume"), ("unit", "Unit"), ("wire_count", "Wire count"),
    ("nWiresTetrode", "N wires tetrode"), ("x", "X"),
])
def test_untitled_fields_get_a_readable_label(name, label):
    assert humanize(name) == label
    assert field_specs({"properties": {name: {"type": "string"}}})[0].label == label


def test_units_keyword_wins_over_the_title():
    (spec,) = field_specs({"properties": {"x": {"title": "X coordinate (m)", "units": "mm",
                                                "type": "number"}}})
    assert spec.label == "X coordinate (mm)"
    assert split_units("Injection Rate (nL/s)") == ("Injection Rate", "nL/s")
    assert split_units("Wire count") == ("Wire count", None)


def test_nested_value_unit_object():
    weight = {s.name: s for s in field_specs(SYNTHETIC)}["weight"]
    assert [(c.name, c.kind, c.required) for c in weight.children] == [
        ("value", "number", True), ("unit", "select", False)]
    schema = {"properties": {"w": {**SYNTHETIC["properties"]["weight"],
                                   "properties": {"value": {"type": "number", "default": "2"},
                                                  "unit": {"type": "string", "default": "g"}}}}}
    assert typed(schema_defaults(schema)) == {"w": {"value": ("float", 2.0), "unit": ("str", "g")}}


@pytest.mark.parametrize(("payload", "errors"), [
    (SYNTHETIC_VALUE, {}),
    ({**SYNTHETIC_VALUE, "ratio": 1}, {"ratio": "Ratio must be less than 1."}),
    ({**SYNTHETIC_VALUE, "ratio": 0}, {"ratio": "Ratio must be greater than 0."}),
    ({**SYNTHETIC_VALUE, "weight": {"unit": "g"}}, {"weight.value": "Weight value is required."}),
    ({**SYNTHETIC_VALUE, "sides": ["up"]}, {"sides.0": "Sides (item 1) must be one of: left, right."}),
    ({k: v for k, v in SYNTHETIC_VALUE.items() if k != "count"}, {"count": "Count is required."}),
    ({**SYNTHETIC_VALUE, "count": 1.5}, {"count": "Count must be a whole number."}),
])
def test_synthetic_validation_messages(payload, errors):
    assert validate_payload(SYNTHETIC, payload) == errors


def test_draft4_boolean_exclusive_bounds_are_understood():
    schema = {"properties": {"v": {"title": "V", "type": "number", "minimum": 0, "exclusiveMinimum": True}}}
    (spec,) = field_specs(schema)
    assert (spec.minimum, spec.exclusive_minimum) == (None, 0)
    assert validate_payload(schema, {"v": 0}) == {"v": "V must be greater than 0."}
    assert validate_payload(schema, {"v": 0.5}) == {}


@pytest.mark.parametrize("name", list(SYNTHETIC_VALUE))
def test_synthetic_values_survive_the_widget_conversion(name):
    spec = {s.name: s for s in field_specs(SYNTHETIC)}[name]
    value = SYNTHETIC_VALUE[name]
    if spec.kind == "group":
        for child in spec.children:
            shown = widget_value(child, value[child.name])
            assert typed(payload_value(child, shown, value[child.name])) == typed(value[child.name])
        return
    shown = widget_value(spec, value)
    assert typed(payload_value(spec, shown, value)) == typed(value)


@pytest.mark.parametrize(("name", "shown", "expected"), [
    ("volume", 2.0, ("float", 2.0)),
    ("count", 7, ("int", 7)),
    ("day", date(2025, 1, 2), ("str", "2025-01-02")),
    ("when", datetime(2025, 1, 2, 3, 4), ("str", "2025-01-02T03:04:00")),
    ("sides", ["left"], [("str", "left")]),
    ("tags", " a \n\n b ", [("str", "a"), ("str", "b")]),
    ("either", "[1, 2]", [("int", 1), ("int", 2)]),
    ("maybe", "null", ("NoneType", None)),
    ("verified", True, ("bool", True)),
    ("scheme", "Gradual", ("str", "Gradual")),
])
def test_changed_widget_values_become_typed_payload_values(name, shown, expected):
    spec = {s.name: s for s in field_specs(SYNTHETIC)}[name]
    assert typed(payload_value(spec, shown)) == expected


def test_a_changed_time_keeps_the_stored_time_zone():
    spec = {s.name: s for s in field_specs(SYNTHETIC)}["when"]
    changed = payload_value(spec, datetime(2024, 5, 6, 9, 0), "2024-05-06T07:08:09+02:00")
    assert changed == "2024-05-06T09:00:00+02:00"


@pytest.mark.parametrize("shown", [None, "", []])
def test_empty_inputs_are_left_out(shown):
    for spec in field_specs(SYNTHETIC):
        if spec.kind != "group":
            assert payload_value(spec, shown) is MISSING


def test_invalid_json_names_the_field():
    spec = {s.name: s for s in field_specs(SYNTHETIC)}["either"]
    with pytest.raises(ValueError, match="Either is not valid JSON"):
        payload_value(spec, "{oops")


@pytest.mark.parametrize(("name", "stored"), [
    ("volume", "12 nL"), ("count", 2.5), ("scheme", "Fast"), ("day", "yesterday"),
    ("sides", ["up"]), ("tags", ["two\nlines"]), ("weight", 25), ("label", None),
])
def test_stored_values_that_do_not_fit_their_widget_fall_back_to_json(name, stored):
    spec = fitted_spec({s.name: s for s in field_specs(SYNTHETIC)}[name], stored)
    assert spec.kind == "json"
    assert payload_value(spec, widget_value(spec, stored), stored) == stored


def test_malformed_properties_and_unknown_keys_become_json_inputs():
    schema = {"properties": {"odd": True, "nothing": {}, "bag": {"type": "object"}}}
    assert [s.kind for s in field_specs(schema)] == ["json", "json", "json"]
    extra = extra_field_specs(SYNTHETIC, {"label": "x", "legacy": 1})
    assert [(s.name, s.kind) for s in extra] == [("legacy", "json")]


# --- the Streamlit renderer (AppTest) -------------------------------------------------------


def run_form(schema: dict, form_key: str, value: dict | None = None, at: AppTest | None = None) -> AppTest:
    """Run the harness app once with `schema` drawn under `form_key`."""
    at = at or AppTest.from_file(APP, default_timeout=30)
    at.session_state["schema"] = schema
    at.session_state["form_key"] = form_key
    at.session_state["value"] = value
    at.run()
    assert not at.exception, at.exception
    return at


ALL_SCHEMAS = [load_schema(kind, name) for kind, name in BUNDLED]
ALL_VALUES = [complete_value(schema) for schema in ALL_SCHEMAS]


@pytest.mark.parametrize(("schema", "value"), list(zip(ALL_SCHEMAS, ALL_VALUES, strict=True))
                         + [(SYNTHETIC, SYNTHETIC_VALUE)], ids=[n for _, n in BUNDLED] + ["synthetic"])
def test_render_round_trips_a_complete_value(schema, value):
    at = run_form(schema, "form", copy.deepcopy(value))
    assert typed(at.session_state["payload"]) == typed(value)
    at.run()  # a second run (widgets now own the state) must give the same
    assert typed(at.session_state["payload"]) == typed(value)


@pytest.mark.parametrize(("kind", "name"), BUNDLED)
def test_render_prefills_defaults_and_leaves_optional_fields_out(kind, name):
    schema = load_schema(kind, name)
    at = run_form(schema, f"f.{name}")
    assert typed(at.session_state["payload"]) == typed(schema_defaults(schema))
    for spec in field_specs(schema):
        if spec.kind in ("number", "integer") and spec.default is None:
            assert at.number_input(key=f"f.{name}.{spec.name}").value is None


def test_render_draws_each_kind_with_its_key_and_label():
    at = run_form(SYNTHETIC, "syn")
    assert at.text_input(key="syn.label").label == "Label *"
    assert at.text_area(key="syn.notes").value == ""
    assert at.date_input(key="syn.day").value is None
    assert at.datetime_input(key="syn.when").value is None
    assert at.selectbox(key="syn.scheme").options == ["Gradual", "Pulses"]
    assert at.number_input(key="syn.volume").value == 0.0
    assert at.number_input(key="syn.count").value == 4
    assert at.checkbox(key="syn.sterile").value is False
    assert at.selectbox(key="syn.verified").value is None
    assert at.multiselect(key="syn.sides").value == []
    assert at.number_input(key="syn.weight.value").label == "Weight"
    assert at.selectbox(key="syn.weight.unit").value is None
    assert at.selectbox(key="syn.weight.unit").label == "Unit"
    assert at.text_area(key="syn.either").value == ""
    assert typed(at.session_state["payload"]) == typed(
        {"volume": 0.0, "count": 4, "sterile": False})


def test_an_empty_value_prefills_the_defaults():
    virus = load_schema("action", "VirusInjection")
    at = run_form(virus, "d", {})
    assert typed(at.session_state["payload"]) == typed({"injectionVolume": 0.0})


def test_render_returns_what_the_user_typed_with_declared_types():
    at = run_form(SYNTHETIC, "syn")
    at.text_input(key="syn.label").input("probe B")
    at.number_input(key="syn.volume").set_value(12.5)
    at.number_input(key="syn.count").set_value(2)
    at.number_input(key="syn.weight.value").set_value(30.0)
    at.selectbox(key="syn.weight.unit").set_value("kg")
    at.multiselect(key="syn.sides").set_value(["left"])
    at.text_area(key="syn.tags").input("x\ny")
    at.date_input(key="syn.day").set_value(date(2025, 3, 4))
    at.selectbox(key="syn.verified").set_value(True)
    at.checkbox(key="syn.sterile").check()
    at.text_area(key="syn.either").input("3")
    at.run()
    assert typed(at.session_state["payload"]) == typed({
        "label": "probe B", "day": "2025-03-04", "volume": 12.5, "count": 2, "sterile": True,
        "verified": True, "sides": ["left"], "tags": ["x", "y"], "weight": {"value": 30.0, "unit": "kg"},
        "either": 3})


def test_values_survive_switching_schema_away_and_back():
    virus, fiber = load_schema("action", "VirusInjection"), load_schema("action", "OpticFiberImplant")
    at = run_form(virus, "d.VirusInjection")
    at.number_input(key="d.VirusInjection.injectionRate").set_value(2.5)
    at.selectbox(key="d.VirusInjection.injectionSchema").set_value("Pulses").run()
    typed_in = {"injectionVolume": 0.0, "injectionRate": 2.5, "injectionSchema": "Pulses"}
    assert at.session_state["payload"] == typed_in
    run_form(fiber, "d.OpticFiberImplant", at=at)
    at.text_input(key="d.OpticFiberImplant.fiberTipShape").input("tapered").run()
    assert at.session_state["payload"] == {"fiberTipShape": "tapered"}
    run_form(fiber, "d.OpticFiberImplant", at=at)  # a second run without the other type drawn
    run_form(virus, "d.VirusInjection", at=at)
    assert typed(at.session_state["payload"]) == typed(typed_in)
    run_form(fiber, "d.OpticFiberImplant", at=at)
    assert at.session_state["payload"] == {"fiberTipShape": "tapered"}


def test_a_new_value_refills_the_inputs():
    virus = load_schema("action", "VirusInjection")
    at = run_form(virus, "d", {"injectionVolume": 5})
    at.number_input(key="d.injectionVolume").set_value(7.0).run()
    assert at.session_state["payload"] == {"injectionVolume": 7.0}
    run_form(virus, "d", {"injectionVolume": 5}, at=at)  # same value passed again: typing kept
    assert at.session_state["payload"] == {"injectionVolume": 7.0}
    run_form(virus, "d", {"injectionVolume": 9, "injectionRate": 1.5}, at=at)
    assert typed(at.session_state["payload"]) == typed({"injectionVolume": 9, "injectionRate": 1.5})


def test_invalid_json_is_shown_and_reported_not_sent():
    at = run_form(SYNTHETIC, "syn")
    at.text_area(key="syn.either").input("{oops").run()
    assert "either" not in at.session_state["payload"]
    assert at.session_state["input_errors"] == {"either": at.error[0].value}
    assert at.error[0].value.startswith("Either is not valid JSON")


def test_given_errors_are_shown_under_their_fields_and_values_kept():
    virus = load_schema("action", "VirusInjection")
    at = run_form(virus, "d", {"injectionVolume": -5.0})
    errors = validate_payload(virus, at.session_state["payload"])
    at.session_state["errors"] = errors
    at.run()
    assert [e.value for e in at.error] == ["Injection volume (nL) must be at least 0."]
    assert at.number_input(key="d.injectionVolume").value == -5.0


def test_unknown_stored_keys_are_shown_and_kept():
    virus = load_schema("action", "VirusInjection")
    at = run_form(virus, "d", {"injectionVolume": 1.0, "legacyNote": {"a": 1}})
    assert at.text_area(key="d.legacyNote").value == '{"a": 1}'
    assert at.session_state["payload"] == {"injectionVolume": 1.0, "legacyNote": {"a": 1}}


ODD_PROPERTIES = {
    "numeric enum": {"type": "integer", "enum": [1, 2, 4]},
    "boolean enum": {"type": "boolean", "enum": [True]},
    "step": {"type": "number", "multipleOf": 0.5, "minimum": 10, "maximum": 1},
    "zero step": {"type": "integer", "multipleOf": 0},
    "array of objects": {"type": "array", "items": {"type": "object",
                                                    "properties": {"a": {"type": "string"}}}},
    "tuple items": {"type": "array", "items": [{"type": "string"}]},
    "array of numbers": {"type": "array", "items": {"type": "number"}},
    "pattern": {"type": "string", "pattern": "^[A-Z]+$", "minLength": 2},
    "bad default": {"type": "number", "default": "lots"},
    "empty enum": {"type": "string", "enum": []},
    "bare object": {"type": "object"},
    "null": {"type": "null"},
    "ref": {"$ref": "#/definitions/x"},
    "not a dict": "string",
    "deep": {"type": "object", "properties": {"inner": {"type": "object", "properties": {
        "x": {"type": "number"}, "y": {"type": "number"}, "z": {"type": "number"},
        "t": {"type": "number"}, "u": {"type": "number"}}}}},
}


@pytest.mark.parametrize("name", list(ODD_PROPERTIES))
def test_odd_properties_render_without_a_crash(name):
    schema = {"type": "object", "properties": {name: ODD_PROPERTIES[name]}, "required": [name, {"bad": 1}]}
    at = run_form(schema, "odd")
    assert isinstance(at.session_state["payload"], dict)


def test_clear_forgets_what_was_typed():
    virus = load_schema("action", "VirusInjection")
    at = run_form(virus, "d")
    at.number_input(key="d.injectionRate").set_value(4.0).run()
    assert at.session_state["payload"] == {"injectionVolume": 0.0, "injectionRate": 4.0}
    at.session_state["clear"] = True
    run_form(virus, "d", at=at)
    assert at.session_state["payload"] == {"injectionVolume": 0.0}


def test_whitespace_only_text_counts_as_empty():
    at = run_form(SYNTHETIC, "syn")
    at.text_input(key="syn.label").input("   ").run()
    assert "label" not in at.session_state["payload"]


def test_the_pure_modules_do_not_import_streamlit():
    code = ("import sys, stemgui.schema_form, stemgui.actions; "
            "sys.exit('streamlit' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent).returncode == 0


def test_missing_required_names_emptied_required_inputs_without_filling_defaults():
    """Issue 10 item 2: a required input left empty is an error at its field, even when the schema
    has a default the server would fill in ("count" defaults to 4 here, "volume" to "0")."""
    from stemgui.schema_form import missing_required

    assert missing_required(SYNTHETIC, {"label": "x", "weight": {"unit": "g"}}) == {
        "count": "Count is required: enter a value.", "weight.value": "Value is required: enter a value."}
    assert missing_required(SYNTHETIC, {"label": "x", "count": 4, "weight": {"value": 1.0}}) == {}
    assert set(missing_required(load_schema("action", "VirusInjection"), {})) == {"injectionVolume"}


ODD_VALUES = [10**4000, -(2**53) - 1, float("nan"), float("inf"), "12", [1, 2], {"a": 1}, None, True]


@pytest.mark.parametrize("stored", ODD_VALUES, ids=repr)
def test_an_odd_stored_number_is_shown_as_text_with_a_warning_and_kept(stored):
    """Issue 9 item 12 (GUI half): a 4,000-digit integer raised OverflowError while drawing the
    form; any stored value that does not fit a number input (beyond ±2^53, NaN, text, a list,
    null, a boolean) is shown as JSON text under a warning, and comes back unchanged."""
    from stemgui.schema_form import misfit

    schema = {"type": "object", "properties": {"ap": {"title": "AP (mm)", "type": "number"},
                                                "n": {"title": "Count", "type": "integer"}}}
    spec = field_specs(schema)[0]
    assert misfit(spec, stored)
    at = run_form(schema, "form", value={"ap": stored, "n": 3})
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and warnings[0].startswith("AP (mm): the stored value is ")
    assert at.text_area(key="form.ap").value  # shown as text
    payload = at.session_state["payload"]
    assert payload["n"] == 3
    assert payload["ap"] is stored or payload["ap"] == stored  # `is`: NaN is kept, and NaN != NaN


@pytest.mark.parametrize("stored", [2**53, -1.5e300, 0, 7])
def test_numbers_a_number_input_can_hold_are_not_flagged(stored):
    from stemgui.schema_form import misfit

    spec = field_specs({"type": "object", "properties": {"ap": {"type": "number"}}})[0]
    assert misfit(spec, stored) is None
