"""Issue 12 (GUI item 3): `{value, unit}` quantities in the form — the pure field specs and payloads,
and the Streamlit inputs (a number beside a unit select) through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stemgui.schema_form import (
    MISSING,
    field_specs,
    fitted_spec,
    missing_required,
    payload_value,
    widget_value,
)
from stemgui.schemas import load_schema, schema_names
from stemgui.schemas.quantities import check, is_quantity
from stemgui.unit_steps import DEFAULT_STEP, UNIT_STEPS, unit_step

APP = str(Path(__file__).resolve().parents[1] / "apps" / "schema_form_app.py")
VIRUS = load_schema("procedure", "VirusInjection")


def spec_of(schema: dict, name: str):
    return next(spec for spec in field_specs(schema) if spec.name == name)


def test_quantity_property_is_a_quantity_spec_with_the_schemas_units():
    """Issue 12 GUI item 3: units = the schema's enum, default unit = the documented one."""
    volume = spec_of(VIRUS, "injectionVolume")
    assert volume.kind == "quantity"
    assert volume.unit_options == ("nL", "µL", "mL", "L")
    assert volume.default_unit == "nL" and volume.step == 10
    assert volume.label == "Injection volume"
    rate = spec_of(VIRUS, "injectionRate")
    assert (rate.default_unit, rate.step) == ("nL/min", 10)
    ccf = field_specs(load_schema("coordinates_current", "CCF_XYZ_Absolute"))
    assert [(s.name, s.default_unit) for s in ccf] == [
        ("x", "mm"), ("xAngle", "°"), ("y", "mm"), ("yAngle", "°"), ("z", "mm"), ("zAngle", "°")]


def test_every_shipped_quantity_becomes_a_quantity_spec():
    for kind in ("procedure", "coordinates_current"):
        for name in schema_names(kind):
            schema = load_schema(kind, name)
            for spec in field_specs(schema):
                prop = schema["properties"][spec.name]
                assert (spec.kind == "quantity") == is_quantity(prop), (name, spec.name)
                if spec.kind == "quantity":
                    assert spec.default_unit in spec.unit_options


def test_payload_is_value_and_unit():
    """Issue 12 GUI item 3: payload building produces {"value": x, "unit": u}."""
    volume = spec_of(VIRUS, "injectionVolume")
    assert payload_value(volume, (0.3, "µL")) == {"value": 0.3, "unit": "µL"}
    assert payload_value(volume, (300, None)) == {"value": 300.0, "unit": "nL"}
    payload = {"injectionVolume": payload_value(volume, (0.3, "µL"))}
    assert check(VIRUS, payload)[1] == {}


def test_a_unit_without_a_value_is_missing_not_a_null_value():
    """Issue 12 GUI item 3: a missing value with a unit is "missing", never {value: None}."""
    volume = spec_of(VIRUS, "injectionVolume")
    assert payload_value(volume, (None, "µL")) is MISSING
    # also when the form started from the schema default {"unit": "nL"}
    assert payload_value(volume, (None, "nL"), {"unit": "nL"}) is MISSING
    schema = {**VIRUS, "required": ["injectionVolume"]}
    assert missing_required(schema, {}) == {
        "injectionVolume": "Injection volume is required: enter a value."}


def test_stored_quantities_fill_the_inputs():
    volume = spec_of(VIRUS, "injectionVolume")
    assert widget_value(volume, MISSING) == (None, "nL")
    assert widget_value(volume, {"value": 2, "unit": "µL"}) == (2.0, "µL")
    assert widget_value(volume, {"unit": "mL"}) == (None, "mL")
    assert widget_value(volume, 300) == (300.0, "nL")  # the docs' bare numbers: the default unit
    stored = {"value": 2, "unit": "µL"}  # unchanged: the stored object itself (2 stays an int)
    assert payload_value(volume, (2.0, "µL"), stored) == stored
    assert isinstance(payload_value(volume, (2.0, "µL"), stored)["value"], int)


@pytest.mark.parametrize("stored", [{"value": "lots", "unit": "nL"}, {"value": 1, "unit": "gallon"},
                                    {"value": 1, "unit": "nL", "sd": 2}, "300 nL", [1, "nL"]])
def test_a_stored_quantity_that_does_not_fit_is_shown_as_json(stored):
    volume = spec_of(VIRUS, "injectionVolume")
    assert fitted_spec(volume, stored).kind == "json"


