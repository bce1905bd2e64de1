"""AppTest helpers for the action forms: fill type, system, pickers and schema inputs by key."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from stemgui.gui.loaders import distinct_labels
from tests.gui.apptest import GuiUser


def names_to_ids(user: GuiUser, model: str, field: str = "name") -> dict[str, str]:
    """Record `field` -> id of every `model` record the user sees, labelled as the app's pickers
    and tables label them: two records of one name (other tests make some) told apart by id."""
    labels = distinct_labels({record["id"]: record[field] for record in user.api.list_all(model)})
    return {label: record_id for record_id, label in labels.items()}


def first_subject(user: GuiUser) -> tuple[str, str]:
    """(name, id) of a subject the user can write actions for."""
    name, subject_id = sorted(names_to_ids(user, "subject").items())[0]
    return name, subject_id


def region_id(user: GuiUser, acronym: str) -> str:
    regions = user.api.list_all("brainregion", filters={"acronym": acronym})
    return regions[0]["id"]


def detail_key(form: str, action_type: str, name: str) -> str:
    return f"{form}.details.{action_type}.{name}"


def coord_key(form: str, system: str, name: str) -> str:
    return f"{form}.coords.{system}.{name}"


def set_input(at: AppTest, key: str, value: Any) -> None:
    """Set the schema input at `key` whatever widget it is (number, select, text)."""
    for kind in ("number_input", "selectbox", "text_input", "text_area"):
        found = [w for w in at.get(kind) if w.key == key]
        if found:
            widget = found[0]
            if kind in ("text_input", "text_area"):
                widget.input(value)
            else:
                widget.set_value(value)
            return
    raise AssertionError(f"no input with key {key}")


def choose(at: AppTest, form: str, action_type: str | None = None, system: str | None = None) -> AppTest:
    """Pick type and/or system (outside any form) and rerun so their fields are drawn."""
    if action_type:
        at.selectbox(key=f"{form}.type").set_value(action_type)
    if system:
        at.selectbox(key=f"{form}.coordinates_system").set_value(system)
    return at.run()


def fill_action(at: AppTest, form: str, *, action_type: str, system: str, details: dict | None = None,
                coords: dict | None = None, **plain: Any) -> AppTest:  # fmt: skip
    """Choose type and system, then set details, coordinates and plain fields (subject=..., ...)."""
    choose(at, form, action_type, system)
    for name, value in (details or {}).items():
        set_input(at, detail_key(form, action_type, name), value)
    for name, value in (coords or {}).items():
        set_input(at, coord_key(form, system, name), value)
    for name, value in plain.items():
        if name == "description":
            at.text_area(key=f"{form}.description").input(value)
        elif name == "time":
            at.time_input(key=f"{form}.time").set_value(value)
        elif name == "day":
            at.date_input(key=f"{form}.day").set_value(value)
        else:
            at.selectbox(key=f"{form}.{name}").set_value(value)
    return at


def errors_after(at: AppTest, key: str) -> str | None:
    """The error message drawn right after the widget `key` (None if there is none)."""
    elements = flat(at.main)
    for index, element in enumerate(elements):
        if getattr(element, "key", None) == key:
            following = elements[index + 1] if index + 1 < len(elements) else None
            if following is not None and type(following).__name__ == "Error":
                return following.value
            return None
    raise AssertionError(f"no widget with key {key}")


def flat(node) -> list:
    """The page's elements in display order (blocks opened)."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [leaf for key in sorted(children) for leaf in flat(children[key])]


def list_requests(monkeypatch, user: GuiUser, model: str, row_limit: int) -> list[dict]:
    """The options (limit, offset, ...) of every list request of ``model`` the app's client makes
    from now on, filled as they are made; and the app's row cap set to ``row_limit``."""
    asked: list[dict] = []
    real_load = type(user.api).load_model

    def counting_load(client, asked_model, *args, **kwargs):
        if asked_model == model and not kwargs.get("id"):
            asked.append(kwargs.get("options") or {})
        return real_load(client, asked_model, *args, **kwargs)

    monkeypatch.setattr(type(user.api), "load_model", counting_load)
    monkeypatch.setattr("stemgui.gui.loaders.ROW_LIMIT", row_limit)
    return asked
