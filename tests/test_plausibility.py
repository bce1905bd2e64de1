"""Issue 14 item 3: plausibility rules as warnings at the field, with real coordinates."""

import pytest

from stemgui import plausibility as pl

BREGMA = "Stereotaxic_BregmaAbsolute"
CA1 = "ca1-region-id"


def _step(
    ap, ml, dv, *, system=BREGMA, step_type="VirusInjection", region=CA1, volume=None, rate=None, rid=None
):
    details = {}
    if volume is not None:
        details["injectionVolume"] = {"value": volume, "unit": "nL"}
    if rate is not None:
        details["injectionRate"] = {"value": rate, "unit": "nL/min"}
    return {
        "id": rid,
        "type": step_type,
        "brain_region": region,
        "coordinates_system": system,
        "coordinates_details": {"apCoordinate": ap, "mlCoordinate": ml, "dvCoordinate": dv},
        "details": details,
    }


def _fields(warnings):
    return {(w.field, w.rule) for w in warnings}


@pytest.mark.parametrize("ml", [1.5, -1.5])
@pytest.mark.parametrize("species", ["mouse", "Mus musculus", "Mouse (C57BL/6J)"])
def test_ca1_mouse_no_warning(ml, species):
    """Issue 14 item 3: CA1 at AP −2.0, ML ±1.5, DV −1.3 mm from bregma: no warning."""
    assert pl.step_warnings(_step(-2.0, ml, -1.3), species) == []


def test_ml_15_mm_outside_mouse_brain():
    """Issue 14 item 3: ML 15 mm is outside a mouse brain: a warning at the ML field."""
    (warning,) = pl.step_warnings(_step(-2.0, 15, -1.3), "mouse")
    assert (warning.field, warning.rule) == ("coordinates_details.mlCoordinate", "outside_brain")
    assert "ML +15 mm" in warning.message and "mouse" in warning.message


def test_ml_7_mm_fits_rat_not_mouse():
    """Issue 14 item 3: bounds per species (rat brain ~15 mm wide, mouse ~10 mm)."""
    assert pl.step_warnings(_step(-3.5, 7.0, -3.0), "Rattus norvegicus") == []
    assert _fields(pl.step_warnings(_step(-3.5, 7.0, -3.0), "mouse")) == {
        ("coordinates_details.mlCoordinate", "outside_brain")
    }


def test_dv_minus_1300_is_a_unit_warning():
    """Issue 14 item 3: DV −1300 (µm typed as mm) is a unit warning suggesting −1.3 mm."""
    (warning,) = pl.step_warnings(_step(-2.0, 1.5, -1300), "mouse")
    assert (warning.field, warning.rule) == ("coordinates_details.dvCoordinate", "unit")
    assert "did you mean -1.3 mm?" in warning.message


def test_1500_mm_unit_warning_also_with_quantities():
    """Issue 14 item 3: 1500 mm as today's quantity {value, unit}; 1.5 µm looks like mm."""
    step = _step({"value": 1500, "unit": "mm"}, {"value": 1.5, "unit": "µm"}, {"value": -1.3, "unit": "mm"})
    warnings = pl.step_warnings(step, "mouse")
    assert _fields(warnings) == {
        ("coordinates_details.apCoordinate", "unit"),
        ("coordinates_details.mlCoordinate", "unit"),
    }
    in_um = _step(
        {"value": -2000, "unit": "µm"}, {"value": 1500, "unit": "µm"}, {"value": -1300, "unit": "µm"}
    )
    assert pl.step_warnings(in_um, "mouse") == []


def test_lambda_origin_shifts_ap():
    """Issue 14 item 3: from lambda, CA1 is ~+2.2 mm (bregma −2.0 + 4.2): fine; +9 is beyond the bulb."""
    assert pl.step_warnings(_step(2.2, 1.5, -1.3, system="Stereotaxic_LambdaAbsolute"), "mouse") == []
    assert pl.step_warnings(_step(-2.0, 1.5, -1.3, system="Stereotaxic_LambdaAbsolute"), "mouse") == []
    (warning,) = pl.step_warnings(_step(10.5, 1.5, -1.3, system="Stereotaxic_LambdaAbsolute"), "mouse")
    assert warning.field == "coordinates_details.apCoordinate"


def test_unknown_species_only_unit_checks():
    """Issue 14 item 3: without a known species no bounds are guessed; unit slips still warn."""
    assert pl.step_warnings(_step(-2.0, 15, -1.3), None) == []
    assert _fields(pl.step_warnings(_step(-2.0, 1.5, -1300), "zebra finch")) == {
        ("coordinates_details.dvCoordinate", "unit")
    }


