"""Streamlit inputs of the procedure form that are not schema fields: the grouped, searchable
type picker. The options come from `stemgui.procedure_types` (pure)."""

from __future__ import annotations

import streamlit as st

from stemgui.procedure_types import option_label, picker_options


def type_picker(key: str, chosen: str | None = None, *, label: str = "Procedure type") -> str | None:
    """A search box and a select of the procedure types ranked by what is typed ("fib" puts the
    optic fiber implant first); each option says its group. Returns the chosen type or None.

    Keys: `<key>.search` (the text) and `<key>` (the select). `chosen` is the starting choice.
    """
    query = st.text_input(f"Find a {label.removesuffix(' *').lower()}", key=f"{key}.search",
                          placeholder="e.g. virus, fiber, craniotomy, perfusion")
    current = st.session_state.get(key, chosen)
    options = picker_options(query, current)  # keeps `current` listed, so it is never dropped
    if key not in st.session_state:
        st.session_state[key] = chosen if chosen in options else None
    if st.session_state[key] is None and query.strip() and options:
        st.session_state[key] = options[0]  # typing a name picks its best match
    if not options:
        st.caption(f"No procedure type matches “{query.strip()}”.")
        return None
    return st.selectbox(label, options, key=key, format_func=option_label, index=None,
                        placeholder="Choose…")
