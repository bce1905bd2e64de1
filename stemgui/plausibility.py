"""Plausibility of a surgical step, as warnings at the field (issue 14) — never blocking.

Each warning names its field the way form errors do ("coordinates_details.mlCoordinate",
"details.injectionVolume"), so the page shows it under that input. Values may be bare numbers
(the seed's actions: mm, nL) or today's quantities ``{"value", "unit"}``; everything is compared
in mm, nL and nL/min.

Where the brain bounds come from (adult animals, skull flat, from bregma; a margin of ~0.5 mm is
added, so only values clearly outside warn):
- mouse: Paxinos & Franklin, *The Mouse Brain in Stereotaxic Coordinates* (2nd ed., 2001; 4th
  ed., 2012). Its coronal plates run from the olfactory bulb at about bregma +4.3 mm (the bulb's
  tip ~+5 mm) to the caudal cerebellum/medulla at bregma −8.2 mm; the brain is ~10 mm wide (ML
  ±5 mm) and its base lies ~6 mm below the skull surface at bregma. Lambda lies ~4.2 mm behind
  bregma.
- rat: Paxinos & Watson, *The Rat Brain in Stereotaxic Coordinates* (7th ed., 2013): plates from
  bregma +6.7 mm (bulb's tip ~+7.5) to −16 mm; ~15 mm wide (ML ±7.5 mm); base ~10.5–11 mm
  below the skull surface. Lambda lies ~9 mm behind bregma.
- mouse, Allen CCF v3 (Wang et al., Cell 2020, doi:10.1016/j.cell.2020.04.007): the reference
  volume is 13.2 mm (AP) × 8.0 mm (DV) × 11.4 mm (ML), origin at its anterior-superior-left
  corner; read with Allen's axes (x = AP, y = DV, z = ML), an assumption: BrainSTEM's schema does
  not name them.
External frames (a manipulator's own zero) get the unit checks only.
No Streamlit here.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TO_MM = {"nm": 1e-6, "µm": 1e-3, "um": 1e-3, "mm": 1.0, "m": 1e3}
TO_NL = {"nL": 1.0, "µL": 1e3, "uL": 1e3, "mL": 1e6, "L": 1e9}
TO_NL_PER_MIN = {"nL/min": 1.0, "µL/min": 1e3, "mL/min": 1e6, "nL/s": 60.0, "µL/s": 6e4}
UNIT_SUSPECT_MM = 40.0  # no rodent brain coordinate is this far from bregma: likely µm typed as mm
SYMMETRY_TOLERANCE_MM = 0.1  # a bilateral pair differing more than a vernier step or two
FAR_FROM_LAB_MM = 1.0  # farther than this from the lab's usual target for the region
MIN_PAST = 3  # the lab's past values needed before its range means anything
RANGE_FACTOR = 2.0  # outside [lowest / 2, highest × 2] of the lab's past values


@dataclass(frozen=True)
class Bounds:
    """Where the brain is, in mm, in one species and origin (AP and DV ranges, |ML| limit)."""

    ap: tuple[float, float]
    ml: float
    dv: tuple[float, float]  # vertical from the skull surface, negative ventral
    depth: float  # along the track from the brain surface, as a magnitude


_MOUSE = Bounds(ap=(-8.7, 5.5), ml=5.5, dv=(-6.5, 0.5), depth=6.5)
_RAT = Bounds(ap=(-16.5, 8.0), ml=8.0, dv=(-11.5, 0.5), depth=11.5)
LAMBDA_BEHIND_BREGMA = {"mouse": 4.2, "rat": 9.0}
BREGMA_BOUNDS = {"mouse": _MOUSE, "rat": _RAT}
CCF_MOUSE_MM = {"x": 13.2, "y": 8.0, "z": 11.4}  # Allen CCF v3 extents (x AP, y DV, z ML)
SPECIES_WORDS = {"mouse": re.compile(r"\b(mouse|mice|mus)\b"), "rat": re.compile(r"\b(rats?|rattus)\b")}


@dataclass(frozen=True)
class Axes:
    """Which field of a coordinates system is AP, ML and vertical, and from where."""

    ap: str
    ml: str
    vertical: str
    depth: bool  # the vertical is a depth from the brain surface (a magnitude)
    origin: str  # "bregma", "lambda", "ccf" or "external"


SYSTEM_AXES: dict[str, Axes] = {
    "Stereotaxic_BregmaAbsolute": Axes("apCoordinate", "mlCoordinate", "dvCoordinate", False, "bregma"),
    "Stereotaxic_LambdaAbsolute": Axes("apCoordinate", "mlCoordinate", "dvCoordinate", False, "lambda"),
    "Stereotaxic_BregmaBrainSurface": Axes("apCoordinate", "mlCoordinate", "depth", True, "bregma"),
    "Stereotaxic_LambdaBrainSurface": Axes("apCoordinate", "mlCoordinate", "depth", True, "lambda"),
    "Stereotaxic_XYZ_Absolute": Axes("y", "x", "z", False, "bregma"),  # zeroed at bregma, normally
    "Stereotaxic_XY_Surface": Axes("y", "x", "depth", True, "bregma"),
    "External_XYZ_Absolute": Axes("y", "x", "z", False, "external"),
    "CCF_XYZ_Absolute": Axes("x", "z", "y", False, "ccf"),
}


@dataclass(frozen=True)
class FieldWarning:
    """One plausibility warning: the field it is about, what looks wrong, and which rule said so."""

    field: str
    message: str
    rule: str  # "unit", "outside_brain", "far_from_lab", "asymmetric", "unusual_value"


def species_key(species: str | None) -> str | None:
    """ "mouse" or "rat" from a species name or label ("Mus musculus", "Rat (Long-Evans)"), else None."""
    text = (species or "").lower()
    return next((key for key, words in SPECIES_WORDS.items() if words.search(text)), None)


DEFAULT_SPECIES = "mouse"  # most subjects of the labs using this app; used when nothing says otherwise


def subject_species(
    subject: Mapping[str, Any] | None,
    strains: Mapping[str, Mapping[str, Any]],
    species: Mapping[str, Mapping[str, Any]] | None = None,
) -> str | None:
    """ "mouse" or "rat" for `subject` from its strain's species (records by id), else from the
    strain's own name or description ("Sprague-Dawley rat"); None for a species known to be
    neither (no bounds guessed for a finch); DEFAULT_SPECIES when nothing is known."""
    strain = strains.get(str((subject or {}).get("strain") or "")) or {}
    kind = strain.get("species")
    # BrainSTEM names the species by id; a client may hold the species record itself instead
    record = kind if isinstance(kind, Mapping) else (species or {}).get(str(kind or "")) or {}
    texts = (record.get("name"), record.get("description"), strain.get("name"), strain.get("description"))
    for text in texts:
        if found := species_key(text):
            return found
    return None if record.get("name") else DEFAULT_SPECIES


def _number(value: Any) -> float | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except OverflowError:  # a 4,000-digit integer stored by some other client: no plausible value
        return None


def quantity(value: Any, default_unit: str) -> tuple[float, str] | None:
    """(number, unit) of a bare number (in `default_unit`) or a ``{value, unit}``; None otherwise."""
    if isinstance(value, Mapping):
        number = _number(value.get("value"))
        return (number, str(value.get("unit") or default_unit)) if number is not None else None
    number = _number(value)
    return (number, default_unit) if number is not None else None


def in_mm(value: Any) -> float | None:
    """A coordinate in mm (bare numbers are mm); None when it is no number or its unit is unknown."""
    found = quantity(value, "mm")
    if found is None or found[1] not in TO_MM:
        return None
    return found[0] * TO_MM[found[1]]


def _show(number: float) -> str:
    return f"{number:+.2f}".rstrip("0").rstrip(".")


def _label(name: str) -> str:
    return {"apCoordinate": "AP", "mlCoordinate": "ML", "dvCoordinate": "DV", "depth": "Depth"}.get(
        name, name
    )


# ---------------------------------------------------------------- one step's coordinates


def _unit_warning(name: str, raw: Any, mm: float, fits) -> FieldWarning | None:
    """A value that looks like the wrong unit: 1500 "mm" (µm typed) or 1.5 "µm" (mm typed)."""
    field = f"coordinates_details.{name}"
    number, unit = quantity(raw, "mm")  # type: ignore[misc]
    if abs(mm) >= UNIT_SUSPECT_MM:
        guess = mm / 1000
        hint = f" — did you mean {_show(guess)} mm?" if fits(guess) else ""
        return FieldWarning(
            field,
            f"{_label(name)} {number:g} {unit} is {abs(mm):g} mm from the origin, larger "
            f"than the brain: it looks like µm typed as mm{hint}",
            "unit",
        )
    if unit in ("µm", "um", "nm") and 0 < abs(mm) < 0.01 and fits(number):
        return FieldWarning(
            field,
            f"{_label(name)} {number:g} {unit} is only {abs(mm) * 1000:g} µm from the origin: "
            f"did you mean {number:g} mm?",
            "unit",
        )
    return None


def _limits(axes: Axes, species: str) -> dict[str, tuple[float, float]]:
    """Field -> (low, high) mm for the system's origin in `species`."""
    if axes.origin == "ccf":
        return (
            {field: (-0.5, CCF_MOUSE_MM[field] + 0.5) for field in ("x", "y", "z")}
            if species == "mouse"
            else {}
        )
    if axes.origin not in ("bregma", "lambda"):
        return {}
    bounds = BREGMA_BOUNDS[species]
    shift = LAMBDA_BEHIND_BREGMA[species] if axes.origin == "lambda" else 0.0
    vertical = (-bounds.depth, bounds.depth) if axes.depth else bounds.dv
    return {
        axes.ap: (bounds.ap[0] + shift, bounds.ap[1] + shift),
        axes.ml: (-bounds.ml, bounds.ml),
        axes.vertical: vertical,
    }


