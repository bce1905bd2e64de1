"""Issue 13: the Subjects page and the subject's page through AppTest against the bundled server:
filters, create, edit, delete; three weights logged on the page and the welfare warning; the
implant map's data (not its pixels) for targets in every coordinates system."""

from __future__ import annotations

import itertools
import json
import os
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from stemgui.auth import UserStore
from stemgui.session_form import COPY_SUFFIX
from tests.faults import FaultProxy
from tests.gui.apptest import logged_in, texts, values

_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {os.getpid()}-{next(_names)}"


def make_subject(user, **fields) -> dict:
    project = user.api.list_all("project")[0]["id"]
    body = {"name": unique("Mouse"), "strain": user.api.list_all("strain")[0]["id"], "sex": "F",
            "projects": [project], "birth_date": "2025-06-01", **fields}  # fmt: skip
    return user.api.save("subject", data=body)["subject"]


def make_procedure(user, subject: dict, system: str, coords: dict, when: str = "2025-10-01T09:00:00Z",
                   procedure_type: str = "VirusInjection") -> dict:  # fmt: skip
    body = {"type": procedure_type, "subject": subject["id"], "date_time": when,
            "details": {"injectionVolume": {"value": 300, "unit": "nL"}},
            "coordinates_system": system, "coordinates_details": coords}  # fmt: skip
    return user.api.save("procedure", data=body)["procedure"]


