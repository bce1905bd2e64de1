"""Issue 11 item "every error the app raises descends from StemGuiError"."""

from __future__ import annotations

import ast

import pytest

from stemgui import auth, errors
from stemgui.server import admin
from stemgui.server.problems import ApiProblem, bad_request
from tests.test_import_cycles import PACKAGE_ROOT, _module_name

# Control-flow signals that never leave their module (caught a few lines below where raised).
PRIVATE_SIGNALS = {"stemgui.outbox._Stop"}


def _exception_classes() -> list[str]:
    """Every class defined in stemgui whose bases name an exception class."""
    found = []
    for path in PACKAGE_ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", getattr(base, "attr", "")).endswith(("Error", "Exception", "Problem"))
                or getattr(base, "id", "") in {"Exception", "StemGuiError", "_NamesFields", "NotFound"}
                for base in node.bases
            ):
                found.append(f"{_module_name(path)}.{node.name}")
    return sorted(found)


def test_every_exception_class_of_stemgui_descends_from_stemguierror():
    """Issue 11: before, auth.UserError, server.admin.AdminError (ValueErrors) and the server's
    ApiProblem lived outside the tree."""
    import importlib

    outside = []
    for qualified in _exception_classes():
        module, name = qualified.rsplit(".", 1)
        cls = getattr(importlib.import_module(module), name)
        if not issubclass(cls, errors.StemGuiError) and qualified not in PRIVATE_SIGNALS:
            outside.append(qualified)
    assert "stemgui.errors.UserError" in _exception_classes()
    assert outside == []


@pytest.mark.parametrize("error", [auth.UserError, admin.AdminError])
def test_user_and_admin_errors_stay_valueerrors_for_their_callers(error):
    """Issue 11: moved into the tree, still caught by ``except ValueError`` and by their old names."""
    assert issubclass(error, errors.StemGuiError) and issubclass(error, ValueError)
    assert str(error("There is no user 'x'.")) == "There is no user 'x'."


def test_an_api_problem_carries_its_status_as_a_stemguierror():
    """Issue 11: the server's refusals are StemGuiErrors with their HTTP status."""
    problem = bad_request({"name": ["This field is required."]})
    assert isinstance(problem, ApiProblem) and problem.status_code == problem.status == 400
    assert problem.body == {"name": ["This field is required."]}
