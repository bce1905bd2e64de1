"""The record pages of this wave attacked through the GUI: an editor who is not a member of a
lab's project opens that lab's subject, subject log, procedure, surgery and deleted records by
deep link and picker, and absurd ids arrive in every record parameter. Nothing of the other lab
appears (the bundled server refuses; the pages must not show cached or guessed data either),
and nothing is a traceback."""

from __future__ import annotations

import itertools
import os
from datetime import date

import pytest

from tests.gui.apptest import logged_in, texts

_numbers = itertools.count(1)
SECRET = "not for other labs"


def _name(stem: str) -> str:
    return f"{stem} {os.getpid()}-{next(_numbers)}"


@pytest.fixture
def lab_secrets(make_user):
    """An owner's private project with a subject, a weighing, a procedure and a deleted session;
    a stranger (editor, another user, not a member)."""
    owner, stranger = make_user("editor"), make_user("editor")
    lab = {"name": _name("Private lab"), "description": SECRET}
    project = owner.api.save_model("project", data=lab)["project"]
    strain = owner.api.list_all("strain")[0]["id"]
    subject = owner.api.save_model("subject", data={
        "name": _name("Secret mouse"), "strain": strain, "sex": "F", "projects": [project["id"]],
        "description": SECRET})["subject"]  # fmt: skip
    log = owner.api.save_model("subjectlog", data={
        "type": "Weighing", "subject": subject["id"], "description": SECRET,
        "entries": [{"date_time": f"{date.today()}T09:00:00Z", "notes": SECRET,
                     "details": {"weight": {"value": 23.5, "unit": "g"}}}]})["subject_log"]  # fmt: skip
    procedure = owner.api.save_model("procedure", data={
        "type": "Headcap", "subject": subject["id"], "date_time": f"{date.today()}T10:00:00",
        "notes": SECRET, "details": {}, "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {"apCoordinate": {"value": -2.0, "unit": "mm"}}})["procedure"]  # fmt: skip
    gone = owner.api.save_model("session", data={"name": _name("Deleted secret"), "projects": [project["id"]],
                                                 "description": SECRET})["session"]  # fmt: skip
    owner.api.delete_model("session", id=gone["id"])
    return {"owner": owner, "stranger": stranger, "subject": subject, "log": log, "procedure": procedure,
            "gone": gone}  # fmt: skip


def _shows_nothing_of(at, secrets) -> None:
    assert not at.exception, [e.value for e in at.exception]
    page = texts(at)
    assert SECRET not in page and secrets["subject"]["name"] not in page
    assert secrets["owner"].username not in page and secrets["gone"]["name"] not in page


def test_another_labs_subject_and_its_log_by_deep_link(lab_secrets):
    at = logged_in(lab_secrets["stranger"], "pages/subjects.py", subject=lab_secrets["subject"]["id"],
                   subjectlog=lab_secrets["log"]["id"])  # fmt: skip
    _shows_nothing_of(at, lab_secrets)
    assert "cannot see it" in texts(at) or "does not exist" in texts(at)


def test_another_labs_procedure_by_deep_link(lab_secrets):
    at = logged_in(lab_secrets["stranger"], "pages/procedures.py", procedure=lab_secrets["procedure"]["id"])
    _shows_nothing_of(at, lab_secrets)


def test_another_labs_subject_is_not_offered_for_a_surgery_nor_its_deleted_records(lab_secrets):
    at = logged_in(lab_secrets["stranger"], "pages/surgery_day.py")
    _shows_nothing_of(at, lab_secrets)
    assert lab_secrets["subject"]["id"] not in at.selectbox(key="actions.day.subject").options
    assert not [o for o in at.selectbox(key="actions.day.subject").options if "Secret mouse" in o]
    at = logged_in(lab_secrets["stranger"], "pages/deleted.py")
    _shows_nothing_of(at, lab_secrets)
    at = logged_in(lab_secrets["stranger"], "pages/lab.py")
    _shows_nothing_of(at, lab_secrets)


@pytest.mark.parametrize("absurd", ["' OR 1=1 --", "../../etc/passwd", "x" * 5000, "%00", "-1", "😀"])
def test_absurd_record_ids_in_every_record_link_are_a_message(make_user, absurd):
    user = make_user("editor")
    for page, kind in [("pages/subjects.py", "subject"), ("pages/procedures.py", "procedure"),
                       ("pages/actions.py", "action"), ("pages/sessions.py", "session")]:  # fmt: skip
        at = logged_in(user, page, **{kind: absurd})
        assert not at.exception, (page, [e.value for e in at.exception])
        assert all(len(str(e.value)) < 600 for e in [*at.error, *at.warning])  # said, not echoed whole
