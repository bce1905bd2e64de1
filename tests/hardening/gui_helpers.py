"""Shared checks of the hostile GUI corpus: no traceback, nothing rendered as markup."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.gui.apptest import texts

MARKUP = ("<script", "<img", "<b>", "<i>", "onerror=")


def assert_safe_page(at: AppTest) -> None:
    """No exception, no traceback text, and user text never rendered as HTML or raw markup."""
    assert not at.exception, [e.value for e in at.exception]
    page = texts(at)
    assert "Traceback" not in page and 'File "' not in page
    for element in list(at.markdown) + list(at.caption):
        assert not element.proto.allow_html or not any(m in element.value for m in MARKUP), element.value
        for marker in MARKUP:  # widgets.plain escapes "<" as "\<": raw "<tag" never reaches markdown
            assert marker not in element.value.replace("\\<", "&lt;"), element.value
