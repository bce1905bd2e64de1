"""Where the implants are: procedure and action coordinates -> points on a schematic mouse brain.

Every coordinates system of both generations is handled (``place``): bregma-relative stereotaxic
systems directly, lambda-relative ones shifted by the lab's bregma–lambda distance
(``STEMGUI_BREGMA_LAMBDA_MM``, default 4.2 mm for mouse), brain-surface depths hung from the
outline's dorsal surface, Allen CCF coordinates through an approximate translation (below).
Systems without an anatomical origin cannot be placed; such targets come back in a list with
the reason, never dropped. Angles are not applied: the point is the coordinate as entered.

The outline (``stemgui/data/mouse_brain_outline.json``) is schematic, not an atlas; its file
says where its numbers come from. Nothing here imports Streamlit; the charts are in
``implant_charts``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from stemgui.config import SECRETS_FILE, _secrets

OUTLINE_FILE = Path(__file__).parent / "data" / "mouse_brain_outline.json"
BREGMA_LAMBDA_MM = 4.2  # Paxinos & Franklin, adult C57BL/6 mouse
_TO_MM = {"nm": 1e-6, "µm": 1e-3, "um": 1e-3, "μm": 1e-3, "mm": 1.0, "cm": 10.0, "m": 1000.0}

# Allen CCFv3 -> bregma: translation only, bregma at CCF (AP 5.400, DV 0.332, ML 5.739) mm, the
# landmark the International Brain Laboratory uses (iblatlas, ALLEN_CCF_LANDMARKS_MLAPDV_UM).
# CCF x runs posterior, y ventral, z to the right. No scaling: the CCF brain is about 5-10 % longer
# than the Paxinos one, so points far from bregma are off by up to ~0.5 mm; good enough for a sketch.
CCF_BREGMA_MM = {"x": 5.400, "y": 0.332, "z": 5.739}

BREGMA_SYSTEMS = ("Stereotaxic_BregmaAbsolute", "Stereotaxic_BregmaBrainSurface")
LAMBDA_SYSTEMS = ("Stereotaxic_LambdaAbsolute", "Stereotaxic_LambdaBrainSurface")
SURFACE_SYSTEMS = ("Stereotaxic_BregmaBrainSurface", "Stereotaxic_LambdaBrainSurface")
CCF_SYSTEMS = ("CCF_XYZ_Absolute",)
UNPLACEABLE = {
    "External_XYZ_Absolute": "external (rig) coordinates have no anatomical origin",
    "Stereotaxic_XYZ_Absolute": "stereotaxic x/y/z have no stated origin (bregma or lambda)",
    "Stereotaxic_XY_Surface": "stereotaxic x/y have no stated origin (bregma or lambda)",
}


@dataclass(frozen=True)
class Target:
    """One record's coordinates: placed (``ap``/``ml`` in mm from bregma) or not (``reason``)."""

    record_id: str
    kind: str  # "procedure" or "action"
    type: str
    system: str
    subject: str = ""  # the subject's label (name), for colour on a project-wide map
    region: str = ""  # brain region label (acronym), "" when none
    date: str = ""  # YYYY-MM-DD
    ap: float | None = None
    ml: float | None = None
    dv: float | None = None  # dorsal positive; None when the record gives no depth
    dv_from_surface: bool = False  # dv is the outline's surface (no depth given) or surface - depth
    pair: str = ""  # the same id on both members of a bilateral pair
    reason: str = ""  # why it could not be placed

    @property
    def placed(self) -> bool:
        return self.ap is not None and self.ml is not None

    @property
    def label(self) -> str:
        return f"{self.type} · {self.region}" if self.region else self.type

    @property
    def side(self) -> str:
        if self.ml is None or self.ml == 0:
            return "midline"
        return "right" if self.ml > 0 else "left"


@dataclass
class ImplantMap:
    """Every target with coordinates: the placed ones and those that cannot be placed (with why)."""

    placed: list[Target]
    unplaceable: list[Target]


