"""The demo lab in today's BrainSTEM terms: inventories with stocks (virus lots with titer),
a surgery setup with its equipment (stereotax, injector, probes), an animal-research license,
complete surgeries logged as procedures (MS04, a mouse of today's records only: anesthesia,
craniotomy, bilateral virus injection, fiber implant, headcap), and a week of weights around two of them. Loaded by ``stemgui.server.demo``; idempotent
(ids derive from names, records that exist are left alone).
"""
# ruff: noqa: E501  (a data table: one record per line reads better than wrapped)

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session as DbSession

from stemgui.models import validate_record
from stemgui.server import tables as t
from stemgui.server import tables_current as c


def _q(value: float, unit: str) -> dict:
    return {"value": value, "unit": unit}


INVENTORIES = [
    {"name": "Virus freezer (-80 °C)", "location": "Room B104, freezer 2", "description": "Viral vector aliquots"},
    {"name": "Implant cabinet", "location": "Room B102", "description": "Probes, fibers and wire"},
]  # fmt: skip

# (key, inventory, type, consumable name or None, status, notes, acquired, expires, where, conditions, details)
STOCKS = [
    ("ChR2 lot V-2025-031", "Virus freezer (-80 °C)", "Virus", "AAV5-CaMKIIa-hChR2(H134R)-EYFP", "AVAILABLE", "Lot V-2025-031, 10 µL aliquots", "2025-01-08", "2026-01-08", "Freezer 2, box 3", "-80 °C", {"lot": "V-2025-031", "titer": _q(1.2e13, "vg/mL"), "aliquotVolume": _q(10, "µL"), "quantity": 8}),
    ("ChR2 lot V-2024-118", "Virus freezer (-80 °C)", "Virus", "AAV5-CaMKIIa-hChR2(H134R)-EYFP", "DEPLETED", "Lot V-2024-118, used up in January", "2024-10-02", "2025-10-02", "Freezer 2, box 1", "-80 °C", {"lot": "V-2024-118", "titer": _q(4.5e12, "vg/mL"), "quantity": 0}),
    ("GCaMP8m lot V-2025-044", "Virus freezer (-80 °C)", "Virus", None, "AVAILABLE", "AAV9-hSyn-jGCaMP8m, 5 µL aliquots", "2025-02-11", "2026-02-11", "Freezer 2, box 4", "-80 °C", {"lot": "V-2025-044", "construct": "AAV9-hSyn-jGCaMP8m-WPRE", "titer": _q(2.1e13, "vg/mL"), "quantity": 12}),
    ("A1x32 probes", "Implant cabinet", "SiliconProbe", "A1x32-Poly2-5mm-50s-177", "AVAILABLE", "Spare polytrodes", "2024-12-01", None, "Drawer 1", "Room temperature, desiccated", {"probeIds": "2291,2292,2293", "quantity": 3}),
    ("Fiber cannulas", "Implant cabinet", "OpticFiber", "CFMLC12L05 fiber cannula", "AVAILABLE", "Ø200 µm cannulas", "2025-01-20", None, "Drawer 2", "Room temperature", {"fiberIds": "OF-2025-01-A", "quantity": 12}),
]  # fmt: skip

SETUP = {"name": "Surgery rig 1", "location": "Room B104", "description": "Stereotaxic surgery station",
         "specifications": [{"name": "Heating pad", "value": 37, "description": "°C"}]}  # fmt: skip

# (name, type, consumable, hardware device, notes, coordinates)
EQUIPMENT = [
    ("Kopf Model 940 stereotax", "Stereotax", None, None, "Digital readout, 0.01 mm", {"x": 0.0, "y": 0.0, "z": 0.0}),
    ("Nanoject III injector", "Injector", None, None, "Mounted on the left arm", {"x": 0.0, "y": 0.0, "z": 0.0}),
    ("A1x32 probe #2291", "SiliconProbe", "A1x32-Poly2-5mm-50s-177", "Intan RHD USB interface board", "Chronic implant, headstage RHD2132", {"x": 0.0, "y": 0.0, "z": 0.0}),
    ("LED driver with 470 nm LED", "LightSource", None, "Thorlabs LED driver DC2200", "Patch cord 200 µm", {"x": 0.0, "y": 0.0, "z": 0.0}),
]  # fmt: skip

LICENSE = {
    "name": "IACUC Protocol 2025-014: Hippocampal circuits in rodents",
    "type": "animal_research_authorization", "status": "active", "country": "US",
    "license_number": "IACUC-2025-014", "valid_from": "2025-01-01", "valid_until": "2027-12-31",
    "description": "Survival surgeries (virus injections, probe, fiber and electrode implants) and terminal perfusions in mice and rats.",
}  # fmt: skip

