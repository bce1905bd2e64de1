"""A rejected write's messages placed at a form's fields (every record form uses this; no Streamlit)."""

from __future__ import annotations

from collections.abc import Callable

from stemgui.errors import ValidationFailed


def server_field_errors(exc: ValidationFailed, is_form_field: Callable[[str], bool]) -> dict[str, str]:
    """Field -> message from a rejected write; a message about a field the form does not show
    goes to "form" (several messages for one place are joined)."""
    errors: dict[str, str] = {}
    for name, messages in (exc.field_errors or {}).items():
        text = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
        where = name if is_form_field(name) else "form"
        errors[where] = f"{errors[where]} {text}".strip() if where in errors else text
    if not errors:
        errors["form"] = exc.message
    return errors
