"""Issue 16 (GUI): the Import page in AppTest against the real bundled server — a CSV with mistakes
is checked (marked cells, counts, nothing written), a bad cell is fixed in the editor and checked
again, Commit writes exactly the valid rows, a re-import writes nothing; and the filtered Sessions
table's "Export for import" imports back unchanged."""

from __future__ import annotations

import os
import uuid
from datetime import datetime

import pytest
from streamlit.runtime.memory_media_file_storage import _calculate_file_id

from stemgui.auth import UserStore
from stemgui.gui import import_views
from stemgui.importing import MAX_ROWS, dry_run, read_table, template_csv
from stemgui.outbox import Outbox
from tests.faults import FaultProxy
from tests.gui.apptest import logged_in, texts
from tests.importing.lab import as_csv

COLUMNS = ["name", "projects", "date_time", "description"]


def _names(api, prefix: str) -> set[str]:
    return {s["name"] for s in api.list_all("session") if s["name"].startswith(prefix)}


def _metrics(at) -> dict[str, int]:
    return {m.label: int(m.value) for m in at.metric}


def _upload(at, data: bytes, name: str = "sessions.csv"):
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def imported(make_user):
    """An editor, their project, and a sessions file with two mistakes (unknown project, bad date)."""
    user = make_user("editor")
    project = f"ImportProject-{uuid.uuid4().hex[:6]}"
    user.api.save_model("project", data={"name": project})
    prefix = f"imp{os.getpid()}{uuid.uuid4().hex[:4]}-"
    rows = [
        [f"{prefix}a", project, "2024-05-01 10:00", "fine"],
        [f"{prefix}b", "NoSuchProjectAnywhere", "2024-05-02 10:00", "unknown project"],
        [f"{prefix}c", project, "2024-13-45", "bad date"],
        [f"{prefix}d", project, "2024-05-04 10:00", "fine"],
    ]
    return user, project, prefix, as_csv(COLUMNS, rows)


