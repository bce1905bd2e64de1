"""Builders of valid records for the server tests (each call makes uniquely named records)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.server.api import Api, unique

OPTIC_FIBER_SPEC_EXAMPLE = {
    "type": "OpticFiberImplant",
    "description": "some text",
    "details": {"fiberTipShape": "flat"},
    "coordinates_system": "Stereotaxic_BregmaAbsolute",
    "coordinates_details": {
        "apCoordinate": 1.0,
        "mlCoordinate": 2.0,
        "dvCoordinate": 3.0,
        "apAngle": 4.0,
        "mlAngle": 5.0,
        "dvAngle": 6.0,
    },
}


@dataclass(frozen=True)
class Taxa:
    """Ids of the taxonomy and resource records a subject or an action can point to."""

    species: str
    strain: str
    supplier: str
    consumable: str
    hardwaredevice: str
    brain_region: str


def make_taxa(api: Api) -> Taxa:
    """Create one of each taxonomy/resource record (any signed-in user may)."""
    species = api.create("species", {"name": unique("Species"), "description": "Rattus test"})
    strain = api.create("strain", {"name": unique("Strain"), "description": "", "species": species["id"]})
    supplier = api.create("supplier", {"name": unique("Supplier"), "description": "", "website": "x.org"})
    consumable = api.create(
        "consumable",
        {
            "name": unique("Consumable"),
            "description": "",
            "supplier": supplier["id"],
            "type": "WireElectrode",
        },
    )
    device = api.create("hardwaredevice", {"name": unique("Device"), "supplier": supplier["id"]})
    region = api.create(
        "brainregion", {"name": unique("Region"), "acronym": unique("R")[:15], "atlas": "AIA"}
    )
    return Taxa(species["id"], strain["id"], supplier["id"], consumable["id"], device["id"], region["id"])


def make_project(api: Api, **fields) -> dict:
    return api.create("project", {"name": unique("Project"), "description": "", **fields})


def make_subject(api: Api, project_ids: list[str], strain: str, **fields) -> dict:
    data = {"name": unique("Subject"), "strain": strain, "sex": "U", "projects": project_ids, **fields}
    return api.create("subject", data)


def make_session(api: Api, project_ids: list[str], **fields) -> dict:
    return api.create("session", {"name": unique("Session"), "projects": project_ids, **fields})


def make_action(api: Api, subject: str, **fields) -> dict:
    return api.create("action", {**OPTIC_FIBER_SPEC_EXAMPLE, "subject": subject, **fields})


def share(owner: Api, project_id: str, member: Api, **perms: bool) -> dict:
    """Make ``member`` a member of the project with the given permissions (owner's PATCH)."""
    return owner.change("project", project_id, {"users": {member.email: perms}})
