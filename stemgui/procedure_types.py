"""Today's 43 procedure types for a person: grouped by what they are, labelled, searchable.

The type picker shows the groups in `GROUPS` order (surgical steps first, as a surgery runs) and
a type-ahead that ranks types by how well the typed text matches. Nothing here imports Streamlit.
"""

from __future__ import annotations

import re
from functools import cache

from stemgui.schemas import schema_names

GROUPS: dict[str, tuple[str, ...]] = {
    "Surgical": (
        "Anesthesia", "BurrHole", "Craniotomy", "Craniectomy", "CranialWindow", "Headpost",
        "Headcap", "HeadFixation", "BrainLesion",
    ),
    "Implants": (
        "SiliconProbeImplant", "OpticFiberImplant", "GrinLensImplant", "PrismImplant",
        "TetrodeWireElectrodeImplant", "SingleWireElectrodeImplant", "ReferenceElectrodeImplant",
        "EegImplant", "EmgImplant", "EcgImplant", "NerveCuffImplant", "CatheterImplant",
        "BloodPressureSensorImplant", "BreathingSensorImplant", "TemperatureSensorImplant",
        "GenericImplant",
    ),
    "Injections": ("VirusInjection", "Injection"),
    "Stimulation": ("VisualStimulation", "AuditoryStimulation", "TactileStimulation", "OdorStimulation"),
    # Euthanasia and what is done with the tissue afterwards: the end of an experiment.
    # A barbiturate injection is an overdose to euthanize, hence here and not under Injections.
    "Euthanasia and tissue": (
        "PerfusionFixation", "BarbiturateInjection", "InhalantOverdose", "Co2ChamberEuthanasia",
        "CervicalDislocation", "Decapitation", "BrainExtraction", "BrainSlice",
        "VibratomeSectioning", "Cryosectioning", "TissueClearing",
    ),
    "Monitoring": ("BehavioralTracking",),
}  # fmt: skip
"""Group title -> its procedure types, in the order the picker lists them."""

OTHER_GROUP = "Other"  # a type a newer schema set adds before it is placed in a group


@cache
def _titles() -> dict[str, str]:
    return schema_names("procedure")


def type_label(name: str | None) -> str:
    """"Virus injection" from "VirusInjection": the schema's title in sentence case (acronyms kept)."""
    if not name:
        return ""
    words = str(_titles().get(name, name)).split()
    if name not in _titles():  # an unknown type: its name split into words
        words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    kept = [words[0]] + [w if w.isupper() or any(c.isdigit() for c in w) or _is_acronym(w) else w.lower()
                         for w in words[1:]]
    return " ".join(kept)


def _is_acronym(word: str) -> bool:
    """"GRIN", "CO₂", "ECG": words written in capitals stay so."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def type_group(name: str) -> str:
    """The group title of procedure type `name` (`OTHER_GROUP` for a type no group lists)."""
    for group, names in GROUPS.items():
        if name in names:
            return group
    return OTHER_GROUP


def grouped_types(names: list[str] | None = None) -> dict[str, list[str]]:
    """Group title -> the types of `names` (default: every shipped type) in it, empty groups left out.

    Types no group lists come last under `OTHER_GROUP`, so a type is never hidden from the picker.
    """
    available = list(_titles()) if names is None else list(names)
    grouped = {group: [n for n in members if n in available] for group, members in GROUPS.items()}
    listed = {n for members in GROUPS.values() for n in members}
    grouped[OTHER_GROUP] = sorted(n for n in available if n not in listed)
    return {group: members for group, members in grouped.items() if members}


def option_label(name: str) -> str:
    """"Implants · Optic fiber implant": a picker option that says its group."""
    return f"{type_group(name)} · {type_label(name)}"


def _words(name: str) -> list[str]:
    """The lowercase words of a type's name and label: "OpticFiberImplant" -> optic, fiber, implant."""
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower().split()
    return split + [w for w in re.split(r"[^\w₂]+", type_label(name).lower()) if w and w not in split]


def _rank(name: str, query: str) -> int | None:
    """0 exact, 1 the name/label starts with it, 2 every query word begins a word, 3 a substring,
    4 the group matches; None when nothing matches."""
    label, lower = type_label(name).lower(), name.lower()
    compact = query.replace(" ", "")
    if query in (label, lower) or compact == lower:
        return 0
    if label.startswith(query) or lower.startswith(compact):
        return 1
    words = _words(name)
    if all(any(w.startswith(part) for w in words) for part in query.split()):
        return 2
    if query in label or compact in lower:
        return 3
    if query in type_group(name).lower():
        return 4
    return None


def search_types(query: str, names: list[str] | None = None, limit: int | None = None) -> list[str]:
    """The types matching `query`, best first (exact, prefix, word prefix, substring, group);
    every type, in picker order, for an empty query. Ties keep the picker order."""
    ordered = [n for members in grouped_types(names).values() for n in members]
    text = " ".join(query.lower().split())
    if not text:
        return ordered[:limit] if limit else ordered
    ranked = [(rank, index, n) for index, n in enumerate(ordered)
              if (rank := _rank(n, text)) is not None]
    found = [n for _, _, n in sorted(ranked)]
    return found[:limit] if limit else found


def picker_options(query: str, chosen: str | None = None, names: list[str] | None = None) -> list[str]:
    """The type picker's options for the typed `query`, best first; the `chosen` type stays listed
    (first) even when the query no longer matches it, so typing never drops a choice."""
    found = search_types(query, names)
    if chosen and chosen not in found:
        return [chosen, *found]
    return found
