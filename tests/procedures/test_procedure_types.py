"""Issue 12 (GUI): the type picker's groups, labels and type-ahead over the 43 shipped types."""

from __future__ import annotations

import pytest

from stemgui.procedure_types import (
    GROUPS,
    OTHER_GROUP,
    grouped_types,
    option_label,
    search_types,
    type_group,
    type_label,
)
from stemgui.schemas import schema_names

SHIPPED = list(schema_names("procedure"))


def test_every_type_in_exactly_one_group():
    """Issue 12 GUI item 2: each of the 43 types sits in exactly one group; no group lists a type
    the app does not ship."""
    listed = [name for members in GROUPS.values() for name in members]
    assert len(SHIPPED) == 43
    assert sorted(listed) == sorted(SHIPPED)  # no duplicates, none missing, none invented
    assert list(GROUPS) == ["Surgical", "Implants", "Injections", "Stimulation", "Euthanasia and tissue",
                            "Monitoring"]
    assert OTHER_GROUP not in grouped_types()


def test_groups_say_what_the_types_are():
    assert type_group("Craniotomy") == "Surgical"
    assert type_group("SiliconProbeImplant") == "Implants"
    assert type_group("VirusInjection") == "Injections"
    assert type_group("BarbiturateInjection") == "Euthanasia and tissue"
    assert type_group("PerfusionFixation") == "Euthanasia and tissue"
    assert type_group("BehavioralTracking") == "Monitoring"


def test_a_type_no_group_lists_is_still_offered():
    grouped = grouped_types(["Craniotomy", "FutureThing"])
    assert grouped == {"Surgical": ["Craniotomy"], OTHER_GROUP: ["FutureThing"]}
    assert type_label("FutureThing") == "Future thing"


@pytest.mark.parametrize(("name", "label"), [
    ("VirusInjection", "Virus injection"), ("GrinLensImplant", "GRIN lens implant"),
    ("Co2ChamberEuthanasia", "CO₂ chamber euthanasia"), ("EcgImplant", "ECG implant"),
    ("HeadFixation", "Head fixation"), ("PerfusionFixation", "Brain perfusion fixation"),
])  # fmt: skip
def test_labels_are_sentence_case_with_acronyms_kept(name, label):
    assert type_label(name) == label


def test_option_label_names_the_group():
    assert option_label("OpticFiberImplant") == "Implants · Optic fiber implant"


@pytest.mark.parametrize(("query", "first"), [
    ("virus", "VirusInjection"), ("fib", "OpticFiberImplant"), ("Fiber", "OpticFiberImplant"),
    ("grin", "GrinLensImplant"), ("probe", "SiliconProbeImplant"), ("silicon probe", "SiliconProbeImplant"),
    ("injection", "Injection"), ("perfusion", "PerfusionFixation"), ("co2", "Co2ChamberEuthanasia"),
    ("burr", "BurrHole"), ("anest", "Anesthesia"), ("virusinjection", "VirusInjection"),
])  # fmt: skip
def test_type_ahead_ranks_the_meant_type_first(query, first):
    """Issue 12 GUI item 2: 'virus' → VirusInjection, 'fib' → OpticFiberImplant, …"""
    assert search_types(query)[0] == first


def test_type_ahead_ranking_order():
    """Exact before prefix before word prefix before substring before group."""
    assert search_types("injection")[:3] == ["Injection", "VirusInjection", "BarbiturateInjection"]
    assert search_types("head") == ["Headpost", "Headcap", "HeadFixation"]
    found = search_types("euthanasia")
    assert found[0] == "Co2ChamberEuthanasia"  # in its name, before the group's other members
    assert set(found) == set(GROUPS["Euthanasia and tissue"])


def test_empty_query_lists_every_type_in_picker_order_and_nonsense_none():
    assert search_types("  ") == [n for members in GROUPS.values() for n in members]
    assert search_types("zzz") == []
    assert len(search_types("", limit=5)) == 5