def open_subject(user, subject_id: str):
    at = logged_in(user, "pages/subjects.py", subject=subject_id)
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_spec(at, title: str) -> dict:
    """The Vega-Lite spec (data inline) of the chart whose title starts with ``title``."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    found = [spec for spec in specs if str(spec.get("title", "")).startswith(title)]
    assert found, f"no chart titled {title!r} among {[spec.get('title') for spec in specs]}"
    return found[0]


def datasets(spec, prefix: str) -> list[dict]:
    """Every row of the inline datasets whose name starts with ``prefix`` (each dataset once:
    layers drawing the same data repeat it)."""
    named: dict[str, list[dict]] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and str(data.get("name", "")).startswith(prefix) and "values" in data:
                named[data["name"]] = data["values"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    top_level = spec.get("datasets") or {}
    named.update({name: rows for name, rows in top_level.items() if name.startswith(prefix)})
    return [row for rows in named.values() for row in rows]


# ---------------------------------------------------------------- list, filters, form


def test_subjects_filter_create_edit_delete(make_user):
    """Issue 13 item "Subjects page": the list filters by text (name or description), sex and
    status; a subject created through the form is listed and opens; Edit changes it; Delete asks
    once more and removes it."""
    user = make_user("editor")
    marker = unique("zq")
    by_name = make_subject(user, name=f"{marker} A", sex="M")
    by_text = make_subject(user, description=f"littermate of {marker}", sex="F", status="retired",
                           birth_date="2024-03-01")
    at = logged_in(user, "pages/subjects.py")
    at.text_input(key="subjects.f.text").input(marker).run()
    shown = at.dataframe[0].value
    assert set(shown.index) == {by_name["id"], by_text["id"]}  # name OR description
    at.selectbox(key="subjects.f.sex").set_value("M").run()
    assert list(at.dataframe[0].value.index) == [by_name["id"]]
    at.selectbox(key="subjects.f.sex").set_value(None).run()
    at.multiselect(key="subjects.f.status").set_value(["retired"]).run()
    assert list(at.dataframe[0].value.index) == [by_text["id"]]
    at.multiselect(key="subjects.f.status").set_value([]).run()
    at.date_input(key="subjects.f.from").set_value(date(2024, 3, 1))
    at.date_input(key="subjects.f.to").set_value(date(2024, 12, 31)).run()
    assert list(at.dataframe[0].value.index) == [by_text["id"]]  # born within the range, both ends kept
    at.date_input(key="subjects.f.from").set_value(None)
    at.date_input(key="subjects.f.to").set_value(None).run()

    # create
    at.button(key="subjects.new").click().run()
    key = at.session_state["subjects.form"]["key"]
    name = f"{marker} new"
    at.text_input(key=f"{key}.name").input(name)
    at.selectbox(key=f"{key}.sex").set_value("F")
    at.multiselect(key=f"{key}.projects").set_value([user.api.list_all("project")[0]["id"]])
    at.selectbox(key=f"{key}.strain").set_value(user.api.list_all("strain")[0]["id"])
    at.text_input(key=f"{key}.genotype").input("Pvalb-Cre +/-")
    at.button(key=f"{key}.save").click().run()
    assert not at.exception and not at.error, values(at.error)
    created = user.api.list_all("subject", filters={"name": name})
    assert len(created) == 1 and created[0]["genotype"] == "Pvalb-Cre +/-"
    assert at.query_params["subject"] == [created[0]["id"]] or at.query_params["subject"] == created[0]["id"]
    assert created[0]["id"] in at.dataframe[0].value.index

    # edit
    at.button(key="subjects.edit").click().run()
    key = at.session_state["subjects.form"]["key"]
    at.text_input(key=f"{key}.genotype").input("Pvalb-Cre +/+")
    at.selectbox(key=f"{key}.status").set_value("inactive")
    at.button(key=f"{key}.save").click().run()
    assert not at.error, values(at.error)
    stored = user.api.load("subject", id=created[0]["id"])["subject"]
    assert (stored["genotype"], stored["status"]) == ("Pvalb-Cre +/+", "inactive")

    # duplicate: a littermate's form, the name marked for change; Cancel writes nothing
    at.button(key="subjects.duplicate").click().run()
    key = at.session_state["subjects.form"]["key"]
    assert at.text_input(key=f"{key}.name").value == name + COPY_SUFFIX
    assert at.text_input(key=f"{key}.genotype").value == "Pvalb-Cre +/+"
    assert at.selectbox(key=f"{key}.status").value == "active"
    at.button(key=f"{key}.cancel").click().run()
    assert "subjects.form" not in at.session_state

    # delete: asks first, the safe answer keeps it
    at.button(key="subjects.delete").click().run()
    assert any(name in w for w in values(at.warning))
    at.button(key="subjects.delete.no").click().run()
    assert user.api.list_all("subject", filters={"name": name})
    at.button(key="subjects.delete").click().run()
    at.button(key="subjects.delete.yes").click().run()
    assert not at.exception
    assert user.api.list_all("subject", filters={"name": name}) == []


def test_a_rejected_subject_keeps_what_was_typed(make_user):
    """Issue 13: a subject form without strain and sex is not sent; the messages sit at the
    fields and the name typed stays."""
    user = make_user("editor")
    at = logged_in(user, "pages/subjects.py")
    at.button(key="subjects.new").click().run()
    key = at.session_state["subjects.form"]["key"]
    at.text_input(key=f"{key}.name").input("half-typed")
    at.button(key=f"{key}.save").click().run()
    messages = " ".join(values(at.error))
    for expected in ("Choose the strain.", "Choose the sex", "Choose at least one project"):
        assert expected in messages
    assert at.text_input(key=f"{key}.name").value == "half-typed"
    assert user.api.list_all("subject", filters={"name": "half-typed"}) == []


# ---------------------------------------------------------------- the subject's page


def _wait_for_next_second() -> None:
    """Entries are known by their time to the second: two saves never share one."""
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.05)


def test_three_weights_draw_the_curve_and_warn_below_threshold(make_user):
    """Issue 13 Show: log three weights on a fresh subject (Weighing: two inputs and Enter, an
    st.form) and see them in the weight chart's data with the baseline and 80 % threshold; the
    page warns once the last weight is below it."""
    user = make_user("editor")
    subject = make_subject(user)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    make_procedure(user, subject, "Stereotaxic_BregmaAbsolute", {"apCoordinate": -2.0, "mlCoordinate": 1.5},
                   when=yesterday.isoformat(timespec="seconds").replace("+00:00", "Z"))  # fmt: skip
    pre_op = (yesterday - timedelta(hours=2)).isoformat(timespec="seconds").replace("+00:00", "Z")
    baseline = {"date_time": pre_op, "details": {"weight": 25.0}}
    log = {"type": "Weighing", "subject": subject["id"], "description": "weights", "entries": [baseline]}
    user.api.save("subjectlog", data=log)
    at = open_subject(user, subject["id"])
    assert not at.warning or "welfare" not in " ".join(values(at.warning))
    for grams in (23.0, 21.0, 19.5):
        _wait_for_next_second()
        state = at.session_state
        nonce = state["subjects.page.log.nonce"] if "subjects.page.log.nonce" in state else 0
        key = f"subjects.page.log.{nonce}.Weighing.weight"
        at.number_input(key=key).set_value(grams)
        at.button(key=key.removesuffix(".weight") + ".save").click().run()
        assert not at.exception and not at.error, values(at.error)
    spec = chart_spec(at, "Weight")
    drawn = sorted(row["grams"] for row in datasets(spec, "weights"))
    assert drawn == [19.5, 21.0, 23.0, 25.0]
    rules = {row["label"]: row["grams"] for row in datasets(spec, "weight_rules")}
    assert rules == {"baseline 25.0 g": 25.0, "80 % threshold 20.0 g": 20.0}
    warning = " ".join(values(at.warning))
    assert "Last weight 19.5 g" in warning and "below the welfare threshold of 80 %" in warning
    logs = user.api.list_all("subjectlog", filters={"subject": subject["id"]})
    assert len(logs) == 1 and len(logs[0]["entries"]) == 4


def test_implant_map_places_targets_of_every_system(make_user):
    """Issue 13 Show: the implant map places a bregma-relative target at its AP/ML (chart data);
    lambda-relative ones 4.2 mm further back; a subject with targets in every placeable system
    renders, and the external (rig) target is listed as not placeable, not dropped."""
    user = make_user("editor")
    subject = make_subject(user)
    q = lambda v: {"value": v, "unit": "mm"}  # noqa: E731
    systems = {
        "Stereotaxic_BregmaAbsolute": {"apCoordinate": q(-1.7), "mlCoordinate": q(1.1),
                                       "dvCoordinate": q(-1.4)},
        "Stereotaxic_BregmaBrainSurface": {"apCoordinate": q(1.5), "mlCoordinate": q(-0.5), "depth": q(2.0)},
        "Stereotaxic_LambdaAbsolute": {"apCoordinate": q(1.0), "mlCoordinate": q(-2.5),
                                       "dvCoordinate": q(-1.0)},
        "Stereotaxic_LambdaBrainSurface": {"apCoordinate": q(-1.0), "mlCoordinate": q(1.0), "depth": q(0.5)},
        "CCF_XYZ_Absolute": {"x": {"value": 7400, "unit": "µm"}, "y": {"value": 3000, "unit": "µm"},
                             "z": {"value": 7739, "unit": "µm"}},
        "External_XYZ_Absolute": {"x": 0.01, "y": 0.02, "z": 0.0},
    }  # fmt: skip
    made = {system: make_procedure(user, subject, system, coords)["id"] for system, coords in systems.items()}
    at = open_subject(user, subject["id"])
    placed = {row["record_id"]: row for row in datasets(chart_spec(at, "Top view"), "targets")}
    assert set(placed) == {made[s] for s in systems if s != "External_XYZ_Absolute"}
    bregma = placed[made["Stereotaxic_BregmaAbsolute"]]
    assert (bregma["ap"], bregma["ml"], bregma["dv"]) == (-1.7, 1.1, -1.4)
    lam = placed[made["Stereotaxic_LambdaAbsolute"]]
    assert (round(lam["ap"], 6), lam["ml"]) == (-3.2, -2.5)
    ccf = placed[made["CCF_XYZ_Absolute"]]
    assert (round(ccf["ap"], 3), round(ccf["ml"], 3)) == (-2.0, 2.0)
    coronal = datasets(chart_spec(at, "Coronal views"), "targets")
    assert {row["record_id"] for row in coronal} == set(placed)
    page = texts(at)
    assert "Not on the map" in page and "External_XYZ_Absolute: external (rig) coordinates" in page
    assert [b.label for b in at.get("download_button")].count("PNG") >= 2


@pytest.mark.parametrize("role", ["viewer"])
def test_viewers_see_the_subjects_page_without_forms(make_user, role):
    """Issue 13: a viewer opens MS04's page (deep link ``?subject=``): header, timeline, the
    weight curve and the implant map, and no New/Edit buttons nor log form."""
    user = make_user(role)
    ms04 = user.api.list_all("subject", filters={"name": "MS04"})
    assert ms04, "the demo lab's MS04 is visible to every user"
    at = open_subject(user, ms04[0]["id"])
    page = texts(at)
    assert "Timeline" in page and "Implant map" in page and "2025-10-14" in page
    assert "VirusInjection · CA1" in page  # the timeline names type and region
    assert "/procedures?procedure=" in page
    assert chart_spec(at, "Weight") and chart_spec(at, "Top view")
    assert not [b for b in at.button if b.key in ("subjects.new", "subjects.edit")]
    (log,) = user.api.list_all("subjectlog", filters={"subject": ms04[0]["id"]})
    assert f"/subjects?subject={ms04[0]['id']}&subjectlog={log['id']}" in page  # a weighing's link
    tables = [frame.value for frame in at.dataframe if "until" in frame.value.columns]
    assert [len(t) for t in tables] == [9]  # MS04's Weighing log, entry by entry
    assert "Pre-op, morning of surgery" in set(tables[0]["notes"])
    assert not at.get("form_submit_button")


class EntryRefusingProxy(FaultProxy):
    """A real proxy to the bundled server that answers the docs' entry actions with 405, as a
    backend that keeps subject logs read-only would."""

    def _handle(self, handler) -> None:
        if "/add_entry/" in handler.path:
            handler.read_body()
            handler.reply(405, b'{"detail": "Method \\"PATCH\\" not allowed."}')
            return
        super()._handle(handler)


def test_a_backend_refusing_entries_is_told_not_a_failure(monkeypatch, make_user, bundled, gui_env):
    """Issue 13: against a backend that refuses new log entries the page says so (add it on the
    BrainSTEM website; nothing was saved), keeps the page, and leaves no empty log behind."""
    user = make_user("editor")
    subject = make_subject(user)
    with EntryRefusingProxy(bundled.url) as proxy:
        monkeypatch.setenv("STEMGUI_API_URL", proxy.url)
        UserStore(gui_env).set_api_token(user.username, bundled.token_for(user.username, user.role))
        at = open_subject(user, subject["id"])
        at.number_input(key="subjects.page.log.0.Weighing.weight").set_value(21.0)
        at.button(key="subjects.page.log.0.Weighing.save").click().run()
    assert not at.exception and not at.error, values(at.error)
    warning = " ".join(values(at.warning))
    assert "refuses new entries in subject logs (HTTP 405)" in warning and "Nothing was saved" in warning
    assert at.number_input(key="subjects.page.log.0.Weighing.weight").value == 21.0  # kept to retry
    assert user.api.list_all("subjectlog", filters={"subject": subject["id"]}) == []


def test_any_log_type_is_a_schema_driven_form(make_user):
    """Issue 13: the log form asks the chosen type's fields from its schema; a required field left
    empty is an error at it and nothing is sent; filled in, the entry is saved in that type's log."""
    user = make_user("editor")
    subject = make_subject(user)
    at = open_subject(user, subject["id"])
    at.selectbox(key="subjects.page.log.type").set_value("GenericObservation").run()
    key = "subjects.page.log.0.GenericObservation"
    at.selectbox(key=f"{key}.details.observationType").set_value("Grooming")
    at.button(key=f"{key}.save").click().run()
    assert not at.exception
    assert any("Observation" in message for message in values(at.error)), values(at.error)
    assert user.api.list_all("subjectlog", filters={"subject": subject["id"]}) == []
    box = at.text_area(key=f"{key}.details.observation") if at.text_area else at.text_input(
        key=f"{key}.details.observation")
    box.input("Barbered whiskers on the left")
    at.button(key=f"{key}.save").click().run()
    assert not at.exception and not at.error, values(at.error)
    (log,) = user.api.list_all("subjectlog", filters={"subject": subject["id"]})
    assert log["type"] == "GenericObservation"
    assert log["entries"][0]["details"]["observation"] == "Barbered whiskers on the left"
    assert log["entries"][0]["details"]["observationType"] == "Grooming"
