"""Pickers of related records for the record forms and filter bars: a select that shows names and
returns ids (a choice the user cannot see any more stays listed), the ranked brain-region search
(in a form and in a filter bar), and the grouped, searchable procedure-type picker.

The rankings are pure (``stemgui.region_search``, ``stemgui.procedure_types``); this module draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import streamlit as st

from stemgui.gui.records import KEEP
from stemgui.procedure_types import option_label, picker_options
from stemgui.region_search import cached_region_index, search_regions

NONE_LABEL = "— none —"
REGION_MATCHES = 200  # the picker's options for a search: the best ones, not all 1,327


class RegionLookups(Protocol):
    """What the region pickers read: id -> name, and the API's records for the ranked search."""

    regions: Mapping[str, str]
    region_records: tuple[Mapping[str, Any], ...]


def picker(label: str, options: Mapping[str, str], key: str, *, required: bool = False,
           help: str | None = None, names: Mapping[str, str] | None = None) -> str | None:  # fmt: skip
    """A selectbox that shows names and returns the id (type to filter the names).

    An optional picker offers "— none —" first, so a choice carried over can be taken back.
    `names` (default: `options`) names the current choice when `options` is a narrowed list.
    """
    names = options if names is None else names
    ids: list[str | None] = ([] if required else [None]) + list(options)
    current = st.session_state.get(key)
    if current and current not in options:
        ids.append(current)  # kept; shown by its id when we cannot name it (gone or not visible)
    return st.selectbox(label + (" *" if required else ""), ids, key=key,
                        format_func=lambda value: NONE_LABEL if value is None else names.get(value, value),
                        placeholder="Type to search…", help=help)


def ranked_regions(lookups: RegionLookups, query: str) -> Mapping[str, str]:
    """Region id -> name of the best matches of `query` (all regions for no query), best first."""
    if not query.strip() or not lookups.region_records:
        return lookups.regions
    ranked = search_regions(cached_region_index(lookups.region_records), query, limit=REGION_MATCHES)
    return {rid: lookups.regions.get(rid, rid) for rid in ranked}


def region_picker(key: str, lookups: RegionLookups) -> None:
    """A form's search box ranking the regions (acronym, name words, the areas above), and the
    picker ``<key>.brain_region``.

    Streamlit's own selectbox filter matches letters only, so "hippocampus" would miss CA1;
    the ranked matches of the search box become the picker's options, best first.
    """
    query = st.text_input("Find a brain region", key=f"{key}.region_query",
                          placeholder="Acronym, name or a larger area: CA1, hippocampus",
                          help="Matches acronyms, whole words and beginnings of names, and every region "
                               "inside a matching area (CA1 for \"hippocampus\"); best matches first.")
    options = ranked_regions(lookups, query)
    if query.strip() and lookups.region_records:
        many = len(options) >= REGION_MATCHES
        found = f"{REGION_MATCHES} best matches" if many else f"{len(options)} matching"
        st.caption(f"{found}, best first: choose one below." if options else "No region matches that.")
    picker("Brain region", options, f"{key}.brain_region", names=lookups.regions,
           help="Pick from the list (type to filter it), or search above by area name.")


def region_filter(prefix: str, lookups: RegionLookups, search_at: Any, select_at: Any) -> str | None:
    """A filter bar's region: the search box ``<prefix>.f.region_query`` (drawn in ``search_at``)
    narrows the select ``<prefix>.f.region`` (in ``select_at``) to its ranked matches; the region
    filtered on stays listed. Both keep their value (``KEEP``)."""
    found = search_at.text_input("Find a region", key=f"{prefix}.f.region_query", persist_state=KEEP,
                                 placeholder="CA1, hippocampus", help="Narrows the region list, best first")
    options = list(ranked_regions(lookups, found))
    chosen = st.session_state.get(f"{prefix}.f.region")
    options += [chosen] if chosen and chosen not in options else []
    name_of = lookups.regions.get
    return select_at.selectbox("Brain region", options, format_func=lambda r: name_of(r, r), index=None,
                               placeholder="All regions (type)", key=f"{prefix}.f.region", persist_state=KEEP)


def type_picker(key: str, chosen: str | None = None, *, label: str = "Procedure type") -> str | None:
    """A search box and a select of the procedure types ranked by what is typed ("fib" puts the
    optic fiber implant first); each option says its group. Returns the chosen type or None.

    Keys: `<key>.search` (the text) and `<key>` (the select). `chosen` is the starting choice.
    """
    query = st.text_input(f"Find a {label.removesuffix(' *').lower()}", key=f"{key}.search",
                          placeholder="e.g. virus, fiber, craniotomy, perfusion")
    current = st.session_state.get(key, chosen)
    options = picker_options(query, current)  # keeps `current` listed, so it is never dropped
    if key not in st.session_state:
        st.session_state[key] = chosen if chosen in options else None
    if st.session_state[key] is None and query.strip() and options:
        st.session_state[key] = options[0]  # typing a name picks its best match
    if not options:
        st.caption(f"No procedure type matches “{query.strip()}”.")
        return None
    return st.selectbox(label, options, key=key, format_func=option_label, index=None,
                        placeholder="Choose…")
