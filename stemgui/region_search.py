"""Brain-region search: best matches first, by acronym, name words and the Allen hierarchy.

"hippocampus" must find Hippocampal formation and CA1, which a substring filter cannot:
no name contains the word, and CA1's own name says nothing about the hippocampus. So a
query is compared word by word with light stemming ("hippocampus" and "hippocampal" share
the stem "hippocamp"), and a region also matches through any region above it (CA1 lies in
Ammon's horn, in the Hippocampal region, in the Hippocampal formation).

The API's brain-region records have no parent (spec/related/brainregion.md); the hierarchy
comes from the Allen reference table shipped with the app, joined by acronym, which Allen
atlas records share. Pure: no Streamlit, no HTTP.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

ALLEN_REGIONS_CSV = Path(__file__).parent / "server" / "reference" / "allen_mouse_brain_regions.csv"

# Rank tiers, best first (the brief's order: exact acronym > acronym prefix > whole-word name >
# name prefix > through a parent > substring).
EXACT, ACRONYM_PREFIX, NAME_WORDS, NAME_PREFIX, PARENT, SUBSTRING = range(6)
_WORD = re.compile(r"[0-9a-z]+")
# Latin/English endings that vary between a query and a region name (hippocampus/hippocampal,
# thalamus/thalamic, cortex/cortical, nuclei/nucleus, striatum/striatal, ...); longest first.
_ENDINGS = ("ical", "ices", "ex", "us", "um", "al", "ic", "ar", "es", "i", "a", "s")
_MIN_STEM = 4


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def stem(word: str) -> str:
    """"hippocamp" from "hippocampus" and from "hippocampal"; short words stay as they are."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


@dataclass(frozen=True)
class Region:
    """What the search knows of one region: id, acronym, name, the ids above it, its subtree size."""

    id: str
    acronym: str
    name: str
    ancestors: tuple[str, ...] = ()  # nearest first
    size: int = 1  # the region and every region below it: broader structures rank first in a tier
    words: tuple[str, ...] = ()  # of the name, lower case, and the acronym
    stems: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RegionIndex:
    """Regions prepared for searching (build once per region list with `region_index`)."""

    regions: tuple[Region, ...]
    by_id: Mapping[str, Region]