def test_dry_run_marks_cells_then_fix_recheck_commit_and_reimport(imported):
    """Issue 16 (GUI) items dry run, fix in place, commit, re-import: the sheet is shown with each
    bad cell marked and its message in the row's errors column, counts per outcome, nothing
    written; fixing the project cell in the editor and Re-check turns that row valid; Commit
    writes exactly the valid rows (with links to them); importing the same file again writes
    nothing."""
    user, project, prefix, data = imported
    at = logged_in(user, "pages/import.py")
    assert at.title[0].value == "Import" and not at.exception
    _upload(at, data)

    assert _metrics(at) == {"To create": 2, "To update": 0, "Unchanged": 0, "In error": 2}
    grid = at.dataframe[0]
    frame = grid.value
    errors = dict(zip(frame["row"], frame["errors"], strict=True))
    assert errors[3].startswith("projects:") and "NoSuchProjectAnywhere" in errors[3]
    assert errors[4].startswith("date_time:") and errors[2] == errors[5] == ""
    styles = str(grid.proto.arrow_data.styler.styles)
    assert import_views.BAD_CELL.split(";")[0] in styles  # the bad cells are painted
    assert _names(user.api, prefix) == set()  # the dry run wrote nothing

    # fix the unknown project in the editor (its first row is sheet row 3), then check again
    editor = next(d for d in at.dataframe if d.editing_mode != "read_only")
    edits = {"edited_rows": {0: {"projects": project}}, "added_rows": [], "deleted_rows": []}
    at.session_state[editor.key] = edits
    at.button(key="imports.recheck").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metrics(at) == {"To create": 3, "To update": 0, "Unchanged": 0, "In error": 1}
    assert _names(user.api, prefix) == set()

    at.button(key="imports.commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _names(user.api, prefix) == {f"{prefix}a", f"{prefix}b", f"{prefix}d"}
    assert "Created 3" in texts(at) and "skipped 1" in texts(at)
    links = at.dataframe[0].value["open"].tolist()
    ids = {s["id"] for s in user.api.list_all("session") if s["name"].startswith(prefix)}
    assert sorted(links) == sorted(f"sessions?session={i}" for i in ids)

    # the same file again (with the mistakes): nothing new to create, nothing written
    at.button(key="imports.again").click().run()
    _upload(at, data)
    assert _metrics(at) == {"To create": 0, "To update": 0, "Unchanged": 2, "In error": 2}
    assert at.button(key="imports.commit").disabled  # nothing to write
    assert _names(user.api, prefix) == {f"{prefix}a", f"{prefix}b", f"{prefix}d"}


def test_reimport_of_the_committed_rows_creates_nothing(imported):
    """Issue 16 (GUI) item re-import: a valid file committed twice creates its records once; the
    second dry run finds them unchanged and Commit has nothing to write."""
    user, project, prefix, _ = imported
    data = as_csv(COLUMNS, [[f"{prefix}x", project, "2024-06-01 09:00", ""], [f"{prefix}y", project, "", ""]])
    at = logged_in(user, "pages/import.py")
    _upload(at, data)
    at.button(key="imports.commit").click().run()
    assert _names(user.api, prefix) == {f"{prefix}x", f"{prefix}y"}
    before = len(user.api.list_all("session"))
    at.button(key="imports.again").click().run()
    _upload(at, data)
    assert _metrics(at) == {"To create": 0, "To update": 0, "Unchanged": 2, "In error": 0}
    assert at.button(key="imports.commit").disabled
    assert len(user.api.list_all("session")) == before


def test_export_of_the_filtered_sessions_imports_back_unchanged(imported):
    """Issue 16 (GUI) item export: the Sessions page offers "Export for import"; the export of the
    table's rows (filtered to the user's project) reads back as a dry run of all-unchanged rows."""
    user, project, prefix, _ = imported
    project_id = next(p["id"] for p in user.api.list_all("project") if p["name"] == project)
    for letter in "pq":
        body = {"name": f"{prefix}{letter}", "projects": [project_id], "description": "exported"}
        user.api.save_model("session", data=body)
    at = logged_in(user, "pages/sessions.py")
    assert any(b.proto.id.endswith("imports.export.session") for b in at.get("download_button"))
    shown = at.dataframe[0].value
    ids = [s["id"] for s in user.api.list_all("session") if s["name"].startswith(prefix)]
    assert set(shown["name"]) >= {f"{prefix}p", f"{prefix}q"}
    exported = import_views.export_for_import(user.api, "session", ids)
    result = dry_run(user.api, "session", read_table(exported, "export.csv"))
    assert result.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}


def test_a_commit_with_the_backend_gone_midway_keeps_the_rest_queued(
    monkeypatch, make_user, bundled, gui_env
):
    """Issue 16 (GUI) item interrupted commit: the backend stops answering after the first row is
    written; the other rows wait in the outbox whole, and the summary says how many are queued
    (in the store's "saved locally" words) and offers the report of rows not written."""
    user = make_user("editor")
    project = f"ImportProject-{uuid.uuid4().hex[:6]}"
    user.api.save_model("project", data={"name": project})
    prefix = f"down{os.getpid()}{uuid.uuid4().hex[:4]}-"
    data = as_csv(COLUMNS, [[f"{prefix}{n}", project, "2024-07-01 09:00", ""] for n in range(3)])

    def first_post_then_down(handler) -> None:
        if handler.command == "POST":
            proxy.fail_next(10_000)  # this create goes through; every later request gets 503

    with FaultProxy(bundled.url, before_forward=first_post_then_down) as proxy:
        monkeypatch.setenv("STEMGUI_API_URL", proxy.url)
        UserStore(gui_env).set_api_token(user.username, bundled.token_for(user.username, user.role))
        at = logged_in(user, "pages/import.py")
        _upload(at, data)
        assert _metrics(at)["To create"] == 3
        at.button(key="imports.commit").click().run()
        assert not at.exception, [e.value for e in at.exception]
        page = texts(at)
        entries = Outbox(gui_env, user.username).entries()
    assert len(_names(user.api, prefix)) == 1
    assert sorted(e.payload["name"] for e in entries) == sorted(f"{prefix}{n}" for n in range(3))[1:]
    assert "Created 1" in page and "2 rows not written yet" in page and "saved locally — 2 waiting" in page
    assert any(b.proto.id.endswith("imports.report") for b in at.get("download_button"))


