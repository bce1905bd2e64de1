"""AppTest harness for stemgui.gui.picker_widgets.type_picker: the chosen type lands in `picked`."""

import streamlit as st

from stemgui.gui.picker_widgets import type_picker

st.session_state["picked"] = type_picker("proc.type", st.session_state.get("start"))