def coordinate_warnings(
    system: str | None, coordinates: Mapping[str, Any] | None, species: str | None
) -> list[FieldWarning]:
    """Unit slips and targets outside the species' brain for `system`'s origin."""
    axes = SYSTEM_AXES.get(system or "")
    if axes is None:
        return []
    kind = species_key(species)
    limits = _limits(axes, kind) if kind else {}
    warnings = []
    for name in dict.fromkeys((axes.ap, axes.ml, axes.vertical)):
        raw = (coordinates or {}).get(name)
        mm = in_mm(raw)
        if mm is None:
            continue
        low, high = limits.get(name, (-UNIT_SUSPECT_MM, UNIT_SUSPECT_MM))

        def fits(value: float, low: float = low, high: float = high) -> bool:
            return low <= value <= high

        slip = _unit_warning(name, raw, mm, fits)
        if slip:
            warnings.append(slip)
        elif name in limits and not fits(mm):
            where = {"ccf": "the Allen CCF volume"}.get(axes.origin, f"a {kind}'s brain from {axes.origin}")
            warnings.append(
                FieldWarning(
                    f"coordinates_details.{name}",
                    f"{_label(name)} {_show(mm)} mm is outside {where} ({_show(low)} to {_show(high)} mm).",
                    "outside_brain",
                )
            )
    return warnings


