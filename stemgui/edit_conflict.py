"""Two people editing one record, without Streamlit: what each changed and what to send.

An edit form keeps the record as it was when it opened (``opened``). On save, only the fields
the user changed compared to THAT record are sent — never a field they did not touch, so a
colleague's change saved meanwhile is not reverted. When the record changed meanwhile
(the server answered 412, or a re-read just before the write shows it), ``find_conflict``
lists every field of the form someone else changed, with their value ("theirs", now saved)
beside the user's ("mine"); the user chooses per field and ``Conflict.payload`` is what to send
against the current version.

All record arguments are payload-shaped dicts (the form's fields), normalised the same way
by the caller (e.g. a session through its form values and back), so that equal means equal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

THEIRS = "theirs"
MINE = "mine"


def my_changes(opened: Mapping[str, Any], mine: Mapping[str, Any]) -> dict:
    """The fields of ``mine`` whose value differs from the record as the form opened it."""
    return {name: value for name, value in mine.items() if opened.get(name) != value}


@dataclass(frozen=True)
class FieldChange:
    """One field someone else changed after the form opened."""

    field: str
    opened: Any  # as the form opened it
    theirs: Any  # as saved now
    mine: Any  # as in the form
    mine_changed: bool  # the user changed it too

    @property
    def clashes(self) -> bool:
        """Both changed it, to different values: only the user can say which one is right."""
        return self.mine_changed and self.mine != self.theirs

    @property
    def default(self) -> str | None:
        """The preselected choice: theirs where the user did not change it, none for a clash."""
        return None if self.clashes else THEIRS


@dataclass(frozen=True)
class Conflict:
    """The record changed under an open form: the changes of others and the user's own."""

    changes: tuple[FieldChange, ...]  # fields of the form someone else changed, in form order
    mine_only: dict  # the user's changes of fields nobody else touched: always sent
    current: dict = field(default_factory=dict)  # the record as saved now (normalised)
    etag: str | None = None  # its version, to save against

    def decided(self, choices: Mapping[str, str | None]) -> dict[str, str | None]:
        """Field -> the user's choice, else the field's default (None: still to decide)."""
        return {c.field: choices.get(c.field) or c.default for c in self.changes}

    def undecided(self, choices: Mapping[str, str | None]) -> list[str]:
        """Fields where both changed the value and the user has not chosen yet."""
        return [name for name, choice in self.decided(choices).items() if choice not in (MINE, THEIRS)]

    def payload(self, choices: Mapping[str, str]) -> dict:
        """What to send after the user chose (field -> MINE/THEIRS; unchosen fields: their default).

        Taking theirs sends nothing for that field (it is saved already); keeping mine sends
        the form's value. ValueError names the fields still to decide.
        """
        if missing := self.undecided(choices):
            raise ValueError(f"Choose yours or theirs for: {', '.join(missing)}")
        decided = self.decided(choices)
        chosen = {c.field: c.mine for c in self.changes if decided[c.field] == MINE}
        return {**self.mine_only, **chosen}

    def rebased(self, choices: Mapping[str, str], mine: Mapping[str, Any]) -> tuple[dict, dict]:
        """(new opened record, what the form stands for) after the user's choices: the opened
        record becomes the current one, and a field where they took theirs counts as unchanged
        — so a second conflict compares against what the user has now seen."""
        taken = {name for name, choice in self.decided(choices).items() if choice == THEIRS}
        intended = {name: self.current.get(name) if name in taken else mine[name] for name in mine}
        return dict(self.current), intended


def find_conflict(
    opened: Mapping[str, Any], current: Mapping[str, Any], mine: Mapping[str, Any], etag: str | None = None
) -> Conflict | None:
    """The conflict between the form (``mine``, opened on ``opened``) and the record as saved now;
    None when nobody else changed any field the form holds."""
    changes = tuple(
        FieldChange(name, opened.get(name), current.get(name), value, opened.get(name) != value)
        for name, value in mine.items()
        if current.get(name) != opened.get(name)
    )
    if not changes:
        return None
    theirs = {change.field for change in changes}
    mine_only = {name: value for name, value in my_changes(opened, mine).items() if name not in theirs}
    return Conflict(changes, mine_only, dict(current), etag)


def shown_value(value: Any, labels: Mapping[str, str] | None = None) -> str:
    """A value as one line of text for the comparison (ids as names where ``labels`` has them)."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join((labels or {}).get(item, item) for item in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and labels:
        return labels.get(value, value)
    return str(value)
