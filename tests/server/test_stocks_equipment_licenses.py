"""The records procedures point at (issue 12, "Server"): consumable stocks in inventories,
equipment in setups, licenses; their documented fields, envelopes and permissions.

Inventories, setups and licenses are shared within the server (every signed-in user reads them,
the public portal only those marked is_public); their creator or a superuser changes them. A
stock is read and changed as its inventory is, equipment as its setup is.
"""

from __future__ import annotations

import pytest

from tests.server.api import Api, flt, names_field, unique
from tests.server.current_builders import make_equipment, make_inventory, make_license, make_setup, make_stock

# The fields of the docs' response examples (license: plus the relation lists its field table lists).
STOCK_KEYS = {
    "id", "type", "status", "notes", "inventory", "acquisition_date", "expiration_date",
    "storage_location", "storage_conditions", "intended_use", "cost", "consumable", "details",
    "type_schema_version",
}  # fmt: skip
EQUIPMENT_KEYS = {
    "id", "name", "type", "notes", "setup", "date_time", "consumable", "hardwaredevice", "details",
    "type_schema_version", "coordinates_system", "coordinates_details", "coordinates_schema_version",
}  # fmt: skip
INVENTORY_KEYS = {"id", "name", "location", "description", "is_public"}
SETUP_KEYS = {"id", "name", "location", "description", "setup_type", "specifications", "is_public", "image"}
LICENSE_KEYS = {
    "id", "name", "type", "status", "description", "country", "regulatory_authority", "license_number",
    "license_document", "valid_from", "valid_until", "license_holders", "behavioralassays", "subjects",
    "procedures", "is_public",
}  # fmt: skip


@pytest.fixture(scope="module")
def manager(new_api) -> Api:
    return new_api("labmanager")


@pytest.fixture(scope="module")
def member(new_api) -> Api:
    return new_api("labmember")


def test_docs_add_examples(manager, taxa):
    """Issue 12: the Add examples of the docs are accepted and answered in the documented shape."""
    inventory = manager.create(
        "inventory",
        {"name": unique("probes")[:50], "location": "Lab Room 103", "description": "", "is_public": False},
    )
    assert set(inventory) == INVENTORY_KEYS
    stock = manager.create(
        "consumablestock",
        {
            "type": "OpticFiber", "inventory": inventory["id"], "consumable": taxa.consumable,
            "notes": "Initial batch", "acquisition_date": "2024-03-01", "storage_location": "Cabinet A",
            "details": {"fiberIds": "OF-2024-03-A", "quantity": 12},
        },
    )  # fmt: skip
    assert set(stock) == STOCK_KEYS
    assert stock["status"] == "AVAILABLE" and stock["storage_conditions"] is None
    assert stock["type_schema_version"] == "0.0.0" and stock["details"]["quantity"] == 12
    setup = manager.create(
        "setup",
        {
            "name": unique("Env")[:50], "location": "Lab Room 103", "description": "",
            "specifications": {"Length": 100, "Width": "30 cm"}, "is_public": False,
        },
    )  # fmt: skip
    assert set(setup) == SETUP_KEYS and setup["specifications"] == {"Length": 100, "Width": "30 cm"}
    equipment = manager.create(
        "equipment",
        {
            "name": "Fiber photometry console", "type": "FiberPhotometrySystem", "setup": setup["id"],
            "hardwaredevice": taxa.hardwaredevice, "notes": "Main recording rig", "details": {},
            "coordinates_system": "External_XYZ_Absolute",
            "coordinates_details": {
                "x": 1.0, "y": 2.0, "z": 3.0, "xAngle": 4.0, "yAngle": 5.0, "zAngle": 6.0,
            },
        },
    )  # fmt: skip
    assert set(equipment) == EQUIPMENT_KEYS
    # External_XYZ_Absolute documents metres as its default unit
    assert equipment["coordinates_details"]["x"] == {"value": 1.0, "unit": "m"}
    assert equipment["coordinates_details"]["zAngle"] == {"value": 6.0, "unit": "°"}
    assert equipment["coordinates_schema_version"] == "1.1.0"
    license = manager.create(
        "license",
        {
            "name": "IACUC Protocol 2026-001", "type": "animal_research_authorization", "status": "active",
            "license_number": "IACUC-2026-001", "valid_from": "2026-01-01", "valid_until": "2028-12-31",
            "is_public": False,
        },
    )  # fmt: skip
    assert set(license) == LICENSE_KEYS
    assert license["description"] == "" and license["country"] is None and license["license_holders"] == []
    listed = manager.listing("consumablestock", **{flt("inventory"): inventory["id"]})
    assert set(listed) == {"consumable stocks", "count"} and listed["count"] == 1


