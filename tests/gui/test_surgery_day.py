"""The Surgery-day page through AppTest against the bundled server: three actions in a row with
a mirrored bilateral target, checked through the API; each entry starting from the last one;
edit and delete in the running list; the summary; editors only. Plus its pure helpers."""

from __future__ import annotations

import itertools
import os
from datetime import date, time

import pytest
from streamlit.testing.v1 import AppTest

from stemgui import action_payload as ap
from tests.gui.action_helpers import region_id
from tests.gui.apptest import logged_in, unescape

PAGE = "pages/surgery_day.py"
_numbers = itertools.count(1)


def new_subject(user, prefix: str = "Mouse ") -> tuple[str, str]:
    """A fresh subject (no actions yet) in the user's first project: (name, id)."""
    name = f"{prefix}{os.getpid()}-{next(_numbers)}"
    body = {"name": name, "strain": user.api.list_all("strain")[0]["id"], "sex": "M",
            "projects": [user.api.list_all("project")[0]["id"]]}
    return name, user.api.save_model("subject", data=body)["subject"]["id"]


def open_day(user, subject: str, day: date) -> AppTest:
    at = logged_in(user, PAGE)
    at.selectbox(key="actions.day.subject").set_value(subject)
    at.date_input(key="actions.day.date").set_value(day)
    return at.run()


def entry_key(at) -> str:
    return at.session_state["actions.day.entry"]["key"]


def log(at) -> AppTest:
    at.button(key=f"{entry_key(at)}.save").click()
    return at.run()


def subject_actions(user, subject: str) -> list[dict]:
    return user.api.list_all("action", filters={"subject": subject})


def api_action(user, subject: str, day: date, clock: str, **fields) -> dict:
    body = {"type": "VirusInjection", "subject": subject, "date_time": f"{day.isoformat()}T{clock}",
            "coordinates_system": "Stereotaxic_BregmaAbsolute", "details": {"injectionVolume": 100.0},
            "coordinates_details": {"apCoordinate": -2.0, "mlCoordinate": 1.0}, **fields}
    return user.api.save_model("action", data=body)["action"]


# ---------------------------------------------------------------- the surgery as the unit (issue 14)

TEMPLATE = "bilateral CA1 AAV + fiber"


def open_surgery(user, subject: str, day: date | None = None) -> AppTest:
    at = logged_in(user, PAGE)
    at.selectbox(key="actions.day.subject").set_value(subject)
    at.date_input(key="actions.day.date").set_value(day or date.today())
    return at.run()


def form_key(at) -> str:
    return at.session_state["surgery.entry"]["key"]


def step_lines(at) -> list[str]:
    """The steps as listed on the right: "✓ 1. 10:00:31 — Virus Injection … / state"."""
    from stemgui.gui.surgery_views import STATE_ICONS
    from stemgui.surgery import CONFIRMED, PLANNED, QUEUED, SKIPPED

    symbols = {STATE_ICONS[CONFIRMED]: "✓", STATE_ICONS[QUEUED]: "⏳", STATE_ICONS[PLANNED]: "○",
               STATE_ICONS[SKIPPED]: "⊘"}
    return [symbols[icon] + unescape(m.value)[len(icon):] for m in at.markdown
            for icon in symbols if m.value.startswith(icon)]


def plan_from_template(at, user) -> AppTest:
    from stemgui.surgery_plans import PlanStore

    template_id = next(t.id for t in PlanStore(user_data_dir()).templates() if t.name == TEMPLATE)
    at.selectbox(key="surgery.template").set_value(template_id).run()
    return at.button(key="surgery.use_template").click().run()


def user_data_dir():
    return os.environ["STEMGUI_DATA_DIR"]


def procedures(user, subject: str) -> list[dict]:
    return sorted(user.api.list_all("procedure", filters={"subject": subject}), key=lambda r: r["date_time"])


