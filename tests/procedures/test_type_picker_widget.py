"""Issue 12 (GUI item 2): the type picker in Streamlit — typing ranks the options, each option says
its group, a choice is kept while typing (AppTest on tests/apps/type_picker_app.py)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from stemgui.procedure_types import GROUPS, picker_options

APP = str(Path(__file__).resolve().parents[1] / "apps" / "type_picker_app.py")


def run(start: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if start:
        at.session_state["start"] = start
    at.run()
    assert not at.exception, at.exception
    return at


def test_typing_ranks_and_picks_the_best_match():
    at = run()
    select = at.selectbox(key="proc.type")
    assert select.value is None and len(select.options) == 43
    assert select.options[0] == "Surgical · Anesthesia"  # picker order: the groups
    at.text_input(key="proc.type.search").set_value("fib").run()
    select = at.selectbox(key="proc.type")
    assert select.options == ["Implants · Optic fiber implant"]
    assert select.value == "OpticFiberImplant" and at.session_state["picked"] == "OpticFiberImplant"


def test_a_choice_is_kept_while_the_search_changes():
    at = run(start="VirusInjection")
    assert at.selectbox(key="proc.type").value == "VirusInjection"
    at.text_input(key="proc.type.search").set_value("craniot").run()
    select = at.selectbox(key="proc.type")
    assert select.value == "VirusInjection" and select.options[0] == "Injections · Virus injection"
    assert "Surgical · Craniotomy" in select.options
    select.set_value("Craniotomy").run()
    assert at.session_state["picked"] == "Craniotomy"


def test_no_match_says_so():
    at = run()
    at.text_input(key="proc.type.search").set_value("zzz").run()
    assert at.session_state["picked"] is None
    assert "No procedure type matches “zzz”." in at.caption[0].value


def test_picker_options_keep_the_choice_pure():
    assert picker_options("virus") == ["VirusInjection"]
    assert picker_options("virus", "Craniotomy") == ["Craniotomy", "VirusInjection"]
    assert picker_options("", None) == [n for members in GROUPS.values() for n in members]
