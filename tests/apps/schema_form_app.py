"""AppTest harness for stemgui.gui.schema_widgets.render_schema_inputs.

The test puts `schema`, `form_key`, optionally `value` and `errors` into session state; the app
draws the form (after `clear_schema_inputs` when `clear` is set) and stores what
`render_schema_inputs` returned in `payload`.
"""

import streamlit as st

from stemgui.gui.schema_widgets import clear_schema_inputs, input_errors, render_schema_inputs

schema = st.session_state.get("schema", {"type": "object", "properties": {}})
form_key = st.session_state.get("form_key", "form")
if st.session_state.pop("clear", False):
    clear_schema_inputs(form_key)
st.session_state["payload"] = render_schema_inputs(
    schema, form_key, st.session_state.get("value"), errors=st.session_state.get("errors"))
st.session_state["input_errors"] = input_errors(form_key)