def test_a_file_over_the_limits_gets_a_clear_message_and_no_dry_run(make_user):
    """Issue 16 (GUI) item limits: a file with more rows than MAX_ROWS, and a macro workbook, are
    refused with a message saying the limit or what to do, and no dry run is shown."""
    user = make_user("editor")
    at = logged_in(user, "pages/import.py")
    too_long = as_csv(["name"], [[f"s{n}"] for n in range(MAX_ROWS + 1)])
    _upload(at, too_long, "big.csv")
    assert f"up to {MAX_ROWS:,} are imported at once" in " ".join(e.value for e in at.error)
    assert not at.metric and not at.dataframe
    _upload(at, b"PK\x03\x04macro", "macros.xlsm")
    assert ".xlsm files are not imported" in " ".join(e.value for e in at.error)
    assert not at.metric


def _offers(at, key: str, data: bytes, file_name: str, mime: str) -> bool:
    """Whether the download button ``key`` offers exactly ``data`` (Streamlit's file id is its hash)."""
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    return button.proto.url.split("/")[-1].split(".")[0] == _calculate_file_id(data, mime, file_name)


@pytest.mark.parametrize(
    ("forced", "kind", "title"), [("", "procedure", "Procedures"), ("action", "action", "Actions")]
)
def test_templates_per_kind_and_procedure_type(monkeypatch, make_user, forced, kind, title):
    """Issue 16 (GUI) item templates: the third kind is procedures, or actions on an action-only
    backend (``surgery_model``; forced here by its setting); a type and a coordinates system
    chosen give that type's template, in CSV and XLSX."""
    monkeypatch.setenv("STEMGUI_SURGERY_MODEL", forced)
    user = make_user("editor")
    at = logged_in(user, "pages/import.py")
    assert at.radio(key="imports.kind").options == ["Subjects", "Sessions", title]
    assert _offers(at, "imports.template.csv", template_csv("session"), "session-template.csv", "text/csv")
    at.radio(key="imports.kind").set_value(kind).run()
    at.selectbox(key=f"imports.type.{kind}").set_value("VirusInjection").run()
    at.selectbox(key=f"imports.system.{kind}").set_value("Stereotaxic_BregmaAbsolute").run()
    assert not at.exception, [e.value for e in at.exception]
    name = f"{kind}-VirusInjection-Stereotaxic_BregmaAbsolute-template"
    expected = template_csv(kind, "VirusInjection", "Stereotaxic_BregmaAbsolute")
    assert b"details.injectionVolume" in expected and b"details.fiberTipShape" not in expected
    assert _offers(at, "imports.template.csv", expected, f"{name}.csv", "text/csv")


def test_actions_table_offers_export_for_import_and_it_round_trips(make_user):
    """Issue 16 (GUI) item export: the Actions table offers "Export for import" too; an action
    (details and coordinates) exported reads back as unchanged."""
    user = make_user("editor")
    subject = user.api.list_all("subject")[0]["id"]
    action = {
        "type": "OpticFiberImplant", "subject": subject, "description": f"export {uuid.uuid4().hex[:6]}",
        # dated now: the table shows the 100 newest, and this process's backend holds more
        # dated actions from other tests (an undated one sorts last)
        "date_time": datetime.now().replace(microsecond=0).isoformat(),
        "details": {"fiberTipShape": "flat"}, "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {"apCoordinate": -1.5, "mlCoordinate": 2.0, "dvCoordinate": -3.0},
    }  # fmt: skip
    saved = user.api.save_model("action", data=action)["action"]
    at = logged_in(user, "pages/actions.py")
    assert any(b.proto.id.endswith("imports.export.action") for b in at.get("download_button"))
    assert saved["id"] in set(at.dataframe[0].value.index) | set(at.dataframe[0].value.get("id", []))
    exported = import_views.export_for_import(user.api, "action", [saved["id"]])
    result = dry_run(user.api, "action", read_table(exported, "actions.csv"))
    assert result.counts == {"create": 0, "update": 0, "unchanged": 1, "error": 0}, result.errors
