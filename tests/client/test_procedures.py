"""Today's calls (``load``/``save``/``delete``) and models (procedures and what they point at)
through the real client against the real bundled server (issue 12, "Client")."""

from __future__ import annotations

import pytest

from stemgui.catalog import model_info
from stemgui.client import BrainstemClient
from stemgui.errors import NotFound, PermissionDenied, ValidationFailed
from tests.client.helpers import unique

NEW_MODELS = ("procedure", "consumablestock", "equipment", "inventory", "setup", "license")


@pytest.fixture
def surgery(client, subject) -> dict:
    """Ids of a subject, a virus stock, a stereotax and a license the client's user owns."""
    inventory = client.save("inventory", data={"name": unique("Virus box")[:50]})["inventory"]
    stock = client.save(
        "consumablestock",
        data={
            "type": "Virus",
            "inventory": inventory["id"],
            "details": {"titer": {"value": 2e13, "unit": "vg/mL"}},
        },
    )["consumable stock"]
    setup = client.save("setup", data={"name": unique("Surgery")[:50]})["setup"]
    stereotax = client.save(
        "equipment",
        data={
            "name": "Stereotax",
            "type": "Stereotax",
            "setup": setup["id"],
            "coordinates_system": "External_XYZ_Absolute",
        },
    )["equipment"]
    license = client.save("license", data={"name": unique("IACUC"), "type": "animal_research_authorization"})[
        "license"
    ]
    return {
        "subject": subject["id"],
        "stock": stock["id"],
        "equipment": stereotax["id"],
        "license": license["id"],
    }


def test_new_models_are_in_the_catalog():
    """Issue 12: the client knows today's models and their API apps."""
    assert {name: model_info(name).app for name in NEW_MODELS} == {
        "procedure": "modules", "consumablestock": "modules", "equipment": "modules",
        "inventory": "personal_attributes", "setup": "personal_attributes", "license": "personal_attributes",
    }  # fmt: skip


def test_procedure_save_load_patch_delete(client, surgery):
    """Issue 12: save / load / save(id=...) / delete of a procedure with {value, unit} details."""
    data = {
        "type": "VirusInjection",
        "subject": surgery["subject"],
        "notes": "AAV5-CaMKII-ChR2, left CA1",
        "consumablestock": surgery["stock"],
        "equipment": [surgery["equipment"]],
        "licenses": [surgery["license"]],
        "details": {
            "injectionVolume": {"value": 0.3, "unit": "µL"},
            "injectionRate": {"value": 50, "unit": "nL/min"},
        },
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {"apCoordinate": -2.0, "mlCoordinate": -1.5, "dvCoordinate": -1.3},
    }
    created = client.save("procedure", data=data)["procedure"]
    assert created["details"] == data["details"]
    assert created["coordinates_details"]["mlCoordinate"] == {"value": -1.5, "unit": "mm"}
    assert created["type_schema_version"] == "1.1.0"
    assert client.load("procedure", id=created["id"]) == {"procedure": created}
    changed = client.save("procedure", id=created["id"], data={"notes": "right CA1"})["procedure"]
    assert changed["notes"] == "right CA1" and changed["details"] == created["details"]
    client.delete("procedure", id=created["id"])
    with pytest.raises(NotFound):
        client.load("procedure", id=created["id"])


def test_load_filters_paging_and_load_all(client, surgery):
    """Issue 12: load with filters, limit/offset pages and load_all (every page merged)."""
    ids = [
        client.save(
            "procedure",
            data={"type": "Craniotomy", "subject": surgery["subject"], "notes": f"hole {n}",
                  "coordinates_system": "Stereotaxic_BregmaBrainSurface"},
        )["procedure"]["id"]
        for n in range(5)
    ]  # fmt: skip
    filters = {"subject.id": surgery["subject"], "type": "Craniotomy"}
    first = client.load("procedure", filters=filters, sort=["created_at"], limit=2)
    second = client.load("procedure", filters=filters, sort=["created_at"], limit=2, offset=2)
    assert first["count"] == 5 and [p["id"] for p in first["procedures"] + second["procedures"]] == ids[:4]
    everything = client.load("procedure", filters=filters, sort=["created_at"], load_all=True)
    assert [p["id"] for p in everything["procedures"]] == ids and everything["count"] == 5
    found = client.load("procedure", filters={"notes.icontains": "HOLE 3", "subject.id": surgery["subject"]})
    assert [p["id"] for p in found["procedures"]] == [ids[3]]


def test_save_errors_name_the_field(client, surgery):
    """Issue 12: a refused procedure raises ValidationFailed naming the field."""
    with pytest.raises(ValidationFailed) as refused:
        client.save(
            "procedure",
            data={"type": "VirusInjection", "subject": surgery["subject"],
                  "coordinates_system": "CCF_XYZ_Absolute",
                  "details": {"injectionVolume": {"value": 1, "unit": "cup"}}},
        )  # fmt: skip
    assert "details.injectionVolume.unit" in refused.value.field_errors
    with pytest.raises(ValidationFailed) as versioned:
        client.save(
            "procedure",
            data={"type": "Headcap", "subject": surgery["subject"],
                  "coordinates_system": "CCF_XYZ_Absolute", "type_schema_version": "0.0.0"},
        )  # fmt: skip
    assert "type_schema_version" in versioned.value.field_errors


def test_delete_needs_an_id(client):
    with pytest.raises(ValueError):
        client.delete("procedure")
    with pytest.raises(ValueError):
        client.load("procedure", id="x", load_all=True)


def test_stock_of_someone_elses_inventory_is_refused(client, server):
    """Issue 12: a stock may only be added to an inventory its user may change."""
    from stemgui.client import BrainstemClient

    other_name, other_token = server.new_user("other")
    with BrainstemClient(server.url, other_token) as other:
        inventory = other.save("inventory", data={"name": unique("theirs")[:50]})["inventory"]
    assert client.load("inventory", id=inventory["id"])["inventory"]["name"] == inventory["name"]
    with pytest.raises(PermissionDenied):
        client.save("consumablestock", data={"type": "Virus", "inventory": inventory["id"]})


def test_serves_tells_which_generation_a_backend_speaks(client, server):
    """Issue 12: a backend with procedures says so; one without the endpoint (404) does not."""
    from tests.faults import FaultProxy

    assert client.serves("procedure") and client.serves("action")
    with FaultProxy(server.url) as proxy, BrainstemClient(proxy.url, client._token) as older:
        proxy.fail_next(1, status=404)  # a server from before procedures: no such endpoint
        assert older.serves("procedure") is False
        assert older.serves("action") is True
