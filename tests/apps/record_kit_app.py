"""AppTest harness for the record-screen kit (stemgui.gui.records) with a new, made-up record kind
("lab notes", rows kept in this script): what a later screen (Subjects, Lab tables, a History
tab) writes on the kit. Writes never happen here: the test only opens forms and the detail."""

import pandas as pd
import streamlit as st

from stemgui.gui import records
from stemgui.gui.context import CurrentUser

NOTES = {"n1": {"id": "n1", "name": "First note", "text": "hello"},
         "n2": {"id": "n2", "name": "Second note", "text": "world"}}  # fmt: skip
KIND = records.RecordKind("note", "notes", "note")


class NoteForm:
    """A one-field form (its Save is not pressed in the test)."""

    normalise = staticmethod(lambda note: {"name": note.get("name")})

    def prefill(self, key, mode, note):
        st.session_state[f"{key}.name"] = (note or {}).get("name", "")
        st.session_state["notes.prefilled"] = (key, mode)

    def forget(self, key):
        st.session_state.pop(f"{key}.name", None)

    def draw(self, key, form, lookups, store):
        st.text_input("Name", key=f"{key}.name")
        records.save_pressed(KIND, self, key)


def rows(store, query, show_all):
    frame = pd.DataFrame([{"name": n["name"]} for n in NOTES.values()], index=list(NOTES))
    return records.Rows(frame, records=NOTES)


SCREEN = records.RecordScreen(
    KIND, NoteForm(), filters=lambda lookups: st.text_input("Find", key="notes.f.text"), rows=rows,
    find=lambda store, note_id, rows: rows.records.get(note_id), headline=lambda note, _: note["name"],
    body=lambda note, _: st.text(note["text"]), delete_prompt=lambda note, _: f"Delete “{note['name']}”?",
    deleted=lambda note: "Deleted.", tabs=[("History", lambda note, _: st.text(f"history of {note['id']}"))],
)  # fmt: skip
role = st.session_state.get("role", "editor")
SCREEN.run(CurrentUser("tester", "Tester", role), None, None)
