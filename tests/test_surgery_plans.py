"""Issue 14 item 2: plans and the lab's templates in <data dir>/surgery_plans.sqlite."""

import stat
import threading
from datetime import date, datetime

import pytest

from stemgui import surgery as sg
from stemgui.errors import StemGuiError
from stemgui.surgery_plans import FILE_NAME, PlanConflict, PlanNotFound, PlanStore, plan_from_records

DAY = date(2026, 11, 28)
DEFAULT = "bilateral CA1 AAV + fiber"


def test_default_template_shipped_once_private_file(tmp_path):
    """Issue 14 item 2: the default template is there on first use, the file is mode 600, and a
    deleted default is not brought back by the next start."""
    store = PlanStore(tmp_path)
    (template,) = store.templates()
    assert template.name == DEFAULT
    assert [s["payload"]["type"] for s in template.steps] == [
        "Anesthesia",
        "Craniotomy",
        "Craniotomy",
        "VirusInjection",
        "VirusInjection",
        "OpticFiberImplant",
        "OpticFiberImplant",
        "Headcap",
    ]
    assert stat.S_IMODE((tmp_path / FILE_NAME).stat().st_mode) == 0o600
    store.delete_template(template.id, template.version)
    assert PlanStore(tmp_path).templates() == []


def test_template_create_rename_update_delete_shared(tmp_path):
    """Issue 14 item 2: templates are editable and shared: another user's store sees them."""
    alice, bob = PlanStore(tmp_path), PlanStore(tmp_path)
    made = alice.create_template(
        "unilateral mPFC probe", [{"payload": {"type": "SiliconProbeImplant"}}], "alice"
    )
    seen = next(t for t in bob.templates() if t.id == made.id)
    renamed = bob.update_template(seen.id, seen.version, "bob", name="mPFC probe (left)")
    assert renamed.version == 2 and renamed.updated_by == "bob"
    steps = renamed.steps + [{"payload": {"type": "Headcap"}}]
    updated = alice.update_template(made.id, renamed.version, "alice", steps=steps)
    assert [s["payload"]["type"] for s in updated.steps] == ["SiliconProbeImplant", "Headcap"]
    alice.delete_template(updated.id, updated.version)
    with pytest.raises(PlanNotFound):
        bob.template(updated.id)


def test_template_concurrent_edit_refused(tmp_path):
    """Issue 14 item 2: two editors of one template: the second save, from the old version, is
    refused and nothing of it is written."""
    store = PlanStore(tmp_path)
    (template,) = store.templates()
    store.update_template(template.id, template.version, "alice", name="CA1 AAV + fiber (v2)")
    with pytest.raises(PlanConflict):
        store.update_template(template.id, template.version, "bob", steps=[{"payload": {"type": "Headcap"}}])
    assert len(store.template(template.id).steps) == 8
    with pytest.raises(PlanConflict):
        store.delete_template(template.id, template.version)


@pytest.mark.parametrize(("name", "steps", "field"), [
    ("", [{"payload": {"type": "Headcap"}}], "Template name"),
    ("x" * 121, [{"payload": {"type": "Headcap"}}], "Template name"),
    ("ok", [{"payload": {}}], "Steps"),
    (DEFAULT.upper(), [{"payload": {"type": "Headcap"}}], "Template name"),
])  # fmt: skip
def test_template_bad_input_names_field(tmp_path, name, steps, field):
    """Issue 14 item 2: bad input is a message naming the field; nothing is written."""
    store = PlanStore(tmp_path)
    with pytest.raises(StemGuiError, match=field):
        store.create_template(name, steps, "alice")
    assert len(store.templates()) == 1


