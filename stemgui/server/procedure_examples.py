"""Example ``details`` of today's procedure types: the docs' own examples and a realistic
surgery's values. Used by the demo lab and the server tests.

``DOCS_EXAMPLES`` are the payloads of ``api-modules-procedure.md`` as written there (bare-number
coordinates included). ``SURGERY_DETAILS`` holds what a lab would log for the common surgical
types; ``example_details`` fills any other type from its schema (first choice of each list,
quantities in the documented unit), so every one of the 43 types has a complete example.
"""

from __future__ import annotations

from typing import Any

from stemgui.schemas import GENERATIONS, load_versioned, schema_names
from stemgui.schemas.quantities import default_unit, is_quantity

KINDS = GENERATIONS["procedure"]

DOCS_EXAMPLES: dict[str, dict] = {
    "SiliconProbeImplant": {
        "type": "SiliconProbeImplant",
        "notes": "acute implant",
        "date_time": "2024-03-12T09:00:00Z",
        "details": {"probeId": "SP-64A", "sterilizationMethod": "Ethylene Oxide"},
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {
            "apCoordinate": -2.5, "mlCoordinate": 1.5, "dvCoordinate": -1.0,
            "apAngle": 0.0, "mlAngle": 10.0, "dvAngle": 0.0,
        },
    },
    "OpticFiberImplant": {
        "type": "OpticFiberImplant",
        "notes": "bilateral implant",
        "details": {"fiberTipShape": "flat", "fiberId": "OF-L-2024-07", "sterilizationMethod": "Autoclave"},
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {
            "apCoordinate": -2.8, "mlCoordinate": 1.2, "dvCoordinate": -2.5,
            "apAngle": 0.0, "mlAngle": 5.0, "dvAngle": 0.0,
        },
    },
}  # fmt: skip


def _q(value: float, unit: str) -> dict:
    return {"value": value, "unit": unit}


SURGERY_DETAILS: dict[str, dict] = {
    "Anesthesia": {
        "anestheticAgent": "Isoflurane",
        "route": "Inhalation",
        "depth": "Surgical plane",
        "dosage": "4% induction, 1.5-2% maintenance",
        "duration": _q(95, "min"),
        "recoveryTime": _q(20, "min"),
        "monitoringMethod": ["Toe pinch", "Breathing rate"],
        "supportiveCare": ["Heating pad", "Eye ointment"],
    },
    "Craniotomy": {
        "shape": "circular",
        "dimensions": "1.5 mm diameter",
        "surgicalMethod": "dental drill",
        "fatalOutcome": False,
    },
    "VirusInjection": {
        "injectionProfile": "Continuous Infusion",
        "injectionVolume": _q(0.3, "µL"),
        "injectionRate": _q(50, "nL/min"),
        "titer": _q(1.2e13, "vg/mL"),
    },
    "SiliconProbeImplant": {"probeId": "H3-2291", "sterilizationMethod": "Ethylene Oxide"},
    "OpticFiberImplant": {
        "fiberId": "OF-200-0.39-17",
        "fiberTipShape": "flat",
        "sterilizationMethod": "Alcohol",
    },
    "Headcap": {
        "attachmentMethod": "dental cement",
        "constructionMethod": "3D-printed",
        "shielding": "copper mesh",
        "skullPreparation": "scored and cleaned with H2O2",
    },
}


def _value(prop: dict) -> Any:
    """A plausible value for one property schema."""
    if is_quantity(prop):
        return {"value": 1.5, "unit": default_unit(prop)}
    if prop.get("enum"):
        return prop["enum"][0]
    kind = prop.get("type")
    if kind == "integer":
        return max(int(prop.get("minimum", 1)), 1)
    if kind == "number":
        return max(float(prop.get("minimum", 1.5)), 1.5)
    if kind == "boolean":
        return False
    if kind == "array":
        return ["example"]
    return "example"


def example_details(procedure_type: str) -> dict:
    """A complete ``details`` for ``procedure_type``: the lab's values, else one for every field."""
    if SURGERY_DETAILS.get(procedure_type):
        return dict(SURGERY_DETAILS[procedure_type])
    schema = load_versioned(KINDS.types, procedure_type)
    return {name: _value(prop) for name, prop in (schema.get("properties") or {}).items()}


def procedure_types() -> list[str]:
    """Every procedure type this server ships a schema for."""
    return list(schema_names(KINDS.types))
