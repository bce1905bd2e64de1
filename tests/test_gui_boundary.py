"""Issue 11: nothing outside stemgui/gui/ imports Streamlit.

Every module of the ``stemgui`` package outside ``stemgui.gui`` (the bundled server's too) is
imported in a fresh interpreter, which must not have loaded ``streamlit`` afterwards.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import stemgui

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECK = (
    "import importlib, sys\n"
    "for name in sys.argv[1:]:\n"
    "    before = set(sys.modules)\n"
    "    importlib.import_module(name)\n"
    "    if 'streamlit' in sys.modules:\n"
    "        came = sorted(m for m in set(sys.modules) - before if m.startswith('stemgui.'))\n"
    "        print(f'importing {name} loads streamlit; stemgui modules it loaded: {came}')\n"
    "        break\n"
)


def _modules() -> list[str]:
    names = [info.name for info in pkgutil.walk_packages(stemgui.__path__, "stemgui.")]
    # ``__main__`` modules run their program when imported; their imports are their package's
    inside_gui = ("stemgui.gui", "stemgui.gui.")
    return sorted(name for name in names if not (name.startswith(inside_gui) or name.endswith(".__main__")))


def test_the_walk_finds_the_pure_modules_and_the_server():
    names = _modules()
    assert {"stemgui.client", "stemgui.outbox", "stemgui.server.app", "stemgui.form_errors"} <= set(names)
    assert not any(name.startswith("stemgui.gui") for name in names)


def test_no_module_outside_the_gui_imports_streamlit():
    """Issue 11 (boundary): the modules are imported one after the other in one fresh interpreter;
    the first whose import loads ``streamlit`` is named with the stemgui modules that came with it
    (the culprit is among them). One interpreter per module cost ~0.4 s a module."""
    done = subprocess.run([sys.executable, "-c", CHECK, *_modules()], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", done.stdout
