"""stemgui: page config, login gate, navigation by role, sidebar. Logic lives in ``stemgui``."""

import streamlit as st

from stemgui import ui

st.set_page_config(page_title="stemgui", page_icon=":material/neurology:", layout="wide")

initial_password = ui.first_run()
if initial_password:  # the very first start: tell whoever started the app where the password is
    # Not the password itself: the console is often a log file that others can read.
    data_dir = ui.settings().data_dir
    print(f"\nstemgui: created user 'admin'; its password is in {data_dir / 'initial-admin-password.txt'}"
          " (readable by you only)\n", flush=True)

authenticator = ui.build_authenticator()
user = ui.logged_in_user()

if user is None:
    ui.remember_deep_link()

    def log_in() -> None:
        ui.login_page(authenticator)

    st.navigation([st.Page(log_in, title="Log in", url_path="login", default=True)], position="hidden").run()
else:
    ui.after_login(authenticator)
    ui.begin_run(user)
    page = st.navigation(ui.pages_for(user))
    ui.sidebar(authenticator, user)
    ui.follow_deep_link()
    ui.show_toasts()
    page.run()
