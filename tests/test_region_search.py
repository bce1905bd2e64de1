"""Brain-region search ranked on the real Allen table (the 1,327 regions the bundled server serves)."""

from __future__ import annotations

import csv

import pytest

from stemgui.region_search import ALLEN_REGIONS_CSV, region_index, search_regions, stem


@pytest.fixture(scope="module")
def index():
    with ALLEN_REGIONS_CSV.open(encoding="utf-8") as handle:
        # API-shaped records (no parent: the API serves none), ids unlike Allen's
        records = [{"id": f"uuid-{row['acronym']}", "acronym": row["acronym"], "name": row["name"],
                    "atlas": "AIA", "description": ""} for row in csv.DictReader(handle)]
    assert len(records) == 1327
    return region_index(records)


def _acronyms(index, query: str, top: int | None = None) -> list[str]:
    return [index.by_id[rid].acronym for rid in search_regions(index, query, limit=top)]


def test_hippocampus_finds_the_formation_first_and_ca1_near_the_top(index):
    """Issue 10 item 9: "hippocampus" finds Hippocampal formation and CA1 (a substring search
    found only "Septohippocampal nucleus" and "hippocampal commissures")."""
    found = _acronyms(index, "hippocampus", top=15)
    assert found[:2] == ["HPF", "HIP"]
    assert "CA1" in found and "DG" in found and "CA3" in found
    assert found.index("CA") < found.index("CA1")  # the broader region before its part


@pytest.mark.parametrize("query", ["CA1", "ca1", "Field CA1", " field  ca1 "])
def test_an_exact_acronym_or_name_comes_first(index, query):
    """Issue 10 item 9: "CA1" first is CA1, then the regions inside it (its layers)."""
    found = _acronyms(index, query)
    assert found[0] == "CA1"
    assert set(found[1:5]) == {"CA1sp", "CA1slm", "CA1so", "CA1sr"}


@pytest.mark.parametrize(("query", "first"), [
    ("VTA", "VTA"), ("thalamus", "TH"), ("dentate", "DG"), ("striatum", "STR"),
    ("nucleus accumbens", "ACB"), ("MOp", "MOp"), ("hippo", "HPF"), ("cortex", "CTX"),
])  # fmt: skip
def test_best_match_first(index, query, first):
    """Issue 10 item 9: whole words, prefixes and stems ("thalamus"/"thalamic") rank the obvious first."""
    assert _acronyms(index, query)[0] == first


def test_ranking_tiers(index):
    """Issue 10 item 9: exact acronym > acronym prefix > whole-word name > name prefix > through a
    parent > substring."""
    found = _acronyms(index, "ca")
    assert found[0] == "CA"  # exact acronym
    assert found.index("CA1") < found.index("CA1sp")  # acronym prefixes, broader first
    # "motor cortex": the primary motor area says "motor", its parents say "cortex"
    motor = _acronyms(index, "motor cortex", top=5)
    assert "MOp" in motor and "MOs" in motor
    # a substring inside a word comes after all word matches
    hippo = _acronyms(index, "hippocampal")
    assert hippo.index("RHP") > hippo.index("HATA")


def test_nothing_found_and_empty_query(index):
    assert search_regions(index, "xyzzy") == []
    assert len(search_regions(index, "")) == 1327
    assert len(search_regions(index, "   ", limit=10)) == 10


def test_a_served_parent_wins_and_bad_chains_end():
    """A server that sends `parent` (an id) gives the hierarchy; a loop in bad data stops the chain."""
    records = [{"id": "a", "acronym": "X1", "name": "Alpha", "parent": "b"},
               {"id": "b", "acronym": "X2", "name": "Hippocampal thing", "parent": "a"},
               {"id": "c", "acronym": "X3", "name": "Gamma", "parent": "b"}]
    index = region_index(records, parents={})
    assert search_regions(index, "hippocampus") == ["b", "a", "c"]  # a: above more regions than c


def test_stems():
    assert stem("hippocampus") == stem("hippocampal") == "hippocamp"
    assert stem("thalamus") == stem("thalamic")
    assert stem("ca1") == "ca1"

