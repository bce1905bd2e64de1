"""stemgui: page config, login gate, navigation by role, sidebar. Logic lives in ``stemgui``."""

import streamlit as st

from stemgui import firstrun
from stemgui.gui import context, gc_freeze, login, shell, store, widgets

st.set_page_config(page_title="stemgui", page_icon=":material/neurology:", layout="wide")
context.mark_app_run()

initial_password = login.first_run()  # `make run` did this already (stemgui.firstrun); a bare
if initial_password:  # `streamlit run app.py` gets here on the first visit: tell the terminal, once
    # A deliberate one-time print to the operator's terminal (the file keeps it too); it never
    # goes through logging, so no log handler or log file ever holds it.
    print(firstrun.announcement(initial_password, context.settings().data_dir), flush=True)

authenticator = login.build_authenticator()
user = context.logged_in_user()

if user is None:
    shell.remember_deep_link()
    shell.login_navigation(authenticator).run()
else:
    login.after_login(authenticator)
    store.begin_run(user)
    page = st.navigation(shell.pages_for(user))
    shell.sidebar(authenticator, user)
    shell.follow_deep_link(page)
    widgets.show_toasts()
    page.run()
    gc_freeze.freeze_once()  # a page's modules are imported now: keep them out of full collections
