"""stemgui.actions: coordinate conventions, mirroring, starting values, detail columns."""

from __future__ import annotations

import pytest

from stemgui.actions import (
    COORDINATE_CONVENTIONS,
    coordinate_convention,
    details_columns,
    dv_plausibility,
    mirror_action,
    mirror_coordinates,
    starting_values,
)
from stemgui.schemas import coordinate_systems, load_schema

INJECTION = {
    "id": "a2", "type": "VirusInjection", "subject": "s1", "date_time": "2026-11-22T10:30:00",
    "brain_region": "r1", "consumable": "c1", "hardwaredevice": None, "description": "left side",
    "details": {"injectionVolume": 300.0, "injectionRate": 1, "injectionSchema": "Pulses"},
    "coordinates_system": "Stereotaxic_BregmaAbsolute",
    "coordinates_details": {"apCoordinate": -2.0, "mlCoordinate": 1.5, "dvCoordinate": -1.25,
                            "mlAngle": 10.0, "dvAngle": 5.0},
}
FIBER = {
    "id": "a1", "type": "OpticFiberImplant", "subject": "s1", "date_time": "2026-11-22T09:05:00",
    "brain_region": "r2", "consumable": None, "hardwaredevice": "h1", "description": "",
    "details": {"fiberTipShape": "flat"},
    "coordinates_system": "External_XYZ_Absolute",
    "coordinates_details": {"x": 1, "y": 2, "xAngle": 10, "zAngle": 3},
}
OTHER_SUBJECT = {**INJECTION, "id": "a3", "subject": "s2", "date_time": "2026-11-22T11:00:00"}
LABELS = {"r1": "CA1 (Field CA1)", "r2": "VTA (Ventral tegmental area)", "c1": "AAV5-hSyn-GFP",
          "h1": "Fiber 200 µm"}


@pytest.mark.parametrize("system", list(coordinate_systems()))
def test_every_system_has_a_convention_naming_origin_signs_and_units(system):
    text = coordinate_convention(system)
    assert text == COORDINATE_CONVENTIONS[system]
    assert "Origin" in text and "mm" in text and "+ right" in text
    # Issue 10 item 14: stated as a fact, not as a note to developers
    assert "confirm" not in text.lower() and "lab's convention" not in text
    names = set(load_schema("coordinates", system)["properties"])
    if "mlCoordinate" in names:
        assert ("bregma" in text) != ("lambda" in text)
    if "depth" in names:
        assert "brain surface" in text and "positive = deeper" in text


@pytest.mark.parametrize("system", [s for s in coordinate_systems() if s != "External_XYZ_Absolute"])
def test_the_dv_sign_setting_changes_the_stated_convention(system):
    """Issue 10 item 14: "DV − ventral" by default; a lab that records DV positive ventral sets
    STEMGUI_DV_SIGN=positive-ventral and reads "+ ventral"."""
    default = coordinate_convention(system)
    assert "DV **− ventral** (below the skull surface), + dorsal" in default
    flipped = coordinate_convention(system, "positive-ventral")
    assert "DV **+ ventral** (below the skull surface), − dorsal" in flipped
    assert "− ventral" not in flipped
    assert coordinate_convention(system, "nonsense") == default


@pytest.mark.parametrize(("system", "coords", "sign", "hint"), [
    ("Stereotaxic_BregmaAbsolute", {"dvCoordinate": 2.5}, "negative-ventral", "DV +2.5 mm lies above"),
    ("Stereotaxic_BregmaAbsolute", {"dvCoordinate": -2.5}, "negative-ventral", None),
    ("Stereotaxic_BregmaAbsolute", {"dvCoordinate": -2.5}, "positive-ventral", "DV -2.5 mm lies above"),
    ("Stereotaxic_LambdaAbsolute", {"dvCoordinate": 2.5}, "positive-ventral", None),
    ("Stereotaxic_XYZ_Absolute", {"z": 3}, "negative-ventral", "z +3 mm lies above"),
    ("Stereotaxic_BregmaBrainSurface", {"depth": 2}, "negative-ventral", None),  # depth: + deeper
    ("Stereotaxic_BregmaAbsolute", {"dvCoordinate": 0}, "negative-ventral", None),
    ("Stereotaxic_BregmaAbsolute", {"dvCoordinate": "up"}, "negative-ventral", None),
    ("Stereotaxic_BregmaAbsolute", {"dvCoordinate": 10**4000}, "negative-ventral", None),
])  # fmt: skip
def test_dv_plausibility_follows_the_dv_sign_setting(system, coords, sign, hint):
    """Issue 10 item 14: what the plausibility hint assumes follows STEMGUI_DV_SIGN."""
    found = dv_plausibility(system, coords, sign)
    assert (found is None) if hint is None else found.startswith(hint)


def test_mirroring_does_not_depend_on_the_dv_sign():
    """Issue 10 item 14: mirroring is left–right only: DV is kept under either sign convention."""
    twin = mirror_coordinates("Stereotaxic_BregmaAbsolute", {"mlCoordinate": 1.5, "dvCoordinate": 2.0})
    assert twin == {"mlCoordinate": -1.5, "dvCoordinate": 2.0}