def api_procedure(user, subject: str, clock: str, volume: float = 100, ml: float = 1.5, **fields) -> dict:
    body = {"type": "VirusInjection", "subject": subject, "date_time": f"{date.today().isoformat()}T{clock}",
            "coordinates_system": "Stereotaxic_BregmaAbsolute",
            "details": {"injectionVolume": {"value": volume, "unit": "nL"}},
            "coordinates_details": {"apCoordinate": {"value": -2.0, "unit": "mm"},
                                    "mlCoordinate": {"value": ml, "unit": "mm"}}, **fields}
    return user.api.save_model("procedure", data=body)["procedure"]


def volume_key(at) -> str:
    key = form_key(at)
    return next(n.key for n in at.number_input if n.key.startswith(key) and "injectionVolume" in n.key)


def test_a_planned_surgery_confirmed_skipped_edited_first_and_an_unplanned_step(make_user):
    """Issue 14 (plans): a plan from the lab template; a planned step confirmed with ONE click; a
    skipped step stays listed, marked; the next planned step edited first (reality differed);
    an unplanned step added; all in order on the server, the record and summary listing every step."""
    user = make_user("editor")
    _, subject = new_subject(user)
    at = plan_from_template(open_surgery(user, subject), user)
    assert not at.exception
    assert len(step_lines(at)) == 8 and all("planned" in line for line in step_lines(at))
    assert at.session_state["surgery.entry"]["source"] == "planned"  # the form holds step 1

    at.button(key="surgery.confirm.p0").click().run()  # one click: Anesthesia done
    assert [p["type"] for p in procedures(user, subject)] == ["Anesthesia"]
    at.button(key="surgery.skip.p1").click().run()  # the left craniotomy was not needed
    lines = step_lines(at)
    assert lines[0].startswith("✓ 1.") and "Anesthesia" in lines[0]
    assert any(line.startswith("⊘") and "skipped" in line for line in lines)
    assert "Step 2 of 8 planned" in [h.value for h in at.subheader][0]

    # the form now holds the right craniotomy; the next: the left virus injection, edited first
    at.button(key=f"{form_key(at)}.save").click().run()  # Log = confirm the planned craniotomy
    assert at.session_state["surgery.entry"]["source"] == "planned"
    at.number_input(key=volume_key(at)).set_value(250.0)
    at.button(key=f"{form_key(at)}.save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    stored = procedures(user, subject)
    assert [p["type"] for p in stored] == ["Anesthesia", "Craniotomy", "VirusInjection"]
    assert stored[-1]["details"]["injectionVolume"]["value"] == 250.0
    assert stored[-1]["brain_region"] == region_id(user, "CA1")  # the template's acronym resolved

    at.button(key=f"{form_key(at)}.unplanned").click().run()  # an unplanned step: from the last one
    assert at.session_state["surgery.entry"]["source"] == "unplanned"
    at.button(key=f"{form_key(at)}.save").click().run()
    assert len(procedures(user, subject)) == 4
    summary = at.code[0].value
    assert "[skipped]" in summary and "[planned]" in summary and summary.count("Virus Injection") >= 3
    at.toggle(key="surgery.printable").set_value(True).run()
    assert not at.exception
    assert any(b.proto.label.startswith("Download the record") for b in at.get("download_button"))


def test_seconds_kept_through_an_edit_and_the_next_entry_starts_from_the_last(make_user):
    """Issue 14 (Why 2 and 3): editing an older step kept 21:10:5x -> 21:10:00, moving it up the
    list; and the next entry then started from the edited step. Now the seconds stay and the next
    entry starts from the step logged last."""
    user = make_user("editor")
    _, subject = new_subject(user)
    older = api_procedure(user, subject, "10:00:52", volume=100)
    api_procedure(user, subject, "10:00:31", volume=999, type="OpticFiberImplant", details={})
    api_procedure(user, subject, "10:01:07", volume=300)
    at = open_surgery(user, subject)
    at.button(key=f"actions.day.edit.{older['id']}").click().run()
    at.text_input(key=f"{form_key(at)}.notes").input("bevel down")
    at.button(key=f"{form_key(at)}.save").click().run()
    assert not at.exception and not at.error
    stored = user.api.load_model("procedure", id=older["id"])["procedure"]
    assert stored["date_time"].startswith(f"{date.today().isoformat()}T10:00:52")
    assert stored["notes"] == "bevel down"
    assert "10:00:31" in step_lines(at)[0] and "10:00:52" in step_lines(at)[1]  # order kept
    assert at.session_state["surgery.entry"]["mode"] == "new"
    assert at.number_input(key=volume_key(at)).value == 300  # the last logged, not the edited one


def test_virus_fiber_virus_keeps_the_volume_and_steppers_move_by_unit(make_user):
    """Issue 14 (Why 6): virus -> fiber -> virus reset the volume to 0; the ± steppers moved
    0.01 mm. Now the last virus's volume comes back and AP/ML/DV step by 0.05 mm, angles by 1°."""
    user = make_user("editor")
    _, subject = new_subject(user)
    api_procedure(user, subject, "09:00:00", volume=275)
    at = open_surgery(user, subject)
    key = form_key(at)
    at.selectbox(key=f"{key}.type").set_value("OpticFiberImplant").run()
    at.selectbox(key=f"{key}.type").set_value("VirusInjection").run()
    assert not at.exception
    assert at.number_input(key=volume_key(at)).value == 275
    steps = {n.key.rsplit(".", 1)[-1]: n.step for n in at.number_input if ".coords." in n.key}
    assert steps["apCoordinate"] == 0.05 and steps["mlCoordinate"] == 0.05 and steps["apAngle"] == 1
    # plausibility at the field, never blocking (issue 14): ML 15 mm is outside a mouse brain
    ml = next(n.key for n in at.number_input if n.key.endswith(".mlCoordinate"))
    at.number_input(key=ml).set_value(15.0).run()
    assert any(unescape(w.value).startswith("ML +15 mm") for w in at.warning), [w.value for w in at.warning]
    at.button(key=f"{form_key(at)}.save").click().run()
    assert len(procedures(user, subject)) == 2


def test_two_subjects_with_one_name_each_open_their_own_surgery(make_user):
    """The subject picker sends the label shown; two mice with one name both opened the first's
    surgery (and a plan copied from "the other" copied the wrong mouse's steps)."""
    user = make_user("editor")
    name, first = new_subject(user, prefix="Twin ")
    body = {"name": name, "strain": user.api.list_all("strain")[0]["id"], "sex": "F",
            "projects": [user.api.list_all("project")[0]["id"]]}
    second = user.api.save_model("subject", data=body)["subject"]["id"]
    api_procedure(user, second, "09:00:00", volume=123)
    at = open_surgery(user, second)
    assert not at.exception
    assert at.session_state["actions.day.subject"] == second
    assert len(step_lines(at)) == 1


def test_a_plan_copied_from_another_subjects_surgery(make_user):
    """Issue 14 (plans): copy the steps of another subject's surgery as this one's plan."""
    user = make_user("editor")
    _, done_subject = new_subject(user)
    api_procedure(user, done_subject, "09:00:00", volume=321)
    _, subject = new_subject(user)
    at = open_surgery(user, subject)
    at.selectbox(key="surgery.copy_subject").set_value(done_subject)
    at.date_input(key="surgery.copy_day").set_value(date.today()).run()
    at.button(key="surgery.copy").click().run()
    assert not at.exception
    assert len(step_lines(at)) == 1 and "planned" in step_lines(at)[0]
    at.button(key="surgery.confirm.p0").click().run()
    copied = procedures(user, subject)
    assert len(copied) == 1 and copied[0]["details"]["injectionVolume"]["value"] == 321


def test_mirror_double_click_logs_one_twin_and_the_subject_is_remembered(make_user):
    """Issue 14 (Why 6): Mirror had no guard (a double click logged two twins); switching page and
    back forgot the subject. Delete in the list still asks first."""
    user = make_user("editor")
    _, subject = new_subject(user)
    first = api_procedure(user, subject, "09:00:00", ml=-1.5)
    at = open_surgery(user, subject)
    at.button(key=f"actions.day.mirror.{first['id']}").click().run()
    at.button(key=f"actions.day.mirror.{first['id']}").click().run()  # the second click of a double click
    stored = procedures(user, subject)
    assert sorted(p["coordinates_details"]["mlCoordinate"]["value"] for p in stored) == [-1.5, 1.5]
    assert any("already logged" in w.value for w in at.warning)
    twin = next(p for p in stored if p["id"] != first["id"])
    at.button(key=f"actions.day.delete.{twin['id']}").click().run()
    at.button(key="actions.day.confirm_delete.yes").click().run()  # delete, after a confirmation
    assert [p["id"] for p in procedures(user, subject)] == [first["id"]] and len(step_lines(at)) == 1
    at.switch_page("pages/actions.py").run()
    at.switch_page(PAGE).run()
    assert at.selectbox(key="actions.day.subject").value == subject and not at.exception


def test_steps_logged_while_the_backend_is_down_are_shown_counted_and_sent_once_in_order(
        make_user, bundled, gui_env, monkeypatch):  # fmt: skip
    """Issue 14 (Why 4, Show): queued steps were missing from the list and the summary and the
    heading stayed "Entry 5". Now a step confirmed and one logged while the backend is down are
    listed "waiting to send", counted in the heading and the summary, and sent once, in order."""
    from stemgui.auth import UserStore
    from tests.faults import FaultProxy

    user = make_user("editor")
    _, subject = new_subject(user)
    with FaultProxy(bundled.url) as proxy:
        monkeypatch.setenv("STEMGUI_API_URL", proxy.url)
        UserStore(gui_env).set_api_token(user.username, bundled.token_for(user.username, user.role))
        at = plan_from_template(open_surgery(user, subject), user)
        at.button(key="surgery.confirm.p0").click().run()  # online
        proxy.fail_next(10**6)  # the backend stops answering (a gateway error)
        at.button(key="surgery.confirm.p1").click().run()  # queued
        at.button(key="surgery.skip.p2").click().run()
        at.button(key=f"{form_key(at)}.save").click().run()  # the left virus injection: queued
        assert not at.exception
        lines = step_lines(at)
        assert [line[:1] for line in lines[:3]] == ["✓", "⏳", "⏳"]
        assert sum("waiting to send" in line for line in lines) == 2
        assert "Step 4 of 8 planned" in at.subheader[0].value
        assert at.code[0].value.count("[waiting to send]") == 2
        assert len(procedures(user, subject)) == 1
        proxy.fail_next(0)  # back
        at.run()
        at.run()
        stored = procedures(user, subject)
        assert [p["type"] for p in stored] == ["Anesthesia", "Craniotomy", "VirusInjection"]
        at.run()
        assert len(procedures(user, subject)) == 3  # sent once
        assert [line[:1] for line in step_lines(at)[:3]] == ["✓", "✓", "✓"]


def test_lab_templates_surgeons_and_the_pre_op_weight(make_user):
    """Issue 14 (plans, the unit): the template editor (create, rename, update, delete); the
    surgeons kept with the plans; the pre-op weight logged as a Weighing subject-log entry; all
    three in the summary."""
    from stemgui.surgery_plans import PlanStore

    user = make_user("editor")
    _, subject = new_subject(user)
    api_procedure(user, subject, "09:00:00")
    at = open_surgery(user, subject)
    name = f"Tmpl {os.getpid()}-{next(_numbers)}"
    at.text_input(key="surgery.template_name").input(name).run()
    at.button(key="surgery.new_template").click().run()
    store = PlanStore(user_data_dir())
    made = next(t for t in store.templates() if t.name == name)
    assert [s["payload"]["type"] for s in made.steps] == ["VirusInjection"]
    at.text_input(key="surgery.template_name").input(name + " v2").run()
    at.button(key=f"surgery.rename.{made.id}").click().run()
    assert store.template(made.id).name == name + " v2"
    at.button(key=f"surgery.update.{made.id}").click().run()
    at.button(key=f"surgery.delete_template.{made.id}").click().run()
    assert all(t.id != made.id for t in store.templates()) and not at.exception

    at.text_input(key="surgery.surgeons").input("A. Surgeon, B. Helper")
    at.button(key="surgery.save_details").click().run()
    at.number_input(key="surgery.weight").set_value(24.5)
    at.selectbox(key="surgery.weight_unit").set_value("g").run()
    at.button(key="surgery.log_weight").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    logs = user.api.list_all("subjectlog", filters={"subject": subject})
    weighing = next(log for log in logs if log["type"] == "Weighing")
    assert weighing["entries"][-1]["details"]["weight"] == {"value": 24.5, "unit": "g"}
    summary = at.code[0].value
    assert "Surgeon(s): A. Surgeon, B. Helper" in summary and "Pre-op weight: 24.5 g" in summary


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-05-01", (date(2025, 5, 1), None)),
    ("2025-05-01T10:30:45", (date(2025, 5, 1), time(10, 30))),
    ("2025-05-01T10:30:00+02:00", (date(2025, 5, 1), time(10, 30))),
    ("", (None, None)), (None, (None, None)), ("yesterday", (None, None)),
])  # fmt: skip
def test_parse_date_time(value, expected):
    assert ap.parse_date_time(value) == expected