# ---------------------------------------------------------------- against the lab's own past


def _target(record: Mapping[str, Any]) -> tuple[Axes, dict[str, float]] | None:
    axes = SYSTEM_AXES.get(record.get("coordinates_system") or "")
    if axes is None:
        return None
    coordinates = record.get("coordinates_details") or {}
    values = {name: in_mm(coordinates.get(name)) for name in (axes.ap, axes.ml, axes.vertical)}
    if any(v is None for v in values.values()):
        return None
    return axes, values  # type: ignore[return-value]


def _region(record: Mapping[str, Any]) -> Any:
    region = record.get("brain_region")
    return region.get("id") if isinstance(region, Mapping) else region


def far_from_lab(
    step: Mapping[str, Any],
    past: Iterable[Mapping[str, Any]],
    region_name: str = "this region",
    threshold_mm: float = FAR_FROM_LAB_MM,
) -> list[FieldWarning]:
    """A target more than `threshold_mm` from the lab's usual one (the median of its past records
    for the same region in the same system; ML compared as a distance from the midline)."""
    here = _target(step)
    if here is None or _region(step) is None:
        return []
    axes, values = here
    same = [
        t[1]
        for r in past
        if _region(r) == _region(step)
        and r.get("id") != step.get("id")
        and r.get("coordinates_system") == step.get("coordinates_system")
        and (t := _target(r))
    ]
    if len(same) < MIN_PAST:
        return []
    usual = {
        name: statistics.median(abs(v[name]) if name == axes.ml else v[name] for v in same) for name in values
    }
    offsets = {
        name: (abs(values[name]) if name == axes.ml else values[name]) - usual[name] for name in values
    }
    distance = sum(d * d for d in offsets.values()) ** 0.5
    if distance <= threshold_mm:
        return []
    worst = max(offsets, key=lambda name: abs(offsets[name]))
    usual_text = ", ".join(
        f"{_label(n)} ±{usual[n]:g}" if n == axes.ml else f"{_label(n)} {_show(usual[n])}" for n in values
    )
    return [
        FieldWarning(
            f"coordinates_details.{worst}",
            f"This target is {distance:.1f} mm from where the lab targeted {region_name} before "
            f"({usual_text} mm, median of {len(same)}).",
            "far_from_lab",
        )
    ]


