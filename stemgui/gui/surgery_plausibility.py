"""Plausibility on the Surgery day (issue 14): what the rules of ``stemgui.plausibility`` are fed.

- the species, from the subject's strain (rat bounds for a rat; mouse when nothing says), kept in
  session state so the warnings still have it while the backend is down;
- the past the lab's usual targets and doses come from: this subject's records and the lab's own
  records of the regions this surgery targets, across its subjects (one small cached call per
  region, ~60 s);
- the steps as the list shows them, so a bilateral twin is judged against its pair.

Warnings only inform: nothing here refuses a step. Session-state key: ``surgery.species``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

from stemgui import surgery as sg
from stemgui.action_table import Lookups
from stemgui.errors import StemGuiError
from stemgui.gui import context, offline
from stemgui.gui import loaders as data
from stemgui.gui.store import Store
from stemgui.outbox import is_backend_down
from stemgui.plausibility import DEFAULT_SPECIES, FieldWarning, entry_warnings, step_notes, subject_species

SPECIES = "surgery.species"  # subject id -> "mouse" / "rat" / None: the last known (kept while offline)


@data.cached_loader  # 60 s per user and session; the subjects are the pickers' list, already loaded
def _species_of(_client, user_key: str, subject: str) -> str | None:
    subjects = {r["id"]: r for r in data.load_records(_client, user_key, "subject")}
    strains = {r["id"]: r for r in data.load_records(_client, user_key, "strain")}
    try:
        species = {r["id"]: r for r in data.load_records(_client, user_key, "species")}
    except StemGuiError as exc:  # a backend that hides species: the strain's own name may tell
        if is_backend_down(exc):
            raise
        species = {}
    return subject_species(subjects.get(subject), strains, species)


def species_of(store: Store, subject: str) -> str | None:
    """The subject's species from its strain, for the brain's bounds: the last known while the
    backend is down (no look-up then: each would wait for its timeout), else mouse."""
    known = st.session_state.setdefault(SPECIES, {})
    if not offline.is_offline():
        try:
            known[subject] = _species_of(store.client, context.user_key(), subject)
        except StemGuiError:  # only a hint for the warnings: the page goes on without it
            pass
    return known.get(subject, DEFAULT_SPECIES)


def _species(surgery: sg.Surgery) -> str | None:
    return st.session_state.get(SPECIES, {}).get(surgery.subject, DEFAULT_SPECIES)


@data.cached_loader  # 60 s per user and session: one small call per region this surgery targets
def _region_records(_client, user_key: str, kind: str, region: str) -> list[dict]:
    return _client.list_all(kind, filters={"brain_region": region})


def lab_past(store: Store, kind: str, regions: Iterable[str]) -> list[dict]:
    """The lab's own records of `regions`, across its subjects: where it usually targets them and
    its usual doses. Nothing while the backend is down or from a backend that refuses the filter:
    the warnings are a hint, and the subject's own records still count."""
    if offline.is_offline():
        return []
    found: list[dict] = []
    for region in sorted(set(regions)):
        try:
            found += _region_records(store.client, context.user_key(), kind, region)
        except StemGuiError:
            return found
    return found


def _past(store: Store, surgery: sg.Surgery, region: Any = None) -> list[dict]:
    """This subject's records (all days) and the lab's records of the regions of this surgery's
    steps and of `region` (the form's), each once."""
    regions = {p.get("brain_region") for p in _listed(surgery)} | {region}
    lab = lab_past(store, surgery.kind, (str(r) for r in regions if isinstance(r, str | int) and r))
    history = st.session_state.get("surgery.history") or []
    return list({r.get("id") or id(r): r for r in [*history, *lab]}.values())


def _listed(surgery: sg.Surgery) -> list[dict]:
    """The steps as listed, a step not done as {}: it keeps its place ("its twin (step 3)" counts as
    the list does) but has no target."""
    return [s.payload if s.logged else {} for s in sg.ordered_steps(surgery)]


def form_warnings(store: Store, surgery: sg.Surgery, entry: dict,
                  lookups: Lookups) -> Callable[[dict], list[FieldWarning]]:  # fmt: skip
    """payload -> the form's warnings: its own and, as either step of a bilateral pair, the pair's.
    An edit takes its step's place; a new step comes after the others."""
    ordered = sg.ordered_steps(surgery)
    editing = entry["mode"] == "edit" and entry.get("record_id")
    place = next((i for i, s in enumerate(ordered) if editing and s.record_id == entry["record_id"]), None)
    stored = ordered[place].payload if place is not None else {}  # its id: not compared with itself
    species = _species(surgery)

    def warnings(payload: dict) -> list[FieldWarning]:
        past = _past(store, surgery, payload.get("brain_region"))
        return entry_warnings(_listed(surgery), {**stored, **payload}, species, past, lookups.regions,
                              replaces=place)  # fmt: skip

    return warnings


def row_notes(store: Store, surgery: sg.Surgery, lookups: Lookups) -> dict[int, str]:
    """Position in the steps list -> its note (an asymmetric twin, a target outside the brain…)."""
    return step_notes(_listed(surgery), _species(surgery), _past(store, surgery), lookups.regions)
