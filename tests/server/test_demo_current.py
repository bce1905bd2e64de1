"""The demo lab in today's terms (issue 12, "Demo data"): virus lots with titer, a stereotax,
an injector and probes, an animal-research license, and complete surgeries as procedures."""

from __future__ import annotations

from tests.server.api import Api


def test_demo_has_stocks_equipment_license_and_complete_surgeries(demo_server):
    """Issue 12: the demo's records are served over HTTP, and loading it again changes nothing."""
    _, token = demo_server.new_user("demoadmin", superuser=True)
    api = Api(demo_server.url, token)
    stocks = api.records("consumablestock", limit=100)
    viruses = [s for s in stocks if s["type"] == "Virus"]
    assert len(viruses) >= 3 and all(s["details"]["titer"]["unit"] == "vg/mL" for s in viruses)
    assert {s["status"] for s in viruses} == {"AVAILABLE", "DEPLETED"}
    equipment = {e["type"] for e in api.records("equipment", limit=100)}
    assert {"Stereotax", "Injector", "SiliconProbe"} <= equipment
    [license] = api.records("license")
    assert license["type"] == "animal_research_authorization" and license["status"] == "active"
    procedures = api.records("procedure", portal="super", limit=100, **{"sort[]": "date_time"})
    by_subject: dict[str, list[str]] = {}
    for procedure in procedures:
        by_subject.setdefault(procedure["subject"], []).append(procedure["type"])
        assert procedure["licenses"] == [license["id"]]
    surgeries = sorted(by_subject.values(), key=len)
    assert ["Anesthesia", "BurrHole", "VirusInjection", "Headpost"] in surgeries
    assert [
        "Anesthesia",
        "Craniotomy",
        "SiliconProbeImplant",
        "ReferenceElectrodeImplant",
        "Headcap",
    ] in surgeries
    assert ["BarbiturateInjection", "PerfusionFixation", "BrainExtraction"] in surgeries
    injections = [p for p in procedures if p["type"] == "VirusInjection"]
    assert {p["details"]["injectionVolume"]["unit"] for p in injections} == {"µL"}
    assert all(p["consumablestock"] in {s["id"] for s in viruses} and p["equipment"] for p in injections)
    assert any(
        p["coordinates_system"] == "CCF_XYZ_Absolute" and p["type"] == "SiliconProbeImplant"
        for p in procedures
    )

    demo_server.cli("demo")
    assert api.records("procedure", portal="super", limit=100, **{"sort[]": "date_time"}) == procedures


def test_demo_has_a_week_of_weights_around_a_surgery(demo_server):
    """Issue 13 (demo data): a mouse's Weighing log with a pre-op baseline and a dip after its
    surgery; loading the demo again adds nothing."""
    _, token = demo_server.new_user("demoweights", superuser=True)
    api = Api(demo_server.url, token)
    [log] = api.records(
        "subjectlog", portal="super", **{"filter{type}": "Weighing", "filter{subject.name}": "PV03"}
    )
    procedures = api.records("procedure", portal="super", limit=100, **{"filter{subject}": log["subject"]})
    surgery = min(p["date_time"] for p in procedures)[:16]  # "2025-03-01T09:05"
    weights = {e["date_time"][:16]: e["details"]["weight"] for e in log["entries"]}
    assert len(weights) >= 7 and {w["unit"] for w in weights.values()} == {"g"}
    baseline = max(w["value"] for t, w in weights.items() if t < surgery)
    after = [w["value"] for t, w in weights.items() if t > surgery]
    assert after and min(after) < 0.95 * baseline
    assert api.read("subject", log["subject"], portal="super")["subjectlogs"] == [log["id"]]
    demo_server.cli("demo")
    again = api.records("subjectlog", portal="super", **{"filter{subject.name}": "PV03"})
    assert again == [log]


def test_demo_has_a_complete_mouse_surgery_of_todays_generation(demo_server):
    """Issue 13 (demo data): MS04 has anesthesia, craniotomy, a bilateral virus injection (left and
    right twins), a fiber implant and a headcap, today's subject fields, a license, and a week of
    weights with a pre-op weight; loading the demo again adds nothing."""
    _, token = demo_server.new_user("demoms04", superuser=True)
    api = Api(demo_server.url, token)
    [mouse] = api.records("subject", portal="super", **{"filter{name}": "MS04"})
    assert mouse["status"] == "active" and mouse["genotype"] == "wild type" and mouse["supplier"]
    assert mouse["licenses"] and mouse["birth_date"] == "2025-08-05"
    query = {"filter{subject}": mouse["id"], "sort[]": "date_time"}
    procedures = api.records("procedure", portal="super", limit=100, **query)
    assert [p["type"] for p in procedures] == [
        "Anesthesia", "Craniotomy", "VirusInjection", "VirusInjection", "OpticFiberImplant", "Headcap",
    ]  # fmt: skip
    left, right = (p["coordinates_details"] for p in procedures if p["type"] == "VirusInjection")
    assert left["mlCoordinate"]["value"] == -right["mlCoordinate"]["value"] == -1.5
    assert left["apCoordinate"] == right["apCoordinate"] and left["dvCoordinate"] == right["dvCoordinate"]
    [log] = api.records("subjectlog", portal="super", **{"filter{subject}": mouse["id"]})
    times = [e["date_time"] for e in log["entries"]]
    assert log["type"] == "Weighing" and len(times) >= 7
    assert any(t < procedures[0]["date_time"] for t in times) and any(
        t > procedures[-1]["date_time"] for t in times
    )
    demo_server.cli("demo")
    assert api.records("procedure", portal="super", limit=100, **query) == procedures
    assert len(api.records("subject", portal="super", **{"filter{name}": "MS04"})) == 1