# a mouse of today's generation only (no seed actions): added by this module with today's fields
NEW_SUBJECTS = [
    {"name": "MS04", "strain": "C57BL/6J", "sex": "F", "birth_date": "2025-08-05", "project": "Demo: Hippocampal sharp-wave ripples",
     "supplier": "The Jackson Laboratory", "subject_identifier": "JAX-000664-04", "genotype": "wild type", "status": "active",
     "description": "Bilateral GCaMP8m in dorsal CA1, fiber photometry on the right", "tags": ["photometry"]},
]  # fmt: skip

_ISO = {"anestheticAgent": "Isoflurane", "route": "Inhalation", "depth": "Surgical plane",
        "dosage": "4% induction, 1.5-2% maintenance", "monitoringMethod": ["Toe pinch", "Breathing rate"],
        "supportiveCare": ["Heating pad", "Eye ointment", "Saline 0.5 mL SC"]}  # fmt: skip
_KX = {"anestheticAgent": "Ketamine + Xylazine", "route": "Intraperitoneal (IP)", "depth": "Surgical plane",
       "dosage": "100 mg/kg ketamine, 10 mg/kg xylazine", "supportiveCare": ["Heating pad", "Eye ointment"]}  # fmt: skip
_NONE = ("CCF_XYZ_Absolute", {})
_CEMENT = {"attachmentMethod": "dental cement", "constructionMethod": "manually built", "shielding": "copper mesh",
           "skullPreparation": "scored, cleaned with H2O2"}  # fmt: skip