def bregma_lambda_setting(
    environ: Mapping[str, str] | None = None, secrets_path: Path = SECRETS_FILE
) -> tuple[float, str | None]:
    """(STEMGUI_BREGMA_LAMBDA_MM in mm, a message when the value set is unusable and 4.2 is used)."""
    env = os.environ if environ is None else environ
    raw = str(
        env.get("STEMGUI_BREGMA_LAMBDA_MM") or _secrets(secrets_path).get("STEMGUI_BREGMA_LAMBDA_MM") or ""
    ).strip()
    if not raw:
        return BREGMA_LAMBDA_MM, None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 < value < 20:
        return BREGMA_LAMBDA_MM, (
            f"STEMGUI_BREGMA_LAMBDA_MM is {raw!r}; it must be a distance in mm between 0 and 20. "
            f"Using {BREGMA_LAMBDA_MM}."
        )
    return value, None


@cache
def outline() -> dict:
    """The schematic outline (dorsal and coronal half outlines, bregma-relative mm)."""
    return json.loads(OUTLINE_FILE.read_text("utf-8"))


def to_mm(value: Any, default_unit: str = "mm") -> float | None:
    """A coordinate in mm: a bare number is in ``default_unit``, ``{value, unit}`` is converted;
    None for anything else (missing, text, an unknown unit, not finite)."""
    unit = default_unit
    if isinstance(value, dict):
        value, unit = value.get("value"), str(value.get("unit") or default_unit)
    if isinstance(value, bool) or not isinstance(value, int | float) or unit not in _TO_MM:
        return None
    mm = float(value) * _TO_MM[unit]
    return mm if math.isfinite(mm) else None


def nearest_level(ap: float) -> dict:
    """The coronal outline whose AP is nearest to ``ap``."""
    return min(outline()["coronal"], key=lambda level: abs(level["ap"] - ap))


def surface_dv(ap: float, ml: float) -> float:
    """The outline's dorsal brain surface (DV, mm) at ``ap``/``ml``: nearest coronal level,
    linear between its points; beyond its widest point, the widest point's DV."""
    points = nearest_level(ap)["half_outline_ml_dv"]
    widest = max(range(len(points)), key=lambda i: points[i][0])
    dorsal = points[: widest + 1]  # from the dorsal midline out to the lateral edge
    x = abs(ml)
    for (x0, y0), (x1, y1) in zip(dorsal, dorsal[1:], strict=False):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return dorsal[-1][1]


def _unplaced(target: Target, reason: str) -> Target:
    return replace(target, ap=None, ml=None, dv=None, reason=reason)


def place(
    target: Target,
    coords: Mapping[str, Any],
    bregma_lambda: float = BREGMA_LAMBDA_MM,
    dv_sign: str = "negative-ventral",
) -> Target:
    """``target`` with its bregma-relative position from ``coords``, or with the reason it has none.

    ``dv_sign`` is the lab's STEMGUI_DV_SIGN: under "positive-ventral" a stored DV of 2.0 is 2 mm
    below the skull and drawn at -2.0.
    """
    system = target.system
    if system in UNPLACEABLE:
        return _unplaced(target, f"{system}: {UNPLACEABLE[system]}")
    if system in CCF_SYSTEMS:
        return _place_ccf(target, coords)
    if system not in BREGMA_SYSTEMS + LAMBDA_SYSTEMS:
        return _unplaced(target, f"{system or 'no coordinates system'}: not a system this map knows")
    ap, ml = to_mm(coords.get("apCoordinate")), to_mm(coords.get("mlCoordinate"))
    if ap is None or ml is None:
        return _unplaced(target, f"{system}: AP or ML is missing or not a number")
    if system in LAMBDA_SYSTEMS:
        ap -= bregma_lambda  # lambda lies bregma_lambda mm behind bregma
    if system in SURFACE_SYSTEMS:
        depth = to_mm(coords.get("depth"))
        dv = surface_dv(ap, ml) - (depth or 0.0)
        return replace(target, ap=ap, ml=ml, dv=dv, dv_from_surface=True, reason="")
    dv = to_mm(coords.get("dvCoordinate"))
    if dv is None:
        return replace(target, ap=ap, ml=ml, dv=surface_dv(ap, ml), dv_from_surface=True, reason="")
    return replace(target, ap=ap, ml=ml, dv=-dv if dv_sign == "positive-ventral" else dv, reason="")