def _amounts(record: Mapping[str, Any], name: str, table: dict[str, float], default: str) -> float | None:
    found = quantity((record.get("details") or {}).get(name), default)
    return found[0] * table[found[1]] if found and found[1] in table else None


DOSE_FIELDS = {"injectionVolume": (TO_NL, "nL"), "injectionRate": (TO_NL_PER_MIN, "nL/min")}


def unusual_doses(step: Mapping[str, Any], past: Iterable[Mapping[str, Any]]) -> list[FieldWarning]:
    """An injection volume or rate outside [lowest / 2, highest × 2] of the lab's past values for the
    same type (at least three of them)."""
    past = [r for r in past if r.get("type") == step.get("type") and r.get("id") != step.get("id")]
    warnings = []
    for name, (table, unit) in DOSE_FIELDS.items():
        value = _amounts(step, name, table, unit)
        history = [v for r in past if (v := _amounts(r, name, table, unit)) is not None and v > 0]
        if value is None or len(history) < MIN_PAST:
            continue
        low, high = min(history), max(history)
        if not low / RANGE_FACTOR <= value <= high * RANGE_FACTOR:
            title = "Injection volume" if name == "injectionVolume" else "Injection rate"
            warnings.append(
                FieldWarning(
                    f"details.{name}",
                    f"{title} {value:g} {unit} is far outside this lab's past values "
                    f"({low:g}–{high:g} {unit} over {len(history)}).",
                    "unusual_value",
                )
            )
    return warnings


# ---------------------------------------------------------------- across the steps of one surgery


def asymmetric_pairs(
    steps: Iterable[Mapping[str, Any]], tolerance_mm: float = SYMMETRY_TOLERANCE_MM, both: bool = False
) -> dict[int, list[FieldWarning]]:
    """Bilateral pairs that are not mirror images, keyed by the index of the pair's second step
    (and, with ``both``, of its first step too: the form editing that one warns as well).

    A pair is two steps of one type, region and system on opposite sides of the midline; each is
    paired with the nearest earlier unpaired step on the other side.
    """
    found: dict[int, list[FieldWarning]] = {}
    steps = list(steps)
    open_steps: list[int] = []
    for index, step in enumerate(steps):
        here = _target(step)
        if here is None or not here[1][here[0].ml]:
            continue
        axes, values = here
        partner = next((j for j in reversed(open_steps) if _pairs(steps[j], step, axes)), None)
        if partner is None:
            open_steps.append(index)
            continue
        open_steps.remove(partner)
        other = _target(steps[partner])[1]  # type: ignore[index]
        for name in values:
            mine, theirs = (
                (abs(values[name]), abs(other[name])) if name == axes.ml else (values[name], other[name])
            )
            if abs(mine - theirs) > tolerance_mm:
                sides = [(index, partner, values[name], other[name])]
                if both:
                    sides.append((partner, index, other[name], values[name]))
                for at, twin, here_mm, there_mm in sides:
                    found.setdefault(at, []).append(
                        FieldWarning(
                            f"coordinates_details.{name}",
                            f"Not symmetric with its twin (step {twin + 1}): {_label(name)} "
                            f"{_show(here_mm)} mm here, {_show(there_mm)} mm there.",
                            "asymmetric",
                        )
                    )
    return found


