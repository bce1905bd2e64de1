"""Builders of today's BrainSTEM records for the server tests (inventories, stocks, setups,
equipment, licenses, procedures); each call makes uniquely named records."""

from __future__ import annotations

from tests.server.api import Api, unique


def make_inventory(api: Api, **fields) -> dict:
    return api.create("inventory", {"name": unique("Inv")[:50], "location": "Room 101", **fields})


def make_stock(api: Api, inventory: str, **fields) -> dict:
    data = {
        "type": "Virus",
        "inventory": inventory,
        "notes": "lot 7781",
        "details": {"titer": {"value": 2.1e13, "unit": "vg/mL"}},
        **fields,
    }
    return api.create("consumablestock", data)


def make_setup(api: Api, **fields) -> dict:
    return api.create("setup", {"name": unique("Setup")[:50], "location": "Surgery room", **fields})


def make_equipment(api: Api, setup: str, **fields) -> dict:
    data = {
        "name": unique("Stereotax"),
        "type": "Stereotax",
        "setup": setup,
        "coordinates_system": "External_XYZ_Absolute",
        "coordinates_details": {"x": 0.0, "y": 0.0, "z": 0.0},
        **fields,
    }
    return api.create("equipment", data)


def make_license(api: Api, **fields) -> dict:
    data = {"name": unique("IACUC"), "type": "animal_research_authorization", "status": "active", **fields}
    return api.create("license", data)


def procedure_payload(subject: str, procedure_type: str = "VirusInjection", **fields) -> dict:
    return {
        "type": procedure_type,
        "subject": subject,
        "details": {"injectionVolume": {"value": 300, "unit": "nL"}}
        if procedure_type == "VirusInjection"
        else {},
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {"apCoordinate": {"value": -2.0, "unit": "mm"}},
        **fields,
    }


def make_procedure(api: Api, subject: str, procedure_type: str = "VirusInjection", **fields) -> dict:
    return api.create("procedure", procedure_payload(subject, procedure_type, **fields))
