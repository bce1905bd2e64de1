"""Issue 11: the record-screen kit takes a new record kind in a few lines (tests/apps/record_kit_app.py
defines one: hooks only), with the URL-bound table, the detail's extra tabs (where a History tab
goes), the focused form with fresh keys, and the delete confirmation."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.gui.apptest import REPO_ROOT, texts

APP = str(REPO_ROOT / "tests" / "apps" / "record_kit_app.py")


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def test_a_new_kind_gets_the_table_count_and_csv():
    at = _app()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[0].value["name"].tolist() == ["First note", "Second note"]
    assert "2 notes shown" in texts(at)
    assert at.get("download_button")[0].proto.label == "Download CSV"


def test_the_url_opens_the_record_with_its_extra_tabs():
    """Issue 11 (for issue 15): the detail panel takes extra tabs, e.g. History, beside the fields;
    only the open one is drawn (issue 17: opening a record reads no history nobody looks at)."""
    at = _app(note="n2")
    assert not at.exception, [e.value for e in at.exception]
    assert [tab.label for tab in at.tabs] == ["Fields", "History"]
    assert "world" in texts(at) and "history of n2" not in texts(at)  # only the open tab is drawn
    at.session_state["notes.detail.tab"] = "History"
    at.run()
    assert "history of n2" in texts(at) and "world" not in texts(at)
    assert at.button(key="notes.edit") and at.button(key="notes.duplicate") and at.button(key="notes.delete")


def test_duplicate_opens_a_focused_form_with_fresh_keys_and_cancel_returns():
    """(An Edit also reads the record's version from the backend: the Sessions/Actions tests cover it.)"""
    at = _app(note="n1")
    at.button(key="notes.duplicate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    key, mode = at.session_state["notes.prefilled"]
    assert (key, mode) == ("notes.form.1", "duplicate")
    assert at.text_input(key=f"{key}.name").value == "First note"
    assert not at.dataframe and "New note (duplicate)" in texts(at)  # the form replaces the list
    at.button(key=f"{key}.cancel").click().run()
    assert at.dataframe and "notes.form" not in at.session_state
    at.button(key="notes.new").click().run()
    assert at.session_state["notes.prefilled"] == ("notes.form.2", "create")  # a fresh key per opening
    assert at.text_input(key="notes.form.2.name").value == "" and "New note" in texts(at)


def test_delete_asks_once_more_with_a_red_yes_after_the_safe_button():
    at = _app(note="n1")
    at.button(key="notes.delete").click().run()
    assert "Delete “First note”?" in texts(at)
    no, yes = at.button(key="notes.delete.no"), at.button(key="notes.delete.yes")
    assert no.proto.type == "primary" and yes.label.startswith(":red[")
    no.click().run()
    assert "Delete “First note”?" not in texts(at)


def test_a_viewer_gets_no_write_buttons():
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["role"] = "viewer"
    at.query_params["note"] = "n1"
    at.run()
    assert not at.exception and "First note" in texts(at)
    assert not [b for b in at.button if b.key in ("notes.new", "notes.edit", "notes.delete")]


def test_every_kit_list_is_capped_with_show_all(monkeypatch):
    """Issue 17 ("a row cap with Show all on every list"): the kit itself cuts a screen's table to
    the newest ``ROW_LIMIT`` rows (this kind's hook returns all), says how many match, and
    "Show all" shows every row and can be switched off again."""
    monkeypatch.setattr("stemgui.gui.loaders.ROW_LIMIT", 1)
    at = _app()
    assert at.dataframe[0].value["name"].tolist() == ["First note"]
    assert "Showing the 1 newest of 2 matching notes" in texts(at)
    at.toggle(key="notes.show_all").set_value(True).run()
    assert at.dataframe[0].value["name"].tolist() == ["First note", "Second note"]
    assert "All 2 matching notes shown" in texts(at)
    at.toggle(key="notes.show_all").set_value(False).run()
    assert len(at.dataframe[0].value) == 1
