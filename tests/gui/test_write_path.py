"""Issue 11: one write path in the GUI — the store (stemgui/gui/store.py) is the only caller of the
outbox's save/delete, "saved locally" is worded once, and no GUI function takes a client it never uses."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.gui.apptest import REPO_ROOT

GUI_FILES = sorted([*(REPO_ROOT / "stemgui" / "gui").glob("*.py"), *(REPO_ROOT / "pages").glob("*.py"),
                    REPO_ROOT / "app.py"])  # fmt: skip


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


def test_saved_locally_is_worded_in_one_place():
    """Issue 11: the "saved locally — N waiting" text is built in one place (it was in three:
    the sidebar, ui.queued_note and ui_offline.queued_message, worded two ways)."""
    wording = re.compile(r"saved locally — ", re.IGNORECASE)
    found = [_relative(path) for path in GUI_FILES if wording.search(path.read_text())]
    assert found == ["stemgui/gui/store.py"], found


def test_only_the_store_writes_through_the_outbox():
    """Issue 11: ui.save -> ui_offline.save -> outbox.save_or_queue is one call: Store.save."""
    callers = [_relative(path) for path in GUI_FILES
               if re.search(r"\b(save_or_queue|delete_or_queue)\(", path.read_text())]  # fmt: skip
    assert callers == ["stemgui/gui/store.py"], callers


def _unused_client_parameters(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    unused = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        params = {a.arg for a in [*node.args.args, *node.args.kwonlyargs]} & {"client", "_client"}
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        unused += [f"{_relative(path)}:{node.lineno} {node.name}({name})" for name in params - used]
    return unused


def test_no_gui_function_takes_a_client_it_does_not_use():
    """Issue 11: the ``client`` parameter threaded through eight signatures and never used is gone."""
    unused = [found for path in GUI_FILES for found in _unused_client_parameters(path)]
    assert unused == [], unused
