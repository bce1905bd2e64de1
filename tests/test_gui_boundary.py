"""Issue 11: nothing outside stemgui/gui/ imports Streamlit.

Every module of the ``stemgui`` package outside ``stemgui.gui`` (the bundled server's too) is
imported in a fresh interpreter, which must not have loaded ``streamlit`` afterwards.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import stemgui

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECK = (
    "import importlib, sys\n"
    "bad = []\n"
    "for name in sys.argv[1:]:\n"
    "    importlib.import_module(name)\n"
    "    if 'streamlit' in sys.modules:\n"
    "        bad.append(name)\n"
    "        break\n"
    "print(bad[0] if bad else '')\n"
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


@pytest.mark.parametrize("module", _modules())
def test_module_imports_without_streamlit(module):
    """Issue 11 (boundary): importing ``module`` alone, in a fresh interpreter, loads no Streamlit."""
    done = subprocess.run([sys.executable, "-c", CHECK, module], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", f"{module} imports streamlit"