def test_ccf_bounds_mouse():
    """Issue 14 item 3: Allen CCF v3 (13.2 × 8.0 × 11.4 mm): dorsal CA1 ~ (8.6, 1.8, 7.2) fits."""
    ccf = {"coordinates_system": "CCF_XYZ_Absolute", "coordinates_details": {"x": 8.6, "y": 1.8, "z": 7.2}}
    assert pl.step_warnings(ccf, "mouse") == []
    ccf["coordinates_details"]["y"] = 9.5
    assert _fields(pl.step_warnings(ccf, "mouse")) == {("coordinates_details.y", "outside_brain")}


PAST = [
    _step(-2.0, 1.5, -1.3, rid="p1", volume=300, rate=50),
    _step(-2.1, -1.5, -1.35, rid="p2", volume=250),
    _step(-1.9, 1.6, -1.25, rid="p3", volume=400, rate=100),
    _step(-2.0, -1.4, -1.3, rid="p4", rate=60),
]


def test_far_from_lab_usual_target():
    """Issue 14 item 3: a CA1 target 1.5 mm behind where the lab targeted CA1 before warns at AP;
    the usual one (either side) does not."""
    assert pl.step_warnings(_step(-2.0, -1.5, -1.3), "mouse", PAST) == []
    (warning,) = pl.step_warnings(_step(-3.5, 1.5, -1.3), "mouse", PAST, "CA1")
    assert (warning.field, warning.rule) == ("coordinates_details.apCoordinate", "far_from_lab")
    assert "1.5 mm from where the lab targeted CA1" in warning.message and "median of 4" in warning.message
    other_region = _step(-3.5, 1.5, -1.3, region="dg-id")
    assert pl.step_warnings(other_region, "mouse", PAST) == []


def test_too_few_past_records_no_comparison():
    """Issue 14 item 3: fewer than three past records: no usual target yet."""
    assert pl.step_warnings(_step(-3.5, 1.5, -1.3, volume=5000), "mouse", PAST[:2]) == []


def test_unusual_volume_and_rate():
    """Issue 14 item 3: 5000 nL (lab: 250–400) and 1 µL/min (lab: 50–100 nL/min) warn at their fields."""
    step = _step(-2.0, 1.5, -1.3, volume=5000)
    step["details"]["injectionRate"] = {"value": 1, "unit": "µL/min"}
    assert _fields(pl.step_warnings(step, "mouse", PAST)) == {
        ("details.injectionVolume", "unusual_value"),
        ("details.injectionRate", "unusual_value"),
    }
    assert pl.step_warnings(_step(-2.0, 1.5, -1.3, volume=500, rate=40), "mouse", PAST) == []


def test_bilateral_pair_symmetry():
    """Issue 14 item 3: a bilateral pair whose AP differs by 0.3 mm warns at the second step's AP;
    a mirror-image pair does not; different types never pair."""
    steps = [
        _step(-2.0, -1.5, -1.3),
        _step(-2.0, 1.5, -1.3),
        _step(-2.0, -1.5, -1.1, step_type="OpticFiberImplant"),
        _step(-2.3, 1.5, -1.1, step_type="OpticFiberImplant"),
    ]
    found = pl.asymmetric_pairs(steps)
    assert list(found) == [3]
    (warning,) = found[3]
    assert (warning.field, warning.rule) == ("coordinates_details.apCoordinate", "asymmetric")
    assert "step 3" in warning.message
    assert pl.by_field(found[3]) == {"coordinates_details.apCoordinate": [warning.message]}


def test_surgery_warnings_by_step():
    """Issue 14 item 3: a surgery's warnings by step: a unit slip on step 1 (and nothing more about
    it: no "far from the lab", no asymmetry with its twin), an asymmetric twin on step 3."""
    steps = [_step(-2.0, -1.5, -1300), _step(-2.0, 1.5, -1.3), _step(-2.4, -1.5, -1.3, rid="x")]
    found = pl.surgery_warnings(steps, "mouse", PAST, {CA1: "CA1"})
    assert {i: _fields(w) for i, w in found.items()} == {
        0: {("coordinates_details.dvCoordinate", "unit")},
        2: {("coordinates_details.apCoordinate", "asymmetric")},
    }


@pytest.mark.parametrize(
    ("name", "key"),
    [("Mus musculus", "mouse"), ("mouse", "mouse"), ("Rattus norvegicus", "rat"), ("Rat (Long-Evans)", "rat"),
     ("Pirate rate", None), ("Macaca mulatta", None), (None, None)],
)  # fmt: skip
def test_species_key(name, key):
    """Issue 14 item 3: which bounds a species name selects (whole words only)."""
    assert pl.species_key(name) == key


def test_a_huge_stored_integer_gets_no_warning_and_no_crash():
    """Issue 9 item 12 meets issue 14: a 4,000-digit coordinate stored by another client made the
    Surgery day crash (OverflowError in float()); it is no plausible number, so no rule applies."""
    from stemgui.plausibility import coordinate_warnings

    huge = int("1" + "0" * 3999)
    assert coordinate_warnings("Stereotaxic_BregmaAbsolute", {"apCoordinate": huge}, "mouse") == []


