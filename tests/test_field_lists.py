"""Issue 11 item "field lists derived from the pydantic models": one list per record kind."""

from __future__ import annotations

import ast

import pytest

from stemgui import action_payload, outbox_match, session_form
from stemgui.models import CREATE_MODELS, writable_fields
from stemgui.server.resources import RESOURCES
from tests.test_import_cycles import PACKAGE_ROOT

# module -> its field-list names (before issue 11 each was a literal tuple of field names)
DERIVED = {
    "action_payload.py": ("WRITABLE",),
    "outbox_match.py": ("SESSION_FIELDS", "ACTION_FIELDS", "PROCEDURE_FIELDS"),
    "session_form.py": ("FORM_FIELDS",),
}


@pytest.mark.parametrize(("module", "names"), DERIVED.items())
def test_no_field_list_is_written_out_by_hand(module, names):
    """Issue 11: the lists are derived from models.py, not kept as literal tuples (they were)."""
    tree = ast.parse((PACKAGE_ROOT / module).read_text())
    literal = [
        target.id
        for node in tree.body if isinstance(node, ast.Assign)
        for target in node.targets if isinstance(target, ast.Name) and target.id in names
        if isinstance(node.value, (ast.Tuple, ast.List))
    ]  # fmt: skip
    assert literal == []


@pytest.mark.parametrize(
    ("field_list", "model"),
    [
        (action_payload.WRITABLE, "action"),
        (outbox_match.ACTION_FIELDS, "action"),
        (outbox_match.SESSION_FIELDS, "session"),
        (outbox_match.PROCEDURE_FIELDS, "procedure"),
        (session_form.FORM_FIELDS, "session"),
        (RESOURCES["session"].writable_fields, "session"),
    ],
)
def test_every_field_list_is_its_models_writable_fields(field_list, model):
    """Issue 11: the GUI forms, the outbox's matching and the server's resources use one list."""
    assert field_list == writable_fields(model) == tuple(CREATE_MODELS[model].model_fields)
    assert "date_time" in field_list and "id" not in field_list