def test_unknown_system_gets_a_neutral_convention():
    assert "No convention recorded" in coordinate_convention("Nonexistent")
    assert "No convention recorded" in coordinate_convention(None)


@pytest.mark.parametrize(("system", "details", "twin"), [
    ("Stereotaxic_BregmaAbsolute", INJECTION["coordinates_details"],
     {"apCoordinate": -2.0, "mlCoordinate": -1.5, "dvCoordinate": -1.25, "mlAngle": -10.0, "dvAngle": 5.0}),
    ("Stereotaxic_LambdaBrainSurface", {"apCoordinate": 1, "mlCoordinate": -0.5, "depth": 2, "rotation": 30,
                                        "apAngle": 5, "mlAngle": 0},
     {"apCoordinate": 1, "mlCoordinate": 0.5, "depth": 2, "rotation": 30, "apAngle": 5, "mlAngle": 0}),
    ("Stereotaxic_XYZ_Absolute", {"x": 1.5, "y": -2.0, "z": -3.0, "xAngle": 7, "yAngle": 8, "zAngle": 9},
     {"x": -1.5, "y": -2.0, "z": -3.0, "xAngle": -7, "yAngle": 8, "zAngle": 9}),
    ("Stereotaxic_XY_Surface", {"x": 2, "y": 1, "depth": 1, "rotation": 4}, {"x": -2, "y": 1, "depth": 1,
                                                                           "rotation": 4}),
    ("External_XYZ_Absolute", FIBER["coordinates_details"], {"x": -1, "y": 2, "xAngle": -10, "zAngle": 3}),
    ("Stereotaxic_BregmaAbsolute", {}, {}),
])
def test_mirror_negates_left_right_and_its_tilt_only(system, details, twin):
    before = dict(details)
    mirrored = mirror_coordinates(system, details)
    assert mirrored == twin
    assert [type(v) for v in mirrored.values()] == [type(v) for v in twin.values()]
    assert details == before  # the original is not changed
    assert mirror_coordinates(system, mirrored) == details  # mirroring twice is the identity


def test_mirror_keeps_zero_positive_and_skips_non_numbers():
    mirrored = mirror_coordinates("Stereotaxic_BregmaAbsolute", {"mlCoordinate": 0.0, "mlAngle": None})
    assert mirrored == {"mlCoordinate": 0.0, "mlAngle": None}
    assert str(mirrored["mlCoordinate"]) == "0.0"


@pytest.mark.parametrize(("system", "rotation"), [
    ("Stereotaxic_BregmaAbsolute", "dvAngle"), ("Stereotaxic_BregmaBrainSurface", "rotation"),
    ("Stereotaxic_XYZ_Absolute", "zAngle"), ("Stereotaxic_XY_Surface", "rotation"),
])
def test_a_strict_mirror_also_negates_rotations_about_the_vertical(system, rotation):
    assert mirror_coordinates(system, {rotation: 20}, mirror_rotations=True) == {rotation: -20}
    assert mirror_coordinates(system, {rotation: 20}) == {rotation: 20}


def test_mirror_action_is_a_new_payload_with_region_kept():
    twin = mirror_action(INJECTION)
    assert "id" not in twin
    assert twin["brain_region"] == "r1" and twin["details"] == INJECTION["details"]
    assert twin["coordinates_details"]["mlCoordinate"] == -1.5
    assert INJECTION["coordinates_details"]["mlCoordinate"] == 1.5


def test_details_columns_use_titles_for_one_type():
    extra = {**INJECTION, "id": "a4", "details": {"injectionVolume": 5, "note": "x"}}
    rows = details_columns([INJECTION, FIBER, extra], "VirusInjection")
    assert rows == [
        {"id": "a2", "Injection volume (nL)": 300.0, "Injection Rate (nL/s)": 1,
         "Injection schema": "Pulses"},
        {"id": "a4", "Injection volume (nL)": 5, "Injection Rate (nL/s)": None, "Injection schema": None,
         "note": "x"},
    ]
    assert details_columns([INJECTION], "OpticFiberImplant") == []
    assert details_columns([FIBER], "OpticFiberImplant") == [{"id": "a1", "Fiber tip shape": "flat"}]


def test_starting_values_only_for_the_carried_type_and_system():
    defaults = INJECTION  # the record a form was opened from
    assert starting_values(defaults, "VirusInjection", "Stereotaxic_BregmaAbsolute") == (
        INJECTION["details"], INJECTION["coordinates_details"])
    assert starting_values(defaults, "OpticFiberImplant", "Stereotaxic_BregmaAbsolute") == (
        None, INJECTION["coordinates_details"])
    assert starting_values(defaults, "VirusInjection", "Stereotaxic_XY_Surface") == (
        INJECTION["details"], None)
    assert starting_values({}, None, None) == (None, None)