# (subject, time, type, notes, stock, equipment, region, details, (system, coordinates))
SURGERIES = [
    # PV03: Cre-dependent ChR2 into CA1, then a fiber two weeks later (survival surgery)
    ("PV03", "2025-03-01T09:05", "Anesthesia", "Induction in chamber, then nose cone", None, [], None, {**_ISO, "duration": _q(85, "min"), "recoveryTime": _q(15, "min")}, _NONE),
    ("PV03", "2025-03-01T09:25", "BurrHole", "Left CA1 target", None, ["Kopf Model 940 stereotax"], "CA1", {"diameter": _q(0.5, "mm"), "coolingMethod": "Saline irrigation", "purpose": "Virus injection"}, ("Stereotaxic_BregmaAbsolute", {"apCoordinate": _q(-2.0, "mm"), "mlCoordinate": _q(-1.5, "mm")})),
    ("PV03", "2025-03-01T09:40", "VirusInjection", "0.3 µL at 50 nL/min, needle left 10 min", "ChR2 lot V-2025-031", ["Kopf Model 940 stereotax", "Nanoject III injector"], "CA1", {"injectionProfile": "Continuous Infusion", "injectionVolume": _q(0.3, "µL"), "injectionRate": _q(50, "nL/min"), "titer": _q(1.2e13, "vg/mL")}, ("Stereotaxic_BregmaAbsolute", {"apCoordinate": _q(-2.0, "mm"), "mlCoordinate": _q(-1.5, "mm"), "dvCoordinate": _q(-1.3, "mm")})),
    ("PV03", "2025-03-01T10:20", "Headpost", "Titanium headpost for head fixation", None, [], None, {"attachmentMethod": "dental cement", "material": "titanium", "skullPreparation": "scored, cleaned with H2O2"}, _NONE),
    # MS01: chronic silicon probe in dorsal CA1 (CCF target), ground screw, headcap
    ("MS01", "2025-02-20T08:50", "Anesthesia", "", None, [], None, {**_ISO, "duration": _q(140, "min"), "recoveryTime": _q(25, "min")}, _NONE),
    ("MS01", "2025-02-20T09:10", "Craniotomy", "Over right dorsal CA1", None, ["Kopf Model 940 stereotax"], "CA1", {"shape": "circular", "dimensions": "1.2 mm diameter", "surgicalMethod": "dental drill, dura removed", "fatalOutcome": False}, ("Stereotaxic_BregmaAbsolute", {"apCoordinate": _q(-2.0, "mm"), "mlCoordinate": _q(1.5, "mm")})),
    ("MS01", "2025-02-20T09:45", "SiliconProbeImplant", "32-ch polytrode, lowered 1.2 mm", "A1x32 probes", ["Kopf Model 940 stereotax", "A1x32 probe #2291"], "CA1", {"probeId": "2291", "sterilizationMethod": "Ethylene Oxide"}, ("CCF_XYZ_Absolute", {"x": _q(7.2, "mm"), "y": _q(2.1, "mm"), "z": _q(7.2, "mm")})),
    ("MS01", "2025-02-20T10:30", "ReferenceElectrodeImplant", "Ground and reference screws over cerebellum", None, [], "CB", {"electrodeCount": 2, "electrodeMaterial": "stainless steel"}, ("Stereotaxic_LambdaAbsolute", {"apCoordinate": _q(-1.0, "mm"), "mlCoordinate": _q(0.0, "mm")})),
    ("MS01", "2025-02-20T10:50", "Headcap", "Copper-mesh Faraday cage", None, [], None, _CEMENT, _NONE),
    # MS04: a complete fiber-photometry surgery: bilateral GCaMP8m into dorsal CA1 (L/R), a fiber over the right
    ("MS04", "2025-10-14T09:00", "Anesthesia", "Induction 4 %, maintenance 1.5 %", None, [], None, {**_ISO, "duration": _q(110, "min"), "recoveryTime": _q(20, "min")}, _NONE),
    ("MS04", "2025-10-14T09:20", "Craniotomy", "Two 0.5 mm holes over left and right CA1", None, ["Kopf Model 940 stereotax"], "CA1", {"shape": "circular", "dimensions": "2 x 0.5 mm diameter", "surgicalMethod": "dental drill, dura intact", "fatalOutcome": False}, ("Stereotaxic_BregmaAbsolute", {"apCoordinate": _q(-2.0, "mm"), "mlCoordinate": _q(1.5, "mm")})),
    ("MS04", "2025-10-14T09:35", "VirusInjection", "Left CA1, 0.3 µL at 50 nL/min, needle left 10 min", "GCaMP8m lot V-2025-044", ["Kopf Model 940 stereotax", "Nanoject III injector"], "CA1", {"injectionProfile": "Continuous Infusion", "injectionVolume": _q(0.3, "µL"), "injectionRate": _q(50, "nL/min"), "titer": _q(2.1e13, "vg/mL")}, ("Stereotaxic_BregmaAbsolute", {"apCoordinate": _q(-2.0, "mm"), "mlCoordinate": _q(-1.5, "mm"), "dvCoordinate": _q(-1.3, "mm")})),
    ("MS04", "2025-10-14T09:55", "VirusInjection", "Right CA1, same volume and rate", "GCaMP8m lot V-2025-044", ["Kopf Model 940 stereotax", "Nanoject III injector"], "CA1", {"injectionProfile": "Continuous Infusion", "injectionVolume": _q(0.3, "µL"), "injectionRate": _q(50, "nL/min"), "titer": _q(2.1e13, "vg/mL")}, ("Stereotaxic_BregmaAbsolute", {"apCoordinate": _q(-2.0, "mm"), "mlCoordinate": _q(1.5, "mm"), "dvCoordinate": _q(-1.3, "mm")})),
    ("MS04", "2025-10-14T10:15", "OpticFiberImplant", "Ø200 µm fiber 0.1 mm above the right injection", "Fiber cannulas", ["Kopf Model 940 stereotax"], "CA1", {"fiberId": "OF-2025-01-A-07", "fiberTipShape": "flat", "sterilizationMethod": "Alcohol"}, ("Stereotaxic_BregmaAbsolute", {"apCoordinate": _q(-2.0, "mm"), "mlCoordinate": _q(1.5, "mm"), "dvCoordinate": _q(-1.2, "mm")})),
    ("MS04", "2025-10-14T10:40", "Headcap", "Headcap with a head-fixation bar", None, [], None, {**_CEMENT, "constructionMethod": "manually built"}, _NONE),
    # R01: ChR2 into the medial septum and a fiber above it (rat, ketamine/xylazine)
    ("R01", "2025-01-15T10:00", "Anesthesia", "", None, [], None, {**_KX, "duration": _q(95, "min"), "recoveryTime": _q(45, "min")}, _NONE),
    ("R01", "2025-01-15T10:20", "VirusInjection", "0.5 µL at 100 nL/min, 10° ML angle", "ChR2 lot V-2024-118", ["Kopf Model 940 stereotax", "Nanoject III injector"], "MS", {"injectionProfile": "Continuous Infusion", "injectionVolume": _q(0.5, "µL"), "injectionRate": _q(100, "nL/min"), "titer": _q(4.5e12, "vg/mL")}, ("Stereotaxic_BregmaAbsolute", {"apCoordinate": _q(0.6, "mm"), "mlCoordinate": _q(0.0, "mm"), "dvCoordinate": _q(-5.5, "mm"), "mlAngle": _q(10, "°")})),
    ("R01", "2025-01-15T11:00", "OpticFiberImplant", "Ø200 µm fiber 0.3 mm above the injection", "Fiber cannulas", ["Kopf Model 940 stereotax", "LED driver with 470 nm LED"], "MS", {"fiberId": "OF-2025-01-A-04", "fiberTipShape": "flat", "sterilizationMethod": "Alcohol"}, ("Stereotaxic_BregmaBrainSurface", {"apCoordinate": _q(0.6, "mm"), "mlCoordinate": _q(0.9, "mm"), "depth": _q(5.0, "mm"), "mlAngle": _q(10, "°")})),
    ("R01", "2025-01-15T11:30", "Headcap", "", None, [], None, _CEMENT, _NONE),
    # R03: terminal perfusion at the end of the experiment
    ("R03", "2025-09-30T14:00", "BarbiturateInjection", "Terminal dose before perfusion", None, [], None, {"barbiturate": "Pentobarbital", "route": "Intraperitoneal (IP)", "dosage": _q(150, "mg/kg"), "confirmationOfDeath": ["Loss of pedal reflex"]}, _NONE),
    ("R03", "2025-09-30T14:10", "PerfusionFixation", "PBS then 4% PFA", None, [], None, {"perfusionMethod": "Transcardial, gravity fed", "volume": _q(250, "mL"), "fatalOutcome": True}, _NONE),
    ("R03", "2025-09-30T14:40", "BrainExtraction", "Post-fixed overnight", None, [], None, {"extractionMethod": "Complete removal", "preservationMethod": "Paraformaldehyde fixation", "fixationDuration": _q(24, "h")}, _NONE),
]  # fmt: skip