def test_the_offline_copy_survives_a_bundled_backend_restart_on_a_new_port(make_user, monkeypatch):
    """Issue 14 (Why 5): after the bundled backend restarted on a new port the page said "This was
    not loaded before …" although it was used minutes before. The restart is simulated by pointing
    the app at a new loopback port where nothing answers yet (``context.backend_url`` patched):
    the surgery is shown from its offline copy, keyed by user and data dir, not the port."""
    from stemgui.gui import context
    from tests.faults import ClosedPort

    user = make_user("editor")
    _, subject = new_subject(user)
    api_procedure(user, subject, "09:00:00")
    at = open_surgery(user, subject)
    assert len(step_lines(at)) == 1
    with ClosedPort() as restarted:
        monkeypatch.setattr(context, "backend_url", lambda: restarted.url)
        at.run()
        assert not at.exception
        assert not any("was not loaded before" in i.value for i in at.info)
        assert len(step_lines(at)) == 1 and "09:00:00" in step_lines(at)[0]


def test_a_refused_step_is_said_at_the_form_and_names_are_shown_as_text(make_user):
    """Issue 14 (kept from the old page's tests): a step the server refuses is not logged, the
    message names the field and the form keeps what was typed; names and notes holding markdown
    or HTML are shown as text in the list and the summary."""
    user = make_user("editor")
    name, subject = new_subject(user, prefix="<b>Mouse</b> **bold** ")
    api_procedure(user, subject, "09:00:00", notes="<script>x</script> *em*")
    at = open_surgery(user, subject)
    assert not at.exception
    assert name in at.code[0].value and "<script>x</script> *em*" in at.code[0].value
    assert all("<b>" not in h.value for h in at.subheader)
    key = form_key(at)
    at.selectbox(key=f"{key}.type").set_value("Anesthesia").run()
    at.text_input(key=f"{key}.notes").input("typed")
    at.button(key=f"{key}.save").click().run()
    assert not at.exception
    assert at.error and len(procedures(user, subject)) == 1, [e.value for e in at.error]
    assert at.text_input(key=f"{key}.notes").value == "typed"
