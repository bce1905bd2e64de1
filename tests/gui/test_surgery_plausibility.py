"""Issue 14, plausibility on the Surgery day through AppTest against the bundled server: each
warning under the input it is about, the bounds of the subject's species (from its strain), an
asymmetric bilateral twin noted on its row and warned in the form, and never a refused save.

Subjects are made before the page first loads: the page caches the subjects' names (~60 s)."""

from __future__ import annotations

import itertools
import os
from datetime import date

from streamlit.testing.v1 import AppTest

from tests.gui.action_helpers import region_id
from tests.gui.apptest import logged_in, unescape
from tests.gui.test_surgery_day import PAGE, procedures

BREGMA = "Stereotaxic_BregmaAbsolute"
INPUTS = ("number_input", "selectbox", "text_input", "text_area", "date_input", "checkbox", "multiselect")
_numbers = itertools.count(1)


def new_subject(user, strain: str = "C57BL/6J") -> str:
    """A fresh subject (a unique name) of the demo strain named `strain`: its id."""
    strain_id = next(s["id"] for s in user.api.list_all("strain") if s["name"] == strain)
    body = {"name": f"Plausible {os.getpid()}-{next(_numbers)}", "strain": strain_id, "sex": "M",
            "projects": [user.api.list_all("project")[0]["id"]]}
    return user.api.save_model("subject", data=body)["subject"]["id"]


def api_step(user, subject: str, clock: str, ap: float, ml: float, dv: float = -1.3, **fields) -> dict:
    """A Virus injection from bregma logged today at `clock` through the API."""
    mm = {name: {"value": value, "unit": "mm"}
          for name, value in (("apCoordinate", ap), ("mlCoordinate", ml), ("dvCoordinate", dv))}
    body = {"type": "VirusInjection", "subject": subject, "date_time": f"{date.today().isoformat()}T{clock}",
            "coordinates_system": BREGMA, "coordinates_details": mm,
            "details": {"injectionVolume": {"value": 300, "unit": "nL"}}, **fields}
    return user.api.save_model("procedure", data=body)["procedure"]


def open_surgery(user, subject: str) -> AppTest:
    at = logged_in(user, PAGE)
    at.selectbox(key="actions.day.subject").set_value(subject)
    at.date_input(key="actions.day.date").set_value(date.today())
    return at.run()


def form_key(at: AppTest) -> str:
    return at.session_state["surgery.entry"]["key"]


def coord(at: AppTest, name: str) -> str:
    return f"{form_key(at)}.coords.{BREGMA}.{name}"


def new_virus_step(at: AppTest, ap: float, ml: float, dv: float) -> AppTest:
    """The form as a Virus injection from bregma at (ap, ml, dv) mm."""
    at.selectbox(key=f"{form_key(at)}.type").set_value("VirusInjection").run()
    at.selectbox(key=f"{form_key(at)}.system").set_value(BREGMA).run()
    return set_target(at, ap, ml, dv)


def set_target(at: AppTest, ap: float, ml: float, dv: float) -> AppTest:
    for name, value in (("apCoordinate", ap), ("mlCoordinate", ml), ("dvCoordinate", dv)):
        at.number_input(key=coord(at, name)).set_value(value)
    return at.run()


def warnings_under(at: AppTest, widget_key: str, field: str | None = None) -> list[str]:
    """The warnings drawn right after the input `widget_key`, in page order, before the next input
    of another field (`field`: the key prefix of this field's inputs, e.g. a value and its unit)."""
    nodes = list(at._tree)
    start = next(i for i, node in enumerate(nodes) if getattr(node, "key", None) == widget_key)
    found = []
    for node in nodes[start + 1:]:
        kind = getattr(node, "type", None)
        if kind in INPUTS and not str(getattr(node, "key", "")).startswith(field or widget_key):
            break
        if kind == "warning":
            found.append(unescape(node.value))
    return found


def all_warnings(at: AppTest) -> list[str]:
    return [unescape(w.value) for w in at.warning]


def test_ml_15_mm_warns_under_ml_and_the_step_is_still_logged(make_user):
    """Issue 14 (Show): CA1 at AP −2.0, ML 1.5, DV −1.3 mm from bregma: no warning; ML 15 mm: a
    warning right under the ML input (not under AP or DV, not elsewhere); Log still logs it."""
    user = make_user("editor")
    subject = new_subject(user)
    at = new_virus_step(open_surgery(user, subject), -2.0, 1.5, -1.3)
    assert not at.exception and all_warnings(at) == []

    at = set_target(at, -2.0, 15.0, -1.3)
    (under_ml,) = warnings_under(at, coord(at, "mlCoordinate"))
    assert under_ml.startswith("ML +15 mm is outside a mouse's brain")
    assert warnings_under(at, coord(at, "apCoordinate")) == []
    assert warnings_under(at, coord(at, "dvCoordinate")) == []
    assert all_warnings(at) == [under_ml]  # said once, at its field

    at.button(key=f"{form_key(at)}.save").click().run()  # a warning never blocks
    assert not at.exception and not at.error, [e.value for e in at.error]
    (stored,) = procedures(user, subject)
    assert stored["coordinates_details"]["mlCoordinate"]["value"] == 15.0