# (subject, type, description, entries): PV03 weighed daily around its surgery of 2025-03-01
# (baseline before it, a dip after it, recovering within the week)
SUBJECT_LOGS = [
    ("PV03", "Weighing", "Daily weights around the ChR2 surgery", [
        {"date_time": f"2025-{day}T08:30:00Z", "notes": note, "details": {"weight": _q(grams, "g")}}
        for day, grams, note in (
            ("02-26", 25.2, None), ("02-27", 25.0, None), ("02-28", 25.1, "Baseline"),
            ("03-01", 25.0, "Morning of surgery"), ("03-02", 23.3, "Day 1 post-op, carprofen"),
            ("03-03", 22.6, "Wet food added"), ("03-04", 22.9, None), ("03-05", 23.5, None),
            ("03-06", 24.1, None), ("03-07", 24.6, "Recovered"),
        )
    ]),
    ("MS04", "Weighing", "Pre-op and daily post-op weights (photometry surgery)", [
        {"date_time": f"2025-10-{day}T08:15:00Z", "notes": note, "details": {"weight": _q(grams, "g")}}
        for day, grams, note in (
            ("12", 21.4, None), ("13", 21.6, None), ("14", 21.5, "Pre-op, morning of surgery"),
            ("15", 20.1, "Day 1 post-op, meloxicam"), ("16", 19.6, "Wet food added"), ("17", 19.9, None),
            ("18", 20.4, None), ("19", 20.9, None), ("20", 21.3, "Recovered, stitches out"),
        )
    ]),
]  # fmt: skip


def _add(db: DbSession, orm: type, record_id: str, **values) -> str:
    if db.get(orm, record_id) is None:
        db.add(orm(id=record_id, **values))
        db.flush()
    return record_id


def _valid(model: str, data: dict, label: str):
    record, errors = validate_record(model, data)
    if errors:
        raise ValueError(f"demo {model} {label!r} is invalid: {errors}")
    return record


