"""The bilateral twin of a target, in both generations' coordinates: plain numbers (the seed's
actions), `{value, unit}` quantities (today's procedures) and the Allen CCF atlas.

Stereotaxic and external systems are mirrored by negating the left–right value (and its tilt);
CCF_XYZ_Absolute has its origin at a corner of the atlas volume, so its left–right axis `z` is
mirrored across the midline: z ↔ 11.4 mm − z (CCFv3 is 13.2 mm AP × 8.0 mm DV × 11.4 mm ML, with
x = AP from the front, y = DV from the top, z = ML from the left). Nothing here imports Streamlit.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from stemgui.errors import StemGuiError

CCF = "CCF_XYZ_Absolute"
CCF_VOLUME_MM = {"x": 13.2, "y": 8.0, "z": 11.4}
"""CCFv3's extent along each axis (x = AP, y = DV, z = ML), in mm."""
LENGTH_IN_MM = {"nm": 1e-6, "µm": 1e-3, "um": 1e-3, "mm": 1.0, "cm": 10.0, "m": 1000.0}
DEFAULT_CCF_UNIT = "mm"  # the schema's documented unit: a bare number is read in it

# Per system: (left–right fields negated by a mirror, rotations about the vertical axis).
_STEREOTAXIC = (("mlCoordinate", "mlAngle"), ("dvAngle",))
_SURFACE_LR = (("mlCoordinate", "mlAngle"), ("rotation",))
MIRRORED_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Stereotaxic_BregmaAbsolute": _STEREOTAXIC,
    "Stereotaxic_LambdaAbsolute": _STEREOTAXIC,
    "Stereotaxic_BregmaBrainSurface": _SURFACE_LR,
    "Stereotaxic_LambdaBrainSurface": _SURFACE_LR,
    "Stereotaxic_XYZ_Absolute": (("x", "xAngle"), ("zAngle",)),
    "Stereotaxic_XY_Surface": (("x", "xAngle"), ("rotation",)),
    "External_XYZ_Absolute": (("x", "xAngle"), ("zAngle",)),
    # CCF: z (left–right) is reflected across the midline, not negated (see `mirror_ccf_z`); the
    # tilt toward ± z is negated; y is vertical, so yAngle is the rotation about the vertical axis.
    CCF: (("zAngle",), ("yAngle",)),
}
UNKNOWN_SYSTEM = (("mlCoordinate", "mlAngle", "x", "xAngle"), ("dvAngle", "rotation", "zAngle"))


class MirrorError(StemGuiError):
    """A coordinate that cannot be mirrored (e.g. a CCF z in a unit that is no length)."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _negated(value: Any) -> Any:
    """-value for a number or a `{value, unit}` quantity (0 stays 0, not -0.0); anything else as is."""
    if _is_number(value):
        return -value if value else value
    if isinstance(value, Mapping) and _is_number(value.get("value")):
        return {**value, "value": _negated(value["value"])}
    return copy.deepcopy(value)


def _tidy(number: float, like: Any) -> float | int:
    """A computed coordinate without float noise (11.4 − 5.2 = 6.2, not 6.200000000000001); an
    int when the input was one and the result is whole."""
    rounded = round(number, 9)
    if isinstance(like, int) and float(rounded).is_integer():
        return int(rounded)
    return rounded + 0.0  # no -0.0


def mirror_ccf_z(value: Any) -> Any:
    """The CCF z (ML) of the other hemisphere: 11.4 mm − z, in z's own unit (11400 µm − z)."""
    quantity = dict(value) if isinstance(value, Mapping) else {"value": value}
    number, unit = quantity.get("value"), quantity.get("unit", DEFAULT_CCF_UNIT)
    if not _is_number(number):
        return copy.deepcopy(value)  # nothing entered: nothing to mirror
    if unit not in LENGTH_IN_MM:
        raise MirrorError(f"z ({number} {unit}) cannot be mirrored across the atlas midline: "
                          f"its unit is not a length ({', '.join(LENGTH_IN_MM)}).")
    extent = CCF_VOLUME_MM["z"] / LENGTH_IN_MM[unit]
    mirrored = _tidy(extent - number, number)
    return {**quantity, "value": mirrored} if isinstance(value, Mapping) else mirrored


def mirror_coordinates(system: str, coordinates_details: Mapping[str, Any], *,
                       mirror_rotations: bool = False) -> dict:
    """The bilateral twin of `coordinates_details`: the left–right value and its tilt mirrored.

    Left–right is `mlCoordinate` in the Stereotaxic Bregma/Lambda systems and `x` in the XYZ/XY
    systems (External included, by assumption), negated; in CCF it is `z`, reflected across the
    atlas midline (`mirror_ccf_z`). The tilt in the coronal plane (`mlAngle`, `xAngle`, CCF's
    `zAngle`) is negated too, so an angled track stays symmetric. AP, DV, depth and the AP tilt
    are unchanged. A strict mirror image would also negate rotations about the vertical axis
    (`dvAngle`, `rotation`, `zAngle`; CCF's `yAngle`); they are kept unless
    `mirror_rotations=True`, because a lab usually orients the probe the same way on both sides.
    Values may be plain numbers or `{value, unit}` quantities; their units are kept.
    """
    left_right, rotations = MIRRORED_FIELDS.get(system, UNKNOWN_SYSTEM)
    flipped = set(left_right) | (set(rotations) if mirror_rotations else set())
    twin = copy.deepcopy(dict(coordinates_details))
    for name, value in twin.items():
        if name in flipped:
            twin[name] = _negated(value)
    if system == CCF and "z" in twin:
        twin["z"] = mirror_ccf_z(twin["z"])
    return twin