@cache
def allen_parents(path: Path = ALLEN_REGIONS_CSV) -> dict[str, str]:
    """Acronym -> its parent's acronym in the Allen mouse hierarchy (the root has none)."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    acronym_of = {row["allen_id"]: row["acronym"] for row in rows}
    return {row["acronym"]: acronym_of[row["parent_allen_id"]]
            for row in rows if row.get("parent_allen_id") in acronym_of}


def region_index(records: Iterable[Mapping[str, Any]], parents: Mapping[str, str] | None = None
                 ) -> RegionIndex:  # fmt: skip
    """Index API brain-region records; `parents` maps acronym -> parent acronym (Allen's by default).

    A record's own `parent` (an id, if a server sends one) wins over the reference table.
    """
    parents = allen_parents() if parents is None else parents
    plain = [(str(r.get("id")), str(r.get("acronym") or ""), str(r.get("name") or ""), r.get("parent"))
             for r in records if r.get("id") is not None]
    id_of_acronym = {acronym: rid for rid, acronym, _, _ in plain if acronym}
    parent_of = {rid: str(own) if own else id_of_acronym.get(parents.get(acronym, ""))
                 for rid, acronym, _, own in plain}
    chains: dict[str, tuple[str, ...]] = {}
    sizes = dict.fromkeys(parent_of, 1)
    for rid in parent_of:
        chain: list[str] = []
        above = parent_of.get(rid)
        while above and above in parent_of and above not in chain and above != rid:  # bad data: stop
            chain.append(above)
            sizes[above] += 1
            above = parent_of.get(above)
        chains[rid] = tuple(chain)
    regions = []
    for rid, acronym, name, _ in plain:
        words = tuple(_words(name)) + ((acronym.lower(),) if acronym else ())
        regions.append(Region(rid, acronym, name, chains[rid], sizes[rid], words,
                              frozenset(stem(w) for w in words)))
    return RegionIndex(tuple(regions), {region.id: region for region in regions})


_WHOLE, _PREFIX = 2, 1


def _word_match(region: Region, word: str) -> int:
    """_WHOLE when `word` (or its stem) is a word of the region, _PREFIX when it starts one, else 0."""
    word_stem = stem(word)
    if word in region.words or word_stem in region.stems:
        return _WHOLE
    if any(w.startswith(word) or w.startswith(word_stem) for w in region.words):
        return _PREFIX
    return 0


def _rank(region: Region, query: str, matches: list[dict[str, int]]) -> tuple | None:
    """The sort key of `region` for `query` (`matches`: per query word, region id -> match), or None."""
    acronym, name = region.acronym.lower(), region.name.lower()
    if query in (acronym, name):
        return (EXACT, 0, 0, 0)
    if acronym.startswith(query):
        return (ACRONYM_PREFIX, 0, 0, 0)
    own = [m.get(region.id, 0) for m in matches]
    if matches and all(level == _WHOLE for level in own):
        return (NAME_WORDS, 0, 0, 0)
    if matches and (all(own) or name.startswith(query)):
        return (NAME_PREFIX, 0, 0, 0)
    # Through the regions above: every word found in the region's own name or one above it;
    # first the regions whose own name holds more of the words, then the nearest, then those
    # with more matching regions above (deeper inside what was asked for: CA1 is in the
    # Hippocampal region and in the Hippocampal formation, the entorhinal area only in the latter).
    distance = 0
    for word_matches in matches:
        if word_matches.get(region.id):
            continue
        found = next((n for n, above in enumerate(region.ancestors, 1) if word_matches.get(above)), None)
        if found is None:
            distance = -1
            break
        distance = max(distance, found)
    if matches and distance > 0:
        inside = sum(1 for above in region.ancestors if any(m.get(above) for m in matches))
        return (PARENT, -sum(1 for level in own if level), distance, -inside)
    if query in acronym or query in name:
        return (SUBSTRING, 0, 0, 0)
    return None


def search_regions(index: RegionIndex, query: str, limit: int | None = None) -> list[str]:
    """The ids of the regions matching `query`, best first; every region (by acronym) for no query."""
    query = " ".join(query.lower().split())
    if not query:
        ordered = sorted(index.regions, key=lambda r: (r.acronym.lower(), r.name.lower()))
        return [r.id for r in ordered][:limit]
    matches = []
    for word in dict.fromkeys(_words(query)):
        levels = {r.id: level for r in index.regions if (level := _word_match(r, word))}
        matches.append(levels)
    ranked = []
    for region in index.regions:
        key = _rank(region, query, matches)
        if key is not None:
            # Allen writes fiber tracts and ventricles in lower case (hc, hf): areas come first.
            tract = region.acronym[:1].islower()
            ranked.append((*key, tract, -region.size, len(region.ancestors), region.name.lower(), region.id))
    ranked.sort()
    return [row[-1] for row in ranked][:limit]


@lru_cache(maxsize=8)
def _index_of(rows: tuple[tuple[str, str, str, str | None], ...]) -> RegionIndex:
    return region_index({"id": rid, "acronym": acronym, "name": name, "parent": parent}
                        for rid, acronym, name, parent in rows)


def cached_region_index(records: Iterable[Mapping[str, Any]]) -> RegionIndex:
    """`region_index(records)`, built once per distinct region list (the GUI asks on every rerun)."""
    rows = tuple((str(r.get("id")), str(r.get("acronym") or ""), str(r.get("name") or ""),
                  None if r.get("parent") in (None, "") else str(r.get("parent")))
                 for r in records if r.get("id") is not None)
    return _index_of(rows)
