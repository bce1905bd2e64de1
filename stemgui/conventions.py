"""The coordinate convention shown beside the coordinates, for either generation of surgery records.

The seed's systems (actions) are described in `stemgui.actions`; today's systems (procedures)
share their names and meanings, except that every value carries its own unit and that
`CCF_XYZ_Absolute` (the Allen atlas) is new and `External_XYZ_Absolute` defaults to metres.
Nothing here imports Streamlit.
"""

from __future__ import annotations

from stemgui.actions import NEGATIVE_VENTRAL, coordinate_convention, dv_plausibility
from stemgui.mirror import CCF, CCF_VOLUME_MM, LENGTH_IN_MM

_UNITS_NOTE = ("**Units:** each value carries its own, chosen beside it (the schema's default: mm for "
               "distances, degrees for angles); mirroring keeps the unit.")

CCF_CONVENTION = (
    "**Origin:** the corner of the Allen CCFv3 volume (anterior, dorsal, left), "
    f"{CCF_VOLUME_MM['x']:g} mm AP × {CCF_VOLUME_MM['y']:g} mm DV × {CCF_VOLUME_MM['z']:g} mm ML. "
    "**x** = AP, from the front (+ posterior); **y** = DV, from the top (+ ventral); **z** = ML, "
    f"from the left (+ right); the midline is at z = {CCF_VOLUME_MM['z'] / 2:g} mm. All positive "
    "inside the brain, whatever the lab's DV sign.\n\n"
    "**Angles (degrees):** *x angle* tilts the instrument toward + x, *z angle* toward + z "
    "(coronal plane); *y angle* rotates it about the vertical (y) axis.\n\n"
    f"**Mirror:** across the atlas midline, z ↔ {CCF_VOLUME_MM['z']:g} mm − z (e.g. z 3.2 mm ↔ "
    f"{CCF_VOLUME_MM['z'] - 3.2:g} mm, 5200 µm ↔ {CCF_VOLUME_MM['z'] * 1000 - 5200:g} µm); the z "
    "angle is negated; x, y and the other angles are kept.\n\n" + _UNITS_NOTE
)

EXTERNAL_CURRENT = (
    "**Origin:** an external frame (a manipulator, robot or imaging system): its zero and axes are "
    "those of that device. Read here as **x** = left–right (+ right), **y** = front–back "
    "(+ anterior), **z** = up–down (+ up); mirroring negates x and the x angle. Angles in degrees "
    "about/along the same axes.\n\n**Units:** each value carries its own, chosen beside it (the "
    "schema's default here is **m**: check the unit before you type millimetres)."
)


def coordinate_convention_for(model: str, system: str | None, dv_sign: str = NEGATIVE_VENTRAL) -> str:
    """The convention text of `system` for the records of `model` ("procedure" or "action")."""
    if model != "procedure":
        return coordinate_convention(system, dv_sign)
    if system == CCF:
        return CCF_CONVENTION
    if system == "External_XYZ_Absolute":
        return EXTERNAL_CURRENT
    text = coordinate_convention(system, dv_sign)
    if text.startswith("No convention recorded"):
        return "No convention recorded for this coordinates system. " + _UNITS_NOTE
    # the seed's texts name "(mm)" and "(degrees)": today the unit is chosen per value
    return text + "\n\n" + _UNITS_NOTE


def _in_mm(value: object) -> object:
    """A `{value, unit}` length as a plain number of mm (the seed's form); anything else as is."""
    if isinstance(value, dict) and value.get("unit") in LENGTH_IN_MM and isinstance(
            value.get("value"), int | float) and not isinstance(value.get("value"), bool):
        return value["value"] * LENGTH_IN_MM[value["unit"]]
    return value


def dv_hint(system: str | None, coordinates_details: dict | None,
            dv_sign: str = NEGATIVE_VENTRAL) -> str | None:
    """`dv_plausibility` for either generation: today's `{value, unit}` DV is read in mm first
    ("DV +1.3 mm lies above the skull surface…" for a DV of +1300 µm)."""
    plain = {name: _in_mm(value) for name, value in (coordinates_details or {}).items()}
    return dv_plausibility(system, plain, dv_sign)