def test_an_unusual_volume_is_said_under_the_volume(make_user):
    """Issue 14: 5000 nL where this subject's past injections were 250–400 nL: the warning sits
    under the volume input, in the details."""
    user = make_user("editor")
    subject = new_subject(user)
    for clock, volume in (("08:00:00", 250), ("08:10:00", 300), ("08:20:00", 400)):
        dose = {"injectionVolume": {"value": volume, "unit": "nL"}}
        api_step(user, subject, clock, -2.0, 1.5, details=dose)
    at = open_surgery(user, subject)
    assert not at.exception and all_warnings(at) == []
    field = f"{form_key(at)}.details.VirusInjection.injectionVolume."
    at.number_input(key=f"{field}value").set_value(5000.0).run()
    (warning,) = all_warnings(at)
    assert warning.startswith("Injection volume 5000 nL is far outside this lab's past values (250–400 nL")
    assert warnings_under(at, f"{field}value", field) == [warning]
    at.button(key=f"{form_key(at)}.save").click().run()  # still logged
    assert not at.error and len(procedures(user, subject)) == 4


def test_a_rat_gets_rat_bounds(make_user):
    """Issue 14: the bounds follow the subject's strain's species: ML 7 mm fits a Long-Evans rat
    (a mouse's brain ends at ±5.5 mm), ML 9 mm does not, and the warning says rat."""
    user = make_user("editor")
    subject = new_subject(user, "Long-Evans")
    at = new_virus_step(open_surgery(user, subject), -3.5, 7.0, -3.0)
    assert not at.exception and all_warnings(at) == []
    at = set_target(at, -3.5, 9.0, -3.0)
    (under_ml,) = warnings_under(at, coord(at, "mlCoordinate"))
    assert "outside a rat's brain" in under_ml


def test_an_asymmetric_twin_is_noted_on_its_row_and_warned_in_the_form(make_user):
    """Issue 14: a bilateral CA1 pair 0.4 mm apart in AP: a note on the second step's row (not
    the first's); editing either step of the pair, and entering a new twin of the first, warn
    under AP."""
    user = make_user("editor")
    subject = new_subject(user)
    ca1 = region_id(user, "CA1")
    left = api_step(user, subject, "09:00:00", -2.0, -1.5, brain_region=ca1)
    right = api_step(user, subject, "09:05:00", -2.4, 1.5, brain_region=ca1)
    api_step(user, subject, "09:10:00", -2.0, -1.5, brain_region=ca1)  # a third, not paired yet
    at = open_surgery(user, subject)
    assert not at.exception
    notes = {rid: [unescape(c.value) for c in at.get_by_key(f"surgery-step-{rid}").caption]
             for rid in (left["id"], right["id"])}  # fmt: skip
    assert notes[left["id"]] == []
    (note,) = notes[right["id"]]
    assert "Not symmetric with its twin (step 1): AP -2.4 mm here, -2 mm there." in note

    at.button(key=f"actions.day.edit.{right['id']}").click().run()  # editing the second of the pair
    (under_ap,) = warnings_under(at, coord(at, "apCoordinate"))
    assert under_ap.startswith("Not symmetric with its twin (step 1)") and all_warnings(at) == [under_ap]
    at = set_target(at, -2.0, 1.5, -1.3)  # corrected: the mirror image of the first
    assert all_warnings(at) == []
    at.button(key=f"{form_key(at)}.cancel").click().run()

    at.button(key=f"actions.day.edit.{left['id']}").click().run()  # editing the first of the pair
    (under_ap,) = warnings_under(at, coord(at, "apCoordinate"))
    assert under_ap == "Not symmetric with its twin (step 2): AP -2 mm here, -2.4 mm there."
    at = set_target(at, -2.4, -1.5, -1.3)  # moved to mirror its twin instead
    assert all_warnings(at) == []
    at.button(key=f"{form_key(at)}.cancel").click().run()

    # a new entry (from the last step: the third, left) as its right twin, 0.3 mm off in AP
    at = set_target(at, -2.3, 1.5, -1.3)
    (under_ap,) = warnings_under(at, coord(at, "apCoordinate"))
    assert under_ap.startswith("Not symmetric with its twin (step 3)")


def test_far_from_where_the_lab_targeted_the_region_on_other_subjects(make_user):
    """Issue 14: the lab's own past records of the region, across subjects: three other mice with
    the BLA at AP −1.4 mm; this mouse's first step there at AP −2.9 warns under AP (its own records
    alone would say nothing: it has none)."""
    user = make_user("editor")
    bla = region_id(user, "BLA")
    for number in range(3):
        api_step(user, new_subject(user), f"08:0{number}:00", -1.4, 3.3, -4.9, brain_region=bla)
    subject = new_subject(user)
    at = open_surgery(user, subject)
    at = new_virus_step(at, -1.4, 3.3, -4.9)
    at.selectbox(key=f"{form_key(at)}.region").set_value(bla).run()
    assert not at.exception and all_warnings(at) == []
    at = set_target(at, -2.9, 3.3, -4.9)
    (under_ap,) = warnings_under(at, coord(at, "apCoordinate"))
    assert under_ap.startswith("This target is 1.5 mm from where the lab targeted BLA")
    assert "median of 3" in under_ap