@pytest.mark.parametrize(
    ("model", "payload", "field"),
    [
        ("inventory", {"location": "x"}, "name"),
        ("inventory", {"name": "x" * 51}, "name"),
        ("setup", {"name": "s", "setup_type": "not-a-uuid"}, "setup_type"),
        ("consumablestock", {"type": "Virus"}, "inventory"),
        ("consumablestock", {"type": "Virus", "inventory": "INVENTORY", "status": "LOST"}, "status"),
        ("equipment", {"type": "Stereotax", "setup": "SETUP"}, "coordinates_system"),
        (
            "equipment",
            {
                "type": "Stereotax",
                "setup": "SETUP",
                "coordinates_system": "External_XYZ_Absolute",
                "coordinates_details": {"x": {"value": 1, "unit": "ft"}},
            },
            "coordinates_details.x.unit",
        ),  # fmt: skip
        ("license", {"name": "L", "type": "fishing_permit"}, "type"),
        ("license", {"name": "L", "type": "animal_research_authorization", "status": "lapsed"}, "status"),
        ("license", {"name": "L", "type": "animal_research_authorization", "country": "GBR"}, "country"),
        (
            "license",
            {
                "name": "L",
                "type": "animal_research_authorization",
                "valid_from": "2026-01-01",
                "valid_until": "2025-12-31",
            },
            "valid_until",
        ),  # fmt: skip
    ],
)
def test_bad_input_names_the_field(manager, model, payload, field):
    """Issue 12: bad values of the new records get a 400 naming the field."""
    refs = {"INVENTORY": make_inventory(manager)["id"], "SETUP": make_setup(manager)["id"]}
    data = {
        key: refs.get(value, value) if isinstance(value, str) else value for key, value in payload.items()
    }
    response = manager.post(model, data)
    assert response.status_code == 400, response.text
    assert names_field(response.json(), (field,)), response.json()


def test_shared_records_are_read_by_all_and_changed_by_their_creator(manager, member, anonymous):
    """Issue 12: inventories, setups, licenses are readable by every signed-in user; only their
    creator changes them; stocks and equipment follow their inventory / setup."""
    inventory = make_inventory(manager)
    stock = make_stock(manager, inventory["id"])
    setup = make_setup(manager)
    equipment = make_equipment(manager, setup["id"])
    license = make_license(manager)
    for model, record in (
        ("inventory", inventory), ("consumablestock", stock), ("setup", setup),
        ("equipment", equipment), ("license", license),
    ):  # fmt: skip
        assert member.read(model, record["id"])["id"] == record["id"]
        assert member.patch(model, record["id"], {"notes": "mine now", "name": "mine"}).status_code == 403
        assert member.delete(model, record["id"]).status_code == 403
        assert anonymous.get(model, record["id"], portal="public").status_code == 404  # not public
    denied = member.post("consumablestock", {"type": "Virus", "inventory": inventory["id"]})
    assert denied.status_code == 403 and names_field(denied.json(), ("inventory",))
    own = make_inventory(member)
    assert make_stock(member, own["id"])["inventory"] == own["id"]
    assert manager.change("consumablestock", stock["id"], {"status": "DEPLETED"})["status"] == "DEPLETED"
    assert manager.delete("inventory", inventory["id"]).status_code == 204
    assert manager.get("consumablestock", stock["id"]).status_code == 404  # the stock went with it


def test_public_portal_shows_only_public_ones(manager, anonymous):
    """Issue 12: on the public portal only inventories marked is_public (and their stocks) show."""
    public = make_inventory(manager, is_public=True)
    private = make_inventory(manager)
    public_stock = make_stock(manager, public["id"])
    private_stock = make_stock(manager, private["id"])
    ids = anonymous.ids("consumablestock", portal="public", limit=100)
    assert public_stock["id"] in ids and private_stock["id"] not in ids
    assert anonymous.read("inventory", public["id"], portal="public")["is_public"] is True


def test_license_covers_subjects(new_api, taxa):
    """Issue 12: a license lists the subjects it covers and the procedures that cite it."""
    from tests.server.builders import make_project, make_subject
    from tests.server.current_builders import make_procedure

    owner = new_api("pi")
    subject = make_subject(owner, [make_project(owner)["id"]], taxa.strain)
    license = make_license(owner, subjects=[subject["id"]], country="gb")
    assert license["subjects"] == [subject["id"]] and license["country"] == "GB"
    procedure = make_procedure(owner, subject["id"], licenses=[license["id"]])
    assert owner.read("license", license["id"])["procedures"] == [procedure["id"]]
    assert owner.ids("procedure", **{flt("licenses.id"): license["id"]}) == [procedure["id"]]


def test_relation_filters_on_shared_records_work_for_a_member_of_some_projects(new_api, taxa):
    """A relation filter to a shared record (a stock's inventory, a procedure's licenses) finds it
    also for a user who is not in every project (their reads are checked per project): it used
    to match nothing once another user had a project (``... AND NULL``), found in issue 15's run."""
    from tests.server.builders import make_project, make_subject
    from tests.server.current_builders import make_procedure

    make_project(new_api("someone-else"))  # so the user below is not a member of every project
    owner = new_api("filterer")
    inventory = make_inventory(owner)
    stock = make_stock(owner, inventory["id"])
    assert owner.ids("consumablestock", **{flt("inventory"): inventory["id"]}) == [stock["id"]]
    subject = make_subject(owner, [make_project(owner)["id"]], taxa.strain)
    license = make_license(owner)
    procedure = make_procedure(owner, subject["id"], licenses=[license["id"]])
    assert owner.ids("procedure", **{flt("licenses.id"): license["id"]}) == [procedure["id"]]