STRAINS = {
    "b6": {"id": "b6", "name": "C57BL/6J", "species": "sp-mouse", "description": "Inbred wild-type mouse"},
    "le": {"id": "le", "name": "Long-Evans", "species": "sp-rat", "description": "Outbred hooded"},
    "sd": {"id": "sd", "name": "Sprague-Dawley rat", "species": "sp-unreadable"},
    "zf": {"id": "zf", "name": "Wild type", "species": "sp-finch"},
    "odd": {"id": "odd", "name": "Mystery line", "species": None},
}
SPECIES = {
    "sp-mouse": {"id": "sp-mouse", "name": "Mouse", "description": "Mus musculus"},
    "sp-rat": {"id": "sp-rat", "name": "Rat", "description": "Rattus norvegicus"},
    "sp-finch": {"id": "sp-finch", "name": "Zebra finch", "description": "Taeniopygia guttata"},
}


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ({"strain": "b6"}, "mouse"),
        ({"strain": "le"}, "rat"),  # the strain's name says nothing: its species record does
        ({"strain": "sd"}, "rat"),  # the species record is not readable: the strain's name
        ({"strain": "zf"}, None),  # known to be another animal: no rodent bounds guessed
        ({"strain": "odd"}, "mouse"),  # nothing known: the default
        ({"strain": "gone"}, "mouse"),
        ({}, "mouse"),
        (None, "mouse"),
    ],
)
def test_subject_species_from_its_strain(subject, expected):
    """Issue 14: the bounds follow the subject's strain's species; mouse when nothing is known."""
    assert pl.subject_species(subject, STRAINS, SPECIES) == expected


def test_subject_species_embedded_species_record():
    """A strain holding its species record (not its id) is read the same way."""
    strains = {"le": {"name": "Long-Evans", "species": {"name": "Rat"}}}
    assert pl.subject_species({"strain": "le"}, strains) == "rat"


def test_rat_bounds_follow_the_subject():
    """ML 7 mm: outside a mouse's brain, inside a rat's — chosen by the subject's strain."""
    step = _step(-3.5, 7.0, -3.0)
    assert pl.step_warnings(step, pl.subject_species({"strain": "le"}, STRAINS, SPECIES)) == []
    assert pl.step_warnings(step, pl.subject_species({"strain": "b6"}, STRAINS, SPECIES))


def test_entry_warnings_either_step_of_a_pair_new_and_edited():
    """The form's step is judged in its surgery: a new right-side twin 0.3 mm off the left one
    warns at AP; the same as an edit of the second step too; and an edit of the first step that
    moves it 0.3 mm off its logged twin warns there, naming the twin."""
    left = _step(-2.0, -1.5, -1.3, rid="l")
    right_off = _step(-2.3, 1.5, -1.3, rid="r")
    (warning,) = pl.entry_warnings([left], right_off, "mouse")
    assert (warning.field, warning.rule) == ("coordinates_details.apCoordinate", "asymmetric")
    assert pl.entry_warnings([left], _step(-2.0, 1.5, -1.3), "mouse") == []
    assert _fields(pl.entry_warnings([left, _step(-2.0, 1.5, -1.3)], right_off, "mouse", replaces=1)) == {
        ("coordinates_details.apCoordinate", "asymmetric")
    }
    first_off = _step(-2.3, -1.5, -1.3)
    (warning,) = pl.entry_warnings([left, _step(-2.0, 1.5, -1.3)], first_off, "mouse", replaces=0)
    assert (warning.field, warning.rule) == ("coordinates_details.apCoordinate", "asymmetric")
    assert warning.message == "Not symmetric with its twin (step 2): AP -2.3 mm here, -2 mm there."
    # a mirror-image edit of the first step, and a first step whose twin is not logged yet: silent
    mirrored = _step(-2.0, -1.5, -1.3)
    assert pl.entry_warnings([left, _step(-2.0, 1.5, -1.3)], mirrored, "mouse", replaces=0) == []
    assert pl.entry_warnings([left], first_off, "mouse", replaces=0) == []
    # the steps list still notes the pair once, at its second step
    assert list(pl.step_notes([first_off, _step(-2.0, 1.5, -1.3)], "mouse")) == [1]


def test_step_notes_skip_steps_not_done():
    """The steps list's notes: an asymmetric twin gets its note at its own position, a planned
    step (None) between them changes nothing."""
    steps = [_step(-2.0, -1.5, -1.3), None, _step(-2.4, 1.5, -1.3)]
    notes = pl.step_notes(steps, "mouse")
    assert list(notes) == [2] and notes[2].startswith("Not symmetric with its twin (step 1)")
    assert "(step 2)" in pl.step_notes([None, *steps], "mouse")[3]  # numbered as the list is
    assert pl.step_notes([_step(-2.0, -1.5, -1.3), None, _step(-2.0, 1.5, -1.3)], "mouse") == {}