@pytest.mark.parametrize(("unit", "step"), [("mm", 0.05), ("µm", 10), ("µL", 0.05), ("nL", 10),
                                            ("nL/min", 10), ("°", 1), ("vg/mL", 1e11)])
def test_step_per_unit(unit, step):
    assert unit_step(unit) == step


def test_every_shipped_unit_has_a_step():
    for kind in ("procedure", "coordinates_current"):
        for name in schema_names(kind):
            for spec in field_specs(load_schema(kind, name)):
                assert all(u in UNIT_STEPS for u in spec.unit_options), (name, spec.name)
    assert unit_step("furlong") == unit_step(None) == DEFAULT_STEP


# --- the Streamlit inputs (AppTest) ------------------------------------------------------------


def run_form(schema: dict, value: dict | None = None, at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(APP, default_timeout=30)
    at.session_state["schema"] = schema
    at.session_state["form_key"] = "proc"
    at.session_state["value"] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_quantity_drawn_as_number_beside_unit_select():
    """Issue 12 GUI item 3: a number input and a unit selectbox side by side, the unit starting at
    the schema's; typing a value gives {value, unit}; changing the unit changes the step."""
    at = run_form(VIRUS)
    number = at.number_input(key="proc.injectionVolume.value")
    unit = at.selectbox(key="proc.injectionVolume.unit")
    assert number.label == "Injection volume" and number.value is None and number.step == 10
    assert unit.value == "nL" and unit.options == ["nL", "µL", "mL", "L"]
    assert at.session_state["payload"] == {}  # units alone are no values
    number.set_value(300).run()
    assert at.session_state["payload"] == {"injectionVolume": {"value": 300.0, "unit": "nL"}}
    at.selectbox(key="proc.injectionVolume.unit").set_value("µL").run()
    number = at.number_input(key="proc.injectionVolume.value")
    assert number.step == 0.05
    assert at.session_state["payload"] == {"injectionVolume": {"value": 300.0, "unit": "µL"}}
    at.number_input(key="proc.injectionRate.value").set_value(50).run()
    assert at.session_state["payload"]["injectionRate"] == {"value": 50.0, "unit": "nL/min"}


def test_stored_record_prefills_value_and_unit():
    stored = {"injectionVolume": {"value": 0.5, "unit": "µL"},
              "injectionRate": {"value": 100, "unit": "nL/min"}}
    at = run_form(VIRUS, stored)
    assert at.number_input(key="proc.injectionVolume.value").value == 0.5
    assert at.selectbox(key="proc.injectionVolume.unit").value == "µL"
    assert at.session_state["payload"] == stored  # untouched: exactly what was stored


def test_ccf_coordinates_in_micrometres():
    ccf = load_schema("coordinates_current", "CCF_XYZ_Absolute")
    at = run_form(ccf)
    at.selectbox(key="proc.z.unit").set_value("µm").run()
    assert at.number_input(key="proc.z.value").step == 10
    at.number_input(key="proc.z.value").set_value(5200).run()
    assert at.session_state["payload"] == {"z": {"value": 5200.0, "unit": "µm"}}


def test_axis_titles_read_in_capitals():
    """Today's schemas title the axes "Ap coordinate"; the form and the table say "AP coordinate"."""
    stereotaxic = field_specs(load_schema("coordinates_current", "Stereotaxic_BregmaAbsolute"))
    assert [s.label for s in stereotaxic] == ["AP angle", "AP coordinate", "DV angle", "DV coordinate",
                                              "ML angle", "ML coordinate"]
    assert spec_of(VIRUS, "injectionProfile").label == "Injection profile"  # other words unchanged


@pytest.mark.parametrize("procedure_type", list(schema_names("procedure")))
def test_every_procedure_type_draws_and_returns_its_example_untouched(procedure_type):
    """Issue 12 GUI item 3: each of the 43 types' forms draws without error from a complete example
    (quantities in their units) and gives back exactly the stored details when left untouched."""
    from stemgui.server.procedure_examples import example_details

    schema = load_schema("procedure", procedure_type)
    stored, _ = check(schema, example_details(procedure_type))
    at = run_form(schema, stored)
    assert at.session_state["payload"] == stored
    assert not at.error


def test_stored_quantity_in_a_unit_not_offered_is_shown_as_text_and_kept():
    """A stored {value, unit} our select cannot show: text under a warning, kept as stored."""
    stored = {"injectionVolume": {"value": 1, "unit": "gallon"}}
    at = run_form(VIRUS, stored)
    assert "gallon" in at.warning[0].value and "shown as text" in at.warning[0].value
    assert at.session_state["payload"] == stored