def _pairs(first: Mapping[str, Any], second: Mapping[str, Any], axes: Axes) -> bool:
    ml_first = _target(first)[1][axes.ml]  # type: ignore[index]
    ml_second = _target(second)[1][axes.ml]  # type: ignore[index]
    return (
        first.get("type") == second.get("type")
        and _region(first) == _region(second)
        and first.get("coordinates_system") == second.get("coordinates_system")
        and ml_first * ml_second < 0
    )


def step_warnings(
    step: Mapping[str, Any],
    species: str | None,
    past: Iterable[Mapping[str, Any]] = (),
    region_name: str = "this region",
) -> list[FieldWarning]:
    """Every warning about one step on its own: units, brain bounds, the lab's usual target and doses.

    A coordinate that looks like the wrong unit is not also compared with the lab's usual target:
    one slip, one warning."""
    past = list(past)
    coordinates = coordinate_warnings(
        step.get("coordinates_system"), step.get("coordinates_details"), species
    )
    slipped = any(w.rule == "unit" for w in coordinates)
    return (
        coordinates + ([] if slipped else far_from_lab(step, past, region_name)) + unusual_doses(step, past)
    )


def by_field(warnings: Iterable[FieldWarning]) -> dict[str, list[str]]:
    """Field -> messages, for showing each warning under its input."""
    grouped: dict[str, list[str]] = {}
    for warning in warnings:
        grouped.setdefault(warning.field, []).append(warning.message)
    return grouped


def surgery_warnings(
    steps: Iterable[Mapping[str, Any]],
    species: str | None,
    past: Iterable[Mapping[str, Any]] = (),
    region_names: Mapping[Any, str] | None = None,
    both_sides: bool = False,
) -> dict[int, list[FieldWarning]]:
    """Every warning of a surgery's steps (payloads in the surgery's order), by step index: each
    step's own warnings plus those of an asymmetric bilateral pair (on the pair's second step; with
    ``both_sides`` on its first step too)."""
    steps, past, names = list(steps), list(past), region_names or {}
    found: dict[int, list[FieldWarning]] = {}
    for index, step in enumerate(steps):
        own = step_warnings(step, species, past, names.get(_region(step), "this region"))
        if own:
            found[index] = own
    # a step with a unit slip pairs with nothing: its twin would only repeat the slip
    comparable = [{} if any(w.rule == "unit" for w in found.get(i, [])) else s for i, s in enumerate(steps)]
    for index, warnings in asymmetric_pairs(comparable, both=both_sides).items():
        found.setdefault(index, []).extend(warnings)
    return dict(sorted(found.items()))


def entry_warnings(
    steps: Iterable[Mapping[str, Any]],
    entry: Mapping[str, Any],
    species: str | None,
    past: Iterable[Mapping[str, Any]] = (),
    region_names: Mapping[Any, str] | None = None,
    replaces: int | None = None,
) -> list[FieldWarning]:
    """The warnings of the form's `entry` in its surgery: its own, and its pair's when it is either
    step of an asymmetric bilateral pair (editing the left twin after the right one was logged
    warns too). It takes the place of step `replaces` (an edit) or comes after the logged `steps`
    (a new step)."""
    steps = list(steps)
    index = len(steps) if replaces is None else replaces
    steps[index:index + 1] = [entry]
    return surgery_warnings(steps, species, past, region_names, both_sides=True).get(index, [])


def step_notes(
    steps: Iterable[Mapping[str, Any] | None],
    species: str | None,
    past: Iterable[Mapping[str, Any]] = (),
    region_names: Mapping[Any, str] | None = None,
) -> dict[int, str]:
    """A one-line note per step of a surgery's list that has warnings, by position; None stands for
    a step not done (planned or skipped): it keeps its place, so "its twin (step n)" counts as
    the list does, but it has no target and pairs with nothing."""
    found = surgery_warnings([s or {} for s in steps], species, past, region_names)
    return {index: " · ".join(w.message for w in warnings) for index, warnings in found.items()}
