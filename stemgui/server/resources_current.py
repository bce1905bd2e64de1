"""The resources of today's BrainSTEM records (see ``resources`` for what each field means).

Scopes: procedures and subject logs follow their subject's projects, exactly like actions; inventories, setups
and licenses are "personal" (every signed-in user of this server reads them, the public portal
only those marked ``is_public``, their creator or a superuser changes them); a consumable stock
is read and changed as its inventory is, equipment as its setup is.
"""

from __future__ import annotations

from stemgui.server import tables_current as c
from stemgui.server.resource_types import Resource, ToMany, ToOne

CURRENT_RESOURCES: dict[str, Resource] = {
    res.name: res
    for res in (
        Resource(
            "procedure",
            c.Procedure,
            "subject",
            to_one={
                "subject": ToOne("subject_id", "subject"),
                "consumablestock": ToOne("consumablestock_id", "consumablestock"),
                "brain_region": ToOne("brain_region_id", "brainregion"),
            },
            to_many={
                "equipment": ToMany(c.procedure_equipment, "procedure_id", "equipment_id", "equipment", True),
                "licenses": ToMany(c.procedure_licenses, "procedure_id", "license_id", "license", True),
            },
            default_sort=("created_at",),
            unique=(),
            versions={"type": "type_schema_version", "coordinates_system": "coordinates_schema_version"},
        ),
        Resource(
            "subjectlog",
            c.SubjectLog,
            "subject",
            to_one={"subject": ToOne("subject_id", "subject")},
            default_sort=("created_at",),
            unique=(),
            fixed=("type",),
        ),
        Resource("inventory", c.Inventory, "personal", unique=()),
        Resource("setup", c.Setup, "personal", unique=()),
        Resource(
            "consumablestock",
            c.ConsumableStock,
            "parent",
            to_one={
                "inventory": ToOne("inventory_id", "inventory"),
                "consumable": ToOne("consumable_id", "consumable"),
            },
            default_sort=("created_at",),
            unique=(),
            parent="inventory",
        ),
        Resource(
            "equipment",
            c.Equipment,
            "parent",
            to_one={
                "setup": ToOne("setup_id", "setup"),
                "consumable": ToOne("consumable_id", "consumable"),
                "hardwaredevice": ToOne("hardwaredevice_id", "hardwaredevice"),
            },
            unique=(),
            parent="setup",
            versions={"coordinates_system": "coordinates_schema_version"},
        ),
        Resource(
            "license",
            c.License,
            "personal",
            to_many={
                "subjects": ToMany(c.license_subjects, "license_id", "subject_id", "subject", True),
                "procedures": ToMany(c.procedure_licenses, "license_id", "procedure_id", "procedure"),
            },
            unique=(),
            unserved=("behavioralassays",),
        ),
    )
}
