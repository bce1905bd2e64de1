"""Actions: filter, browse, open one; create, edit, duplicate, delete (editors)."""

import streamlit as st

from stemgui import action_payload as ap
from stemgui import action_table as at
from stemgui import dates, display
from stemgui.gui import action_form as af
from stemgui.gui import action_views as av
from stemgui.gui import conflict_views as conflicts
from stemgui.gui import session_views as views
from stemgui.gui import ui
from stemgui.schemas import action_types, coordinate_systems

user = ui.require_role("viewer")
FORM = "actions.form"  # {"mode": create|edit|duplicate, "id": ..., "key": widget-key prefix}
CONFIRM = "actions.confirm_delete"
SCROLL = "actions.scroll_to_detail"  # a row was just opened: bring its detail into view once
DETAIL = "actions-detail"  # the detail panel's container key (scrolled to)


def filter_bar(lookups: at.Lookups) -> at.ActionQuery:
    """The filter widgets; returns what they ask for (kept across forms and pages, see views.KEEP)."""
    types, systems, keep = action_types(), coordinate_systems(), {"persist_state": views.KEEP}
    first = st.columns([3, 2, 3, 3])
    subject = first[0].selectbox("Subject", list(lookups.subjects), format_func=lookups.subjects.get,
                                 index=None, placeholder="All subjects", key="actions.f.subject", **keep)
    kind = first[1].selectbox("Type", list(types), format_func=types.get, index=None,
                              placeholder="All types", key="actions.f.type", **keep)
    system = first[2].selectbox("Coordinates system", list(systems), format_func=systems.get,
                                index=None, placeholder="All systems", key="actions.f.system", **keep)
    second = st.columns([2, 2, 3, 3])
    # drawn first: its ranked matches (acronym, name words, the areas above) are the region options
    found = second[2].text_input("Find a region", key="actions.f.region_query", **keep,
                                 placeholder="CA1, hippocampus", help="Narrows the region list, best first")
    options = list(af.ranked_regions(lookups, found))
    chosen = st.session_state.get("actions.f.region")
    options += [chosen] if chosen and chosen not in options else []  # the current filter stays listed
    name_of = lookups.regions.get
    region = first[3].selectbox("Brain region", options, format_func=lambda r: name_of(r, r), index=None,
                                placeholder="All regions (type)", key="actions.f.region", **keep)
    date_from = second[0].date_input("From", value=None, key="actions.f.from", format=ui.DATE_FORMAT, **keep)
    date_to = second[1].date_input("To", value=None, key="actions.f.to", format=ui.DATE_FORMAT, **keep)
    text = second[3].text_input("Search description", key="actions.f.text", placeholder="e.g. left", **keep)
    return at.ActionQuery(subject, kind, system, region, date_from, date_to, text.strip())


def selected_id() -> str | None:
    return st.query_params.get("action")


def select(action_id: str | None) -> None:
    """Open `action_id` (None: close) and keep it in the URL so the link can be shared."""
    if action_id:
        st.query_params["action"] = action_id
        st.session_state[SCROLL] = True
    else:
        st.query_params.pop("action", None)
    st.session_state["actions.table.nonce"] = st.session_state.get("actions.table.nonce", 0) + 1


def actions_table(frame, query: at.ActionQuery) -> None:
    """The table; picking a row opens it below; row count and CSV."""
    ids = list(frame.index)
    table_key = f"actions.table.{st.session_state.get('actions.table.nonce', 0)}.{hash(query)}"
    current = selected_id()
    default = {"selection": {"rows": [ids.index(current)] if current in ids else []}}
    zone = st.context.timezone or "UTC"
    when = st.column_config.TextColumn("when", help=f"Date and time in your browser's time zone ({zone}).")
    event = st.dataframe(frame, key=table_key, on_select="rerun", selection_mode="single-row",
                         selection_default=default, hide_index=True, width="stretch",
                         height=420 if len(frame) > 10 else "auto", column_config={"when": when})
    rows = list(event.selection.rows)
    if rows != default["selection"]["rows"] and rows != st.session_state.get(f"{table_key}.last"):
        st.session_state[f"{table_key}.last"] = rows
        st.query_params.pop("action", None)
        if rows:
            st.query_params["action"] = ids[rows[0]]
            st.session_state[SCROLL] = True
    st.caption(f"{display.count_text(len(frame), 'action')} shown")
    st.download_button("Download CSV", at.frame_to_csv(frame), file_name="actions.csv", mime="text/csv",
                       key="actions.csv", icon=":material/download:")