def test_concurrent_creates_all_kept(tmp_path):
    """Issue 14 item 2: eight users creating templates at once: all eight stored, none lost."""
    errors = []

    def create(number: int) -> None:
        try:
            PlanStore(tmp_path).create_template(
                f"t{number}", [{"payload": {"type": "Headcap"}}], f"u{number}"
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    PlanStore(tmp_path)
    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(PlanStore(tmp_path).templates()) == 9


def test_plan_per_user_subject_day_and_marks(tmp_path):
    """Issue 14 item 2: a plan from the template for (user, subject, day); confirming and skipping
    are kept; the surgery rebuilt from records + plan shows them."""
    store = PlanStore(tmp_path)
    (template,) = store.templates()
    plan = store.plan_from_template("alice", "subj-1", DAY, template.id)
    assert plan.template == f"template: {DEFAULT}" and len(plan.steps) == 8
    assert store.plan("bob", "subj-1", DAY) is None
    with pytest.raises(PlanConflict):
        store.plan_from_template("alice", "subj-1", DAY, template.id)
    surgery = sg.surgery_from_records("subj-1", DAY, [], plan=plan.steps)
    done = sg.confirm_step(surgery, sg.next_planned(surgery), datetime(2026, 11, 28, 9, 0, 12))
    done.record_id = "rec-1"
    store.mark_step("alice", "subj-1", DAY, 0, done)
    store.mark_step("alice", "subj-1", DAY, 1, sg.skip_step(surgery, sg.next_planned(surgery)))
    kept = store.plan("alice", "subj-1", DAY)
    assert [s["state"] for s in kept.steps[:3]] == ["confirmed", "skipped", "planned"]
    record = {**done.payload, "id": "rec-1"}
    again = sg.surgery_from_records("subj-1", DAY, [record], plan=kept.steps)
    assert [s.state for s in sg.ordered_steps(again)][:3] == ["confirmed", "skipped", "planned"]
    assert sg.heading(again) == "Step 2 of 8 planned"


def test_plan_stale_save_refused(tmp_path):
    """Issue 14 item 2: a plan saved from an old version (another tab) is refused."""
    store = PlanStore(tmp_path)
    plan = store.save_plan("alice", "s", DAY, [{"payload": {"type": "Headcap"}}], None)
    store.save_plan("alice", "s", DAY, plan.steps * 2, plan.version)
    with pytest.raises(PlanConflict):
        store.save_plan("alice", "s", DAY, [], plan.version)
    assert len(store.plan("alice", "s", DAY).steps) == 2


def test_plan_copied_from_another_subject():
    """Issue 14 item 2: copying another subject's surgery keeps what and where, not who or when."""
    records = [
        {
            "id": "2",
            "type": "OpticFiberImplant",
            "subject": "other",
            "date_time": "2026-11-20T10:05:00",
            "coordinates_system": "Stereotaxic_BregmaAbsolute",
            "coordinates_details": {"mlCoordinate": 1.5},
            "brain_region": "ca1-id",
            "details": {},
        },
        {
            "id": "1",
            "type": "VirusInjection",
            "subject": "other",
            "date_time": "2026-11-20T10:00:00",
            "details": {"injectionVolume": {"value": 300, "unit": "nL"}},
        },
    ]
    steps = plan_from_records(records)
    assert [s["payload"]["type"] for s in steps] == ["VirusInjection", "OpticFiberImplant"]
    assert all(k not in s["payload"] for s in steps for k in ("id", "subject", "date_time"))
    assert steps[1]["payload"]["brain_region"] == "ca1-id" and steps[0]["state"] == "planned"


def test_surgeons_and_licenses_per_surgery(tmp_path):
    """Issue 14 item 1: surgeons and licences belong to the surgery (subject, day), seen by every
    user; a stale save is refused; no surgeon or a duplicate is a message naming the field."""
    store = PlanStore(tmp_path)
    empty = store.surgery_details("subj-1", DAY)
    assert (empty.surgeons, empty.licenses, empty.version) == ([], [], None)
    saved = store.save_surgery_details("subj-1", DAY, ["Alice Ng", " Bob Ruiz "], ["lic-1"], None, "alice")
    assert PlanStore(tmp_path).surgery_details("subj-1", DAY).surgeons == ["Alice Ng", "Bob Ruiz"]
    store.save_surgery_details("subj-1", DAY, ["Alice Ng"], ["lic-1"], saved.version, "bob")
    with pytest.raises(PlanConflict):
        store.save_surgery_details("subj-1", DAY, ["Carol"], [], saved.version, "carol")
    with pytest.raises(PlanConflict):
        store.save_surgery_details("subj-1", DAY, ["Carol"], [], None, "carol")
    for bad in ([], ["  "], ["Alice", "Alice"]):
        with pytest.raises(StemGuiError, match="Surgeon"):
            store.save_surgery_details("subj-2", DAY, bad, [], None, "alice")
    assert store.surgery_details("subj-1", DAY).surgeons == ["Alice Ng"]
