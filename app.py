"""stemgui: page config, login gate, navigation by role, sidebar. Logic lives in ``stemgui``."""

import streamlit as st

from stemgui import firstrun
from stemgui.gui import ui

st.set_page_config(page_title="stemgui", page_icon=":material/neurology:", layout="wide")
ui.mark_app_run()

initial_password = ui.first_run()  # `make run` did this already (stemgui.firstrun); a bare
if initial_password:  # `streamlit run app.py` gets here on the first visit: tell the terminal, once
    # A deliberate one-time print to the operator's terminal (the file keeps it too); it never
    # goes through logging, so no log handler or log file ever holds it.
    print(firstrun.announcement(initial_password, ui.settings().data_dir), flush=True)

authenticator = ui.build_authenticator()
user = ui.logged_in_user()

if user is None:
    ui.remember_deep_link()
    ui.login_navigation(authenticator).run()
else:
    ui.after_login(authenticator)
    ui.begin_run(user)
    page = st.navigation(ui.pages_for(user))
    ui.sidebar(authenticator, user)
    ui.follow_deep_link()
    ui.show_toasts()
    page.run()