def _place_ccf(target: Target, coords: Mapping[str, Any]) -> Target:
    x, y, z = (to_mm(coords.get(axis)) for axis in ("x", "y", "z"))
    if x is None or z is None:
        return _unplaced(target, f"{target.system}: x (AP) or z (ML) is missing or not a number")
    ap = CCF_BREGMA_MM["x"] - x
    ml = z - CCF_BREGMA_MM["z"]
    if y is None:
        return replace(target, ap=ap, ml=ml, dv=surface_dv(ap, ml), dv_from_surface=True, reason="")
    return replace(target, ap=ap, ml=ml, dv=CCF_BREGMA_MM["y"] - y, reason="")


def _has_coordinates(coords: Any) -> bool:
    return isinstance(coords, Mapping) and any(value not in (None, "", {}) for value in coords.values())


def _day(value: Any) -> str:
    return str(value or "")[:10]


def targets_from_records(
    records: Iterable[Mapping[str, Any]],
    kind: str = "procedure",
    subject_names: Mapping[str, str] | None = None,
    region_names: Mapping[str, str] | None = None,
    bregma_lambda: float = BREGMA_LAMBDA_MM,
    dv_sign: str = "negative-ventral",
) -> ImplantMap:
    """Every procedure (or action, ``kind="action"``) with coordinates, placed or listed as not.

    Records without any coordinate value (an anesthesia, a headcap) are no targets. Names: ids
    of subjects and brain regions are shown through the given maps (else the id itself).
    """
    subject_names, region_names = subject_names or {}, region_names or {}
    placed: list[Target] = []
    unplaceable: list[Target] = []
    for record in records:
        coords = record.get("coordinates_details")
        if not _has_coordinates(coords):
            continue
        subject, region = record.get("subject") or "", record.get("brain_region") or ""
        target = Target(
            record_id=str(record.get("id") or ""), kind=kind, type=str(record.get("type") or ""),
            system=str(record.get("coordinates_system") or ""), date=_day(record.get("date_time")),
            subject=subject_names.get(subject, subject), region=region_names.get(region, region),
        )  # fmt: skip
        target = place(target, coords, bregma_lambda, dv_sign)
        (placed if target.placed else unplaceable).append(target)
    return ImplantMap(mark_pairs(placed), unplaceable)


def mark_pairs(targets: list[Target], tolerance: float = 0.1) -> list[Target]:
    """``targets`` with a shared ``pair`` id on bilateral twins: same subject, type and region, ML
    mirrored and AP/DV equal within ``tolerance`` mm. Each target is in at most one pair."""
    out = list(targets)
    taken: set[int] = set()
    count = 0
    for i, first in enumerate(out):
        if i in taken or not first.ml:
            continue
        for j in range(i + 1, len(out)):
            other = out[j]
            if j in taken or not other.ml or not _twins(first, other, tolerance):
                continue
            count += 1
            out[i] = replace(first, pair=f"pair {count}")
            out[j] = replace(other, pair=f"pair {count}")
            taken.update((i, j))
            break
    return out


def _twins(a: Target, b: Target, tolerance: float) -> bool:
    same = (a.subject, a.type, a.region) == (b.subject, b.type, b.region)
    mirrored = a.ml * b.ml < 0 and abs(abs(a.ml) - abs(b.ml)) <= tolerance
    near_dv = a.dv is None or b.dv is None or abs(a.dv - b.dv) <= tolerance
    return same and mirrored and abs(a.ap - b.ap) <= tolerance and near_dv


def implant_map(
    procedures: Iterable[Mapping[str, Any]] = (),
    actions: Iterable[Mapping[str, Any]] = (),
    **options: Any,
) -> ImplantMap:
    """The map of today's procedures and the seed's actions together (``options``: the names and
    settings of ``targets_from_records``); bilateral pairs are found across both."""
    parts = [targets_from_records(procedures, "procedure", **options),
             targets_from_records(actions, "action", **options)]  # fmt: skip
    placed = [replace(t, pair="") for part in parts for t in part.placed]
    return ImplantMap(mark_pairs(placed), [t for part in parts for t in part.unplaceable])
