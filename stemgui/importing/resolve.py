"""Names in a spreadsheet cell -> record ids: projects, subjects, strains, suppliers, stocks,
equipment, licenses, consumables, devices by name; brain regions by acronym or name.

A name matches when it equals the record's name (or, failing that, equals it ignoring case);
a cell may also hold the record's id. Two records that fit are ambiguous, none is unknown: both
are errors whose message offers the closest names (difflib; for regions the ranked region search
of ``stemgui.region_search``). Lists are loaded once per model, when first needed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stemgui.errors import StemGuiError
from stemgui.region_search import cached_region_index, search_regions

if TYPE_CHECKING:
    from stemgui.client import BrainstemClient

SUGGESTIONS = 3
WORDS = {
    "project": "project",
    "subject": "subject",
    "strain": "strain",
    "supplier": "supplier",
    "consumablestock": "consumable stock",
    "equipment": "equipment",
    "license": "license",
    "consumable": "consumable",
    "hardwaredevice": "hardware device",
    "brainregion": "brain region",
}


class Unresolved(StemGuiError, ValueError):
    """A name that names no record, or more than one; the message offers the closest names."""


def stock_label(record: dict) -> str:
    """What a consumable stock is called in a sheet: its lot, else its notes, else its type."""
    lot = (record.get("details") or {}).get("lot") if isinstance(record.get("details"), dict) else None
    return str(lot or record.get("notes") or record.get("type") or record.get("id"))


def record_label(model: str, record: dict) -> str:
    """The name a record is written as in a sheet (export) and found by (import)."""
    if model == "consumablestock":
        return stock_label(record)
    if model == "brainregion":
        return str(record.get("acronym") or record.get("name") or record.get("id"))
    return str(record.get("name") or record.get("id"))


@dataclass
class _Names:
    records: list[dict]
    by_id: dict[str, dict]
    exact: dict[str, list[str]]  # label (and region names) -> ids
    folded: dict[str, list[str]]  # casefolded


def _names(model: str, records: list[dict]) -> _Names:
    exact: dict[str, list[str]] = {}
    folded: dict[str, list[str]] = {}
    for record in records:
        rid = str(record.get("id"))
        labels = {record_label(model, record)}
        if model == "brainregion" and record.get("name"):
            labels.add(str(record["name"]))
        for label in labels:
            exact.setdefault(label, []).append(rid)
            folded.setdefault(label.casefold(), []).append(rid)
    return _Names(records, {str(r.get("id")): r for r in records}, exact, folded)


class Resolver:
    """Name -> id for one user's view of the backend (lists loaded lazily, once)."""

    def __init__(
        self, client: BrainstemClient | None = None, loader: Callable[[str], list[dict]] | None = None
    ) -> None:
        if loader is None:
            if client is None:
                raise ValueError("A Resolver needs a client or a loader")
            loader = client.list_all
        self._loader = loader
        self._names: dict[str, _Names] = {}

    def records(self, model: str) -> list[dict]:
        """Every record of ``model`` the user can read (loaded once)."""
        return self._load(model).records

    def _load(self, model: str) -> _Names:
        if model not in self._names:
            self._names[model] = _names(model, self._loader(model))
        return self._names[model]

    def label(self, model: str, record_id: Any) -> str:
        """The sheet name of a record by id (its id when it is not visible)."""
        record = self._load(model).by_id.get(str(record_id))
        return record_label(model, record) if record else str(record_id)

    def resolve(self, model: str, text: str) -> str:
        """The id of the one record ``text`` names; Unresolved says why and offers close names."""
        names = self._load(model)
        text = text.strip()
        if text in names.by_id:
            return text
        ids = names.exact.get(text) or names.folded.get(text.casefold()) or []
        ids = list(dict.fromkeys(ids))
        word = WORDS.get(model, model)
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            shown = ", ".join(self._describe(model, names.by_id[i]) for i in ids[:SUGGESTIONS])
            raise Unresolved(f'"{text}" names {len(ids)} {word} records ({shown}); write its id instead.')
        close = self._closest(model, names, text)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise Unresolved(f'No {word} named "{text}".{hint}')

    def _closest(self, model: str, names: _Names, text: str) -> list[str]:
        if model == "brainregion":
            index = cached_region_index(names.records)
            found = [record_label(model, names.by_id[i]) for i in search_regions(index, text, SUGGESTIONS)]
            if found:
                return found
            acronyms = [str(r.get("acronym")) for r in names.records if r.get("acronym")]
            return difflib.get_close_matches(text, acronyms, n=SUGGESTIONS, cutoff=0.5)
        labels = list(names.exact)
        found = difflib.get_close_matches(text, labels, n=SUGGESTIONS, cutoff=0.6)
        if not found:  # a case slip plus a typo
            folded = {label.casefold(): label for label in labels}
            found = [
                folded[f] for f in difflib.get_close_matches(text.casefold(), list(folded), n=SUGGESTIONS)
            ]
        return found

    @staticmethod
    def _describe(model: str, record: dict) -> str:
        if model == "brainregion":
            return f"{record.get('acronym')} in {record.get('atlas')}"
        return str(record.get("id"))
