"""stemgui: page config, login gate, navigation by role, sidebar. Logic lives in ``stemgui``."""

import streamlit as st

from stemgui import ui

st.set_page_config(page_title="stemgui", page_icon=":material/neurology:", layout="wide")
ui.mark_app_run()

initial_password = ui.first_run()
if initial_password:  # the very first start: tell whoever started the app, once
    # A deliberate one-time print to the operator's terminal (the file below keeps it too); it never
    # goes through logging, so no log handler or log file ever holds it.
    data_dir = ui.settings().data_dir
    print(f"\nstemgui: created user 'admin' with password: {initial_password}", flush=True)
    print(f"stemgui: (also in {data_dir / 'initial-admin-password.txt'}, readable by you only)\n", flush=True)

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
