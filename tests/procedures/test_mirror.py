"""Issue 12 (GUI item 5): mirroring `{value, unit}` coordinates and CCF (across the atlas midline,
z ↔ 11.4 mm − z in the value's own unit), and the convention text for every system."""

from __future__ import annotations

import pytest

from stemgui.actions import mirror_action
from stemgui.conventions import CCF_CONVENTION, coordinate_convention_for
from stemgui.mirror import MirrorError, mirror_ccf_z, mirror_coordinates
from stemgui.schemas import load_schema, schema_names
from stemgui.schemas.quantities import check


def q(value, unit):
    return {"value": value, "unit": unit}


def test_stereotaxic_quantities_negate_ml_and_its_tilt_keep_units():
    """Issue 12 GUI item 5: {value, unit} coordinates are mirrored, units kept."""
    details = {"apCoordinate": q(-2.0, "mm"), "mlCoordinate": q(-1.5, "mm"), "dvCoordinate": q(-1.3, "mm"),
               "mlAngle": q(10, "°"), "dvAngle": q(30, "°")}
    twin = mirror_coordinates("Stereotaxic_BregmaAbsolute", details)
    assert twin == {"apCoordinate": q(-2.0, "mm"), "mlCoordinate": q(1.5, "mm"),
                    "dvCoordinate": q(-1.3, "mm"), "mlAngle": q(-10, "°"), "dvAngle": q(30, "°")}
    assert mirror_coordinates("Stereotaxic_BregmaAbsolute", twin) == details  # twice = identity
    micro = mirror_coordinates("Stereotaxic_LambdaBrainSurface", {"mlCoordinate": q(1500, "µm"),
                                                                   "rotation": q(20, "°")})
    assert micro == {"mlCoordinate": q(-1500, "µm"), "rotation": q(20, "°")}
    assert mirror_coordinates("Stereotaxic_LambdaBrainSurface", {"rotation": q(20, "°")},
                              mirror_rotations=True) == {"rotation": q(-20, "°")}
    assert mirror_coordinates("Stereotaxic_BregmaAbsolute", {"mlCoordinate": q(0, "mm")}) == {
        "mlCoordinate": q(0, "mm")}  # on the midline stays there (not -0)


@pytest.mark.parametrize(("z", "mirrored"), [
    (q(3.2, "mm"), q(8.2, "mm")), (q(5.7, "mm"), q(5.7, "mm")), (q(0, "mm"), q(11.4, "mm")),
    (q(5200, "µm"), q(6200, "µm")), (q(3200.5, "µm"), q(8199.5, "µm")),
    (q(0.0032, "m"), q(0.0082, "m")), (q(4_000_000, "nm"), q(7_400_000, "nm")),
    (3.2, 8.2),  # a bare number (the docs write them) is in the schema's mm
])  # fmt: skip
def test_ccf_z_is_reflected_across_the_atlas_midline(z, mirrored):
    """Issue 12 GUI item 5: z ↔ 11.4 mm − z, in z's own unit."""
    assert mirror_ccf_z(z) == mirrored
    assert mirror_ccf_z(mirrored) == z


def test_ccf_mirror_keeps_ap_and_dv_negates_z_tilt():
    """Issue 12 GUI item 5: a CA1 target in the left hemisphere and its twin on the right."""
    left = {"x": q(8.9, "mm"), "y": q(2.1, "mm"), "z": q(3.1, "mm"), "xAngle": q(5, "°"),
            "yAngle": q(15, "°"), "zAngle": q(10, "°")}
    right = mirror_coordinates("CCF_XYZ_Absolute", left)
    assert right == {"x": q(8.9, "mm"), "y": q(2.1, "mm"), "z": q(8.3, "mm"), "xAngle": q(5, "°"),
                     "yAngle": q(15, "°"), "zAngle": q(-10, "°")}
    schema = load_schema("coordinates_current", "CCF_XYZ_Absolute")
    assert check(schema, right)[1] == {}  # still a valid CCF payload
    assert mirror_coordinates("CCF_XYZ_Absolute", right) == left


def test_ccf_z_in_a_unit_that_is_no_length_is_an_error_not_a_wrong_number():
    with pytest.raises(MirrorError, match="z .*not a length"):
        mirror_coordinates("CCF_XYZ_Absolute", {"z": q(3, "°")})
    assert mirror_coordinates("CCF_XYZ_Absolute", {"z": {"unit": "mm"}}) == {"z": {"unit": "mm"}}


def test_seed_actions_mirror_as_before():
    """The seed's plain numbers: ML negated, region kept (the shared code serves both)."""
    action = {"id": "a1", "type": "VirusInjection", "coordinates_system": "Stereotaxic_BregmaAbsolute",
              "coordinates_details": {"mlCoordinate": 1.5, "apCoordinate": -2.0}, "brain_region": "r"}
    twin = mirror_action(action)
    assert twin["coordinates_details"] == {"mlCoordinate": -1.5, "apCoordinate": -2.0}
    assert "id" not in twin and twin["brain_region"] == "r"


def test_a_procedure_in_ccf_mirrors_through_mirror_action():
    procedure = {"id": "p1", "type": "SiliconProbeImplant", "coordinates_system": "CCF_XYZ_Absolute",
                 "coordinates_details": {"z": q(5200, "µm")}}
    assert mirror_action(procedure)["coordinates_details"] == {"z": q(6200, "µm")}


def test_ccf_convention_states_the_midline_and_the_volume():
    """Issue 12 GUI item 5: the box beside the coordinates states the CCF convention."""
    text = coordinate_convention_for("procedure", "CCF_XYZ_Absolute")
    assert text == CCF_CONVENTION
    for words in ("13.2 mm AP × 8 mm DV × 11.4 mm ML", "z ↔ 11.4 mm − z", "z = 5.7 mm",
                  "3.2 mm ↔ 8.2 mm", "5200 µm ↔ 6200 µm"):
        assert words in text


def test_every_current_system_has_a_convention_with_units():
    for system in schema_names("coordinates_current"):
        text = coordinate_convention_for("procedure", system)
        assert "No convention recorded" not in text and "**Units:**" in text, system
    assert "**m**" in coordinate_convention_for("procedure", "External_XYZ_Absolute")
    seed = coordinate_convention_for("action", "Stereotaxic_BregmaAbsolute")
    assert "**Units:**" not in seed and "bregma" in seed
    assert "DV **+ ventral**" in coordinate_convention_for("procedure", "Stereotaxic_BregmaAbsolute",
                                                           "positive-ventral")


def test_dv_hint_reads_quantities_in_mm():
    """The "above the skull" hint works for today's {value, unit} DV too (µm read as mm)."""
    from stemgui.conventions import dv_hint

    hint = dv_hint("Stereotaxic_BregmaAbsolute", {"dvCoordinate": q(1300, "µm")})
    assert hint is not None and hint.startswith("DV +1.3 mm lies above the skull surface")
    assert dv_hint("Stereotaxic_BregmaAbsolute", {"dvCoordinate": q(-1.3, "mm")}) is None
    assert dv_hint("Stereotaxic_BregmaAbsolute", {"dvCoordinate": q(-1.3, "mm")}, "positive-ventral")
    assert dv_hint("CCF_XYZ_Absolute", {"y": q(2.1, "mm")}) is None  # CCF: all positive inside