def load(db: DbSession, ids: dict[str, str], owner_id: str, demo_id: Callable[[str, str], str]) -> None:
    """Load today's records; ``ids`` maps the seed demo's names (subjects, consumables, devices) to ids."""
    _new_subjects(db, ids, demo_id)
    for item in INVENTORIES:
        ids[item["name"]] = _add(
            db, c.Inventory, demo_id("inventory", item["name"]), creator_id=owner_id, **item
        )
    for row in STOCKS:
        key, inventory, kind, consumable, status, notes, acquired, expires, where, conditions, details = row
        data = {"type": kind, "status": status, "notes": notes, "inventory": ids[inventory], "consumable": ids.get(consumable),
                "acquisition_date": acquired, "expiration_date": expires, "storage_location": where,
                "storage_conditions": conditions, "details": details}  # fmt: skip
        values = _valid("consumablestock", data, key).model_dump()
        values = {k: v for k, v in values.items() if k not in ("inventory", "consumable")}
        ids[key] = _add(db, c.ConsumableStock, demo_id("consumablestock", key), inventory_id=ids[inventory],
                        consumable_id=ids.get(consumable), creator_id=owner_id, **values)  # fmt: skip
    setup_id = _add(db, c.Setup, demo_id("setup", SETUP["name"]), creator_id=owner_id, **SETUP)
    for name, kind, consumable, device, notes, coords in EQUIPMENT:
        data = {"name": name, "type": kind, "setup": setup_id, "notes": notes,
                "coordinates_system": "External_XYZ_Absolute", "coordinates_details": coords}  # fmt: skip
        values = _valid("equipment", data, name).model_dump()
        values = {k: v for k, v in values.items() if k not in ("setup", "consumable", "hardwaredevice")}
        ids[name] = _add(db, c.Equipment, demo_id("equipment", name), setup_id=setup_id, consumable_id=ids.get(consumable),
                         hardwaredevice_id=ids.get(device), creator_id=owner_id, **values)  # fmt: skip
    license_id = demo_id("license", LICENSE["name"])
    values = _valid("license", LICENSE, LICENSE["name"]).model_dump(exclude={"subjects"})
    if db.get(c.License, license_id) is None:
        _add(db, c.License, license_id, creator_id=owner_id, **values)
    _link_license(db, license_id, [ids[s] for s in sorted({row[0] for row in SURGERIES})])
    _surgeries(db, ids, license_id, demo_id)
    for subject, kind, description, entries in SUBJECT_LOGS:
        data = {"type": kind, "subject": ids[subject], "description": description, "entries": entries}
        record = _valid("subjectlog", data, f"{subject} {kind}")
        _add(db, c.SubjectLog, demo_id("subjectlog", f"{subject}:{kind}"), type=kind, subject_id=ids[subject],
             description=description, entries=record.entries, creator_id=owner_id)  # fmt: skip


def _new_subjects(db: DbSession, ids: dict[str, str], demo_id: Callable[[str, str], str]) -> None:
    for item in NEW_SUBJECTS:
        subject_id = demo_id("subject", item["name"])
        ids[item["name"]] = subject_id
        if db.get(t.Subject, subject_id) is not None:
            continue
        project_id = db.scalar(select(t.Project.id).where(t.Project.name == item["project"]))
        data = {k: v for k, v in item.items() if k not in ("strain", "project", "supplier")}
        _valid("subject", {**data, "strain": ids[item["strain"]], "projects": [project_id],
                           "supplier": ids[item["supplier"]]}, item["name"])  # fmt: skip
        db.add(
            t.Subject(id=subject_id, strain_id=ids[item["strain"]], supplier_id=ids[item["supplier"]], **data)
        )
        db.flush()
        db.execute(insert(t.subject_projects).values(subject_id=subject_id, project_id=project_id))


def _link_license(db: DbSession, license_id: str, subject_ids: list[str]) -> None:
    """Link the demo license to every operated subject (also those added after the license)."""
    have = set(
        db.scalars(
            select(c.license_subjects.c.subject_id).where(c.license_subjects.c.license_id == license_id)
        )
    )
    missing = [{"license_id": license_id, "subject_id": s} for s in subject_ids if s not in have]
    if missing:
        db.execute(insert(c.license_subjects), missing)


def _surgeries(
    db: DbSession, ids: dict[str, str], license_id: str, demo_id: Callable[[str, str], str]
) -> None:
    regions = dict(
        db.execute(select(t.BrainRegion.acronym, t.BrainRegion.id).where(t.BrainRegion.atlas == "AIA")).all()
    )
    for row in SURGERIES:
        subject, when, kind, notes, stock, equipment, region, details, (system, coords) = row
        procedure_id = demo_id("procedure", f"{subject}:{when}:{kind}")
        if db.get(c.Procedure, procedure_id) is not None:
            continue
        data = {"type": kind, "subject": ids[subject], "notes": notes, "date_time": when, "details": details,
                "coordinates_system": system, "coordinates_details": coords}  # fmt: skip
        record = _valid("procedure", data, f"{subject} {when} {kind}")
        db.add(c.Procedure(
            id=procedure_id, type=kind, notes=notes, subject_id=ids[subject], date_time=record.date_time,
            consumablestock_id=ids.get(stock), brain_region_id=regions.get(region), details=record.details,
            type_schema_version=record.type_schema_version, coordinates_system=system,
            coordinates_details=record.coordinates_details, coordinates_schema_version=record.coordinates_schema_version,
        ))  # fmt: skip
        db.flush()
        links = [{"procedure_id": procedure_id, "equipment_id": ids[name]} for name in equipment]
        if links:
            db.execute(insert(c.procedure_equipment), links)
        db.execute(insert(c.procedure_licenses), [{"procedure_id": procedure_id, "license_id": license_id}])
