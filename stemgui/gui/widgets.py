"""Small Streamlit pieces every screen uses: text shown as text, values, messages at their
fields, toasts (a kept-locally note is a warning, never "saved"), the error boundary, the red
destructive button, scrolling to a panel, small editable tables, widgets kept across pages.

Session-state keys owned here start with ``stemgui.``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pandas as pd
import streamlit as st

from stemgui import display
from stemgui.display import plain  # the GUI's one markdown escape (re-exported for the views)
from stemgui.errors import AuthError, StemGuiError
from stemgui.gui import context

log = logging.getLogger(__name__)

DATE_FORMAT = "YYYY-MM-DD"  # every date box shows ISO dates, like the tables
# Fixed text (no user data): scrolls the keyed container into view once it is on the page.
_SCROLL_SCRIPT = """<script>/* {nonce} */
setTimeout(function () {{
  var target = document.querySelector(".st-key-{key}");
  if (target) {{ target.scrollIntoView({{block: "start"}}); }}
}}, 150);
</script>"""


class QueuedNote(str):
    """A toast text saying a write waits in the outbox: shown as a warning, never as "saved"."""


def show_value(label: str, value: object, help: str | None = None) -> None:
    """A label and a user-entered value shown as plain text (``help``: a tooltip, e.g. the UTC time)."""
    st.caption(label)
    st.text(value if value not in (None, "") else display.EMPTY, help=help or None)


def show_values(rows: list[tuple[str, object]], date_help: str | None = None) -> None:
    """Label/value rows in two columns, the first half left (``date_help``: the "Date / time" tooltip)."""
    left, right = st.columns(2)
    for number, (label, value) in enumerate(rows):
        with left if number < (len(rows) + 1) // 2 else right:
            show_value(label, value, help=date_help if label == "Date / time" else None)


def scroll_to(container_key: str) -> None:
    """Bring ``st.container(key=container_key)`` into view, e.g. a detail opened below a tall table.

    Call it inside that container on the one run that should scroll (each call scrolls once).
    """
    nonce = st.session_state.get("stemgui.scroll_nonce", 0) + 1
    st.session_state["stemgui.scroll_nonce"] = nonce
    script = _SCROLL_SCRIPT.format(nonce=nonce, key=container_key)
    st.html(script, unsafe_allow_javascript=True, width="content")


def destructive_button(where, label: str, key: str) -> bool:
    """A button that deletes or discards: red, never the primary (default) one; put it after the safe one."""
    return where.button(f":red[{label}]", key=key, icon=":material/delete:", type="secondary")


def field_error(errors: dict[str, str] | None, field: str) -> None:
    """The message for ``field`` (if any) right where the field is."""
    if errors and errors.get(field):
        st.error(plain(errors[field]), icon=":material/error:")


def show_field_errors(errors: dict[str, str] | None, fields: tuple[str, ...] = ()) -> None:
    """Messages not about any of ``fields`` (those are shown at their field)."""
    for where, message in (errors or {}).items():
        if where not in fields:
            st.error(plain(message if where == "form" else f"{where}: {message}"))


SAVED_ICON, QUEUED_ICON = ":material/check_circle:", ":material/warning:"


def queue_toast(message: str) -> None:
    """A toast shown on the next run (a toast made right before ``st.rerun`` is lost)."""
    st.session_state.setdefault("stemgui.toasts", []).append(message)


def show_toasts() -> None:
    """Show queued toasts."""
    for message in st.session_state.pop("stemgui.toasts", []):
        if isinstance(message, QueuedNote):  # kept locally is not saved: never the green check
            st.toast(f":orange[{plain(message)}]", icon=QUEUED_ICON, duration="long")
        else:
            st.toast(plain(message), icon=SAVED_ICON)


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """Turn a StemGuiError into a message; a rejected token also asks for a new one."""
    try:
        yield
    except AuthError as exc:
        if context.settings().uses_bundled_backend:
            st.session_state[context.REPROVISION] = True
            st.error("The bundled server did not accept this session's token; reload the page.")
        else:
            st.error(plain(exc.message))
            st.page_link("pages/account.py", label="Paste a new token on the Account page")
    except StemGuiError as exc:
        log.info("Shown to the user: %s", exc.message)
        st.error(plain(exc.message))


# ---------------------------------------------------------------- widgets kept across pages


def keep_widgets(prefix: str, names: tuple[str, ...]) -> None:
    """Keep the widgets ``prefix.name`` across page switches (Streamlit drops unrendered ones).

    Only plain input widgets: buttons and data editors cannot be set through session state
    (``editable_rows`` keeps its own rows).
    """
    kept = st.session_state.setdefault("stemgui.kept", {}).setdefault(prefix, {})
    for key in (f"{prefix}.{name}" for name in names):
        if key in st.session_state:
            kept[key] = st.session_state[key]
        elif key in kept:
            st.session_state[key] = kept[key]


def forget_widgets(prefix: str) -> None:
    """Stop keeping the widgets under ``prefix`` (the form was saved or cancelled)."""
    st.session_state.get("stemgui.kept", {}).pop(prefix, None)



# ---------------------------------------------------------------- small editable tables


def editable_rows(key: str, seed: list[dict], columns: tuple[str, ...], help_text: str = "") -> list[dict]:
    """A dynamic-rows text table (e.g. key/value pairs); returns its rows as typed.

    The seed must stay the same object across reruns (kept in session state by the caller's
    form) or the editor would drop the edits; every cell is text so nothing is coerced behind
    the user's back (numbers are recognised later, on save).
    """
    seed_key, latest_key = f"{key}.seed", f"{key}.latest"
    if key not in st.session_state and latest_key in st.session_state:
        seed = st.session_state[latest_key]  # back from another page: the editor forgot its edits
        st.session_state.pop(seed_key, None)
    if seed_key not in st.session_state:
        st.session_state[seed_key] = pd.DataFrame(seed, columns=list(columns), dtype="object")
    config = {name: st.column_config.TextColumn(name, help=help_text or None) for name in columns}
    edited = st.data_editor(
        st.session_state[seed_key], key=key, num_rows="dynamic", column_config=config,
        hide_index=True, width="stretch",
    )  # fmt: skip
    rows = edited.to_dict("records")
    st.session_state[latest_key] = rows
    return rows