def open_form(mode: str, action: dict | None = None) -> None:
    """Open the create/edit/duplicate form with fresh widget keys, prefilled from `action`."""
    nonce = st.session_state.get("actions.form.nonce", 0) + 1
    st.session_state["actions.form.nonce"] = nonce
    opened = conflicts.open_for_edit("action", action) if mode == "edit" else None
    action = opened.record if opened else action  # an edit starts from the action as stored now
    today = dates.today(ui.browser_zone())
    values = ap.values_from_action(action) if action else ap.ActionFormValues(day=today)
    key = f"{FORM}.{nonce}"
    af.open_action_form(key, values)
    if opened:
        conflicts.remember_opened(key, af.as_action_payload(action), opened.etag)
    st.session_state[FORM] = {"mode": mode, "id": (action or {}).get("id"), "key": key}


def close_form() -> None:
    af.close_action_form(st.session_state.pop(FORM)["key"])


def form_panel(client, lookups: at.Lookups) -> None:
    """The open form; Save sends it, Cancel closes it."""
    form = st.session_state[FORM]
    titles = {"create": "New action", "edit": "Edit action", "duplicate": "New action (duplicate)"}
    with st.container(border=True):
        st.subheader(titles[form["mode"]])
        values = af.action_form(form["key"], lookups)
        save, cancel = st.columns([1, 6])
        if save.button("Save", type="primary", key=f"{form['key']}.save"):
            editing = form["mode"] == "edit"
            original = ui.load("action", av.action_of_user, form["id"], similar=False) if editing else None
            saved = av.save_and_report(client, form["key"], values, original)
            close_form()
            select(saved.get("id"))  # no id: kept in the outbox until BrainSTEM answers
            st.rerun()
        if cancel.button("Cancel", key=f"{form['key']}.cancel"):
            close_form()
            st.rerun()


def detail_panel(client, action: dict, lookups: at.Lookups) -> None:
    """Every field of one action; Edit / Duplicate / Delete for editors."""
    with st.container(border=True, key=DETAIL):
        st.subheader("Action")
        if st.session_state.pop(SCROLL, False):
            ui.scroll_to(DETAIL)  # opened by a row pick: the panel sits below the table
        st.text(at.record_label(action, lookups, ui.browser_zone()))
        if user.can_write:
            buttons = st.columns([1, 1.4, 1.1, 4.5])
            if buttons[0].button("Edit", key="actions.edit", icon=":material/edit:"):
                open_form("edit", action)
                st.rerun()
            if buttons[1].button("Duplicate", key="actions.duplicate", icon=":material/content_copy:"):
                open_form("duplicate", action)
                st.rerun()
            if buttons[2].button("Delete", key="actions.delete", icon=":material/delete:"):
                st.session_state[CONFIRM] = action["id"]
        if user.can_write and st.session_state.get(CONFIRM) == action["id"]:
            av.confirm_delete(client, action, lookups, CONFIRM, on_deleted=lambda: select(None))
        av.show_detail(action, lookups)


st.title("Actions")
with ui.error_boundary():
    client = ui.client()
    lookups = ui.load("action lookups", av.load_lookups)  # the last loaded while BrainSTEM is down
    if FORM in st.session_state and user.can_write:
        form_panel(client, lookups)  # a focused form, as on Sessions; the list returns after Save/Cancel
        st.stop()
    if user.can_write and st.button("New action", type="primary", key="actions.new", icon=":material/add:"):
        open_form("create")
        st.rerun()
    query = filter_bar(lookups)
    actions = ui.load("actions", av.load_actions, at.action_filters(query))
    actions_table(at.actions_frame(actions, lookups, query.type, ui.browser_zone()), query)
    by_id = {a["id"]: a for a in actions}
    if selected_id():
        chosen = by_id.get(selected_id())
        chosen = chosen or ui.load("action", av.find_action_of_user, selected_id(), similar=False)
        if chosen:
            detail_panel(client, chosen, lookups)
        else:
            st.warning("That action does not exist (any more), or you cannot see it.")
