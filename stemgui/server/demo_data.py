"""The demo lab: plain data, loaded by ``stemgui.server.demo`` (ids are derived from names)."""
# ruff: noqa: E501  (a data table: one record per line reads better than wrapped)

from __future__ import annotations

PROJECTS = [
    {
        "name": "Demo: Hippocampal sharp-wave ripples",
        "description": "Silicon-probe and tetrode recordings of CA1 ripples in freely moving mice.",
        "is_public": True,
        "tags": ["hippocampus", "ripples", "extracellular"],
        "extra_fields": {"grant": "R01-NS000001", "lab": "Demo lab"},
    },
    {
        "name": "Demo: Septal optogenetics",
        "description": "Optogenetic pacing of the medial septum during spatial navigation in rats.",
        "is_public": False,
        "tags": ["medial septum", "optogenetics"],
        "extra_fields": {"grant": "ERC-000002"},
    },
]

SPECIES = [
    {"name": "Mouse", "description": "Mus musculus"},
    {"name": "Rat", "description": "Rattus norvegicus"},
]

STRAINS = [
    {"name": "C57BL/6J", "species": "Mouse", "description": "Inbred wild-type mouse"},
    {"name": "PV-Cre (B6.129P2-Pvalb<tm1(cre)Arbr>/J)", "species": "Mouse", "description": "Parvalbumin-Cre"},
    {"name": "Long-Evans", "species": "Rat", "description": "Outbred hooded rat"},
]

SUPPLIERS = [
    {"name": "The Jackson Laboratory", "website": "https://www.jax.org/"},
    {"name": "Charles River", "website": "https://www.criver.com/"},
    {"name": "Thorlabs", "website": "https://www.thorlabs.com/"},
    {"name": "NeuroNexus", "website": "https://www.neuronexus.com/"},
    {"name": "Addgene", "website": "https://www.addgene.org/"},
    {"name": "California Fine Wire", "website": "https://calfinewire.com/"},
    {"name": "Intan Technologies", "website": "https://intantech.com/"},
    {"name": "Open Ephys", "website": "https://open-ephys.org/"},
]

CONSUMABLES = [
    {
        "name": "CFMLC12L05 fiber cannula",
        "supplier": "Thorlabs",
        "type": "OpticFiberDesign",
        "description": "Ø200 µm core, 0.39 NA, 5 mm ceramic ferrule cannula",
        "details": {"core_diameter": 200, "numerical_aperture": 0.39, "length": 5},
    },
    {
        "name": "A1x32-Poly2-5mm-50s-177",
        "supplier": "NeuroNexus",
        "type": "SiliconProbeDesign",
        "description": "32-channel single-shank polytrode",
        "details": {"product_id": "A1x32-Poly2-5mm-50s-177", "nChannels": 32, "nShanks": 1, "siteArea": 177},
    },
    {
        "name": "AAV5-CaMKIIa-hChR2(H134R)-EYFP",
        "supplier": "Addgene",
        "type": "VirusConstruct",
        "description": "Channelrhodopsin-2 under the CaMKIIa promoter",
        "details": {"virus_type": "AAV", "serotype": "5", "titer": "1e13 GC/mL"},
    },
    {
        "name": "Tungsten wire 12.5 µm (HML)",
        "supplier": "California Fine Wire",
        "type": "WireElectrode",
        "description": "Polyimide-coated tungsten for tetrodes",
        "details": {"material": "tungsten", "diameter_um": 12.5},
    },
]

HARDWARE_DEVICES = [
    {"name": "Intan RHD USB interface board", "supplier": "Intan Technologies"},
    {"name": "Open Ephys acquisition board", "supplier": "Open Ephys"},
    {"name": "Thorlabs LED driver DC2200", "supplier": "Thorlabs"},
]

_HIPPO, _SEPTUM = (p["name"] for p in PROJECTS)

SUBJECTS = [
    {"name": "MS01", "strain": "C57BL/6J", "sex": "M", "birth_date": "2025-01-10", "project": _HIPPO,
     "source": "The Jackson Laboratory", "subject_identifier": "JAX-000664-01", "tags": ["probe"]},
    {"name": "MS02", "strain": "C57BL/6J", "sex": "F", "birth_date": "2025-01-10", "project": _HIPPO,
     "source": "The Jackson Laboratory", "subject_identifier": "JAX-000664-02", "tags": ["probe"]},
    {"name": "PV03", "strain": "PV-Cre (B6.129P2-Pvalb<tm1(cre)Arbr>/J)", "sex": "M", "birth_date": "2025-02-03",
     "project": _HIPPO, "source": "The Jackson Laboratory", "genetic_line": "Pvalb-IRES-Cre", "tags": ["cre"]},
    {"name": "R01", "strain": "Long-Evans", "sex": "M", "birth_date": "2024-11-20", "project": _SEPTUM,
     "source": "Charles River", "tags": ["opto"]},
    {"name": "R02", "strain": "Long-Evans", "sex": "F", "birth_date": "2024-11-20", "project": _SEPTUM,
     "source": "Charles River", "tags": ["opto"]},
    {"name": "R03", "strain": "Long-Evans", "sex": "U", "birth_date": "2024-12-01", "project": _SEPTUM,
     "source": "Charles River", "death_date": "2025-09-30", "tags": ["tetrodes"]},
]  # fmt: skip

_TASKS = ["linear track", "open field", "sleep", "T-maze", "home cage"]


def _session(number: int) -> dict:
    project = _HIPPO if number <= 12 else _SEPTUM
    animal = ("MS01", "MS02", "PV03")[number % 3] if project == _HIPPO else ("R01", "R02", "R03")[number % 3]
    task = _TASKS[number % len(_TASKS)]
    session = {
        "name": f"{animal}_2025-{3 + number // 8:02d}-{1 + number % 28:02d}_{task.replace(' ', '-')}",
        "description": f"{task.capitalize()} session of {animal}.",
        "project": project,
        "date_time": f"2025-{3 + number // 8:02d}-{1 + number % 28:02d}T{9 + number % 8:02d}:30:00",
        "tags": [task, "demo"] + (["ripples"] if project == _HIPPO and number % 2 else []),
        "extra_fields": {"animal": animal, "trials": 20 + number, "room": f"B{100 + number % 3}"},
        "name_used_in_storage": f"{animal.lower()}_{number:03d}",
        "download_links": [],
    }
    if number % 4 == 0:
        session["download_links"] = [
            {"Repository": "DANDI", "URL": f"https://dandiarchive.org/dandiset/0000{number:02d}"},
            {"Repository": "GitHub", "URL": "https://github.com/demo-lab/analysis"},
        ]
    return session


SESSIONS = [_session(n) for n in range(1, 21)]

# (subject, type, description, date, consumable, device, brain region acronym, details, system, coords)
ACTIONS = [
    ("MS01", "SiliconProbeImplant", "32-ch polytrode in dorsal CA1", "2025-02-20", "A1x32-Poly2-5mm-50s-177",
     "Intan RHD USB interface board", "CA1", {}, "Stereotaxic_BregmaAbsolute",
     {"apCoordinate": -2.0, "mlCoordinate": 1.5, "dvCoordinate": -1.2, "apAngle": 0.0, "mlAngle": 0.0, "dvAngle": 0.0}),
    ("MS02", "SiliconProbeImplant", "Polytrode in right CA1", "2025-02-21", "A1x32-Poly2-5mm-50s-177",
     "Intan RHD USB interface board", "CA1", {}, "Stereotaxic_BregmaBrainSurface",
     {"apCoordinate": -2.2, "mlCoordinate": 1.6, "depth": 1.1, "rotation": 0.0, "apAngle": 0.0, "mlAngle": 0.0}),
    ("PV03", "VirusInjection", "Cre-dependent ChR2 into CA1", "2025-03-01", "AAV5-CaMKIIa-hChR2(H134R)-EYFP", None,
     "CA1", {"injectionVolume": 300.0, "injectionRate": 1.5, "injectionSchema": "Gradual"},
     "Stereotaxic_LambdaAbsolute",
     {"apCoordinate": 1.8, "mlCoordinate": 1.5, "dvCoordinate": -1.3, "apAngle": 0.0, "mlAngle": 0.0, "dvAngle": 0.0}),
    ("PV03", "OpticFiberImplant", "Fiber above CA1", "2025-03-15", "CFMLC12L05 fiber cannula",
     "Thorlabs LED driver DC2200", "CA1", {"fiberTipShape": "flat"}, "Stereotaxic_LambdaBrainSurface",
     {"apCoordinate": 1.8, "mlCoordinate": 1.5, "depth": 1.0, "rotation": 0.0, "apAngle": 0.0, "mlAngle": 0.0}),
    ("PV03", "SingleWireElectrode", "Reference wire over cerebellum", "2025-03-15", "Tungsten wire 12.5 µm (HML)",
     None, "CB", {"wireCount": 1, "wireDiameter": 50.0, "wireMaterial": "stainless steel"},
     "Stereotaxic_XY_Surface", {"x": -6.0, "y": 0.0, "xAngle": 0.0, "yAngle": 0.0, "depth": 0.5, "rotation": 0.0}),
    ("R01", "VirusInjection", "ChR2 into medial septum", "2025-01-15", "AAV5-CaMKIIa-hChR2(H134R)-EYFP", None, "MS",
     {"injectionVolume": 500.0, "injectionRate": 2.0, "injectionSchema": "Pulses"}, "Stereotaxic_BregmaAbsolute",
     {"apCoordinate": 0.6, "mlCoordinate": 0.0, "dvCoordinate": -5.5, "apAngle": 0.0, "mlAngle": 10.0, "dvAngle": 0.0}),
    ("R01", "OpticFiberImplant", "Fiber above medial septum", "2025-02-05", "CFMLC12L05 fiber cannula",
     "Thorlabs LED driver DC2200", "MS", {"fiberTipShape": "angled"}, "Stereotaxic_BregmaBrainSurface",
     {"apCoordinate": 0.6, "mlCoordinate": 0.9, "depth": 5.0, "rotation": 0.0, "apAngle": 0.0, "mlAngle": 10.0}),
    ("R01", "TetrodeWireElectrode", "8-tetrode drive over dorsal CA1", "2025-02-05", "Tungsten wire 12.5 µm (HML)",
     "Open Ephys acquisition board", "CA1",
     {"tetrodeCount": 8, "nWiresTetrode": 4, "wireDiameter": 12.5, "wireMaterial": "tungsten"},
     "Stereotaxic_XYZ_Absolute", {"x": -3.5, "y": 2.4, "z": -1.8, "xAngle": 0.0, "yAngle": 0.0, "zAngle": 0.0}),
    ("R02", "VirusInjection", "ChR2 into medial septum", "2025-01-16", "AAV5-CaMKIIa-hChR2(H134R)-EYFP", None, "MS",
     {"injectionVolume": 450.0, "injectionRate": 1.0, "injectionSchema": "Gradual"}, "Stereotaxic_LambdaAbsolute",
     {"apCoordinate": 7.6, "mlCoordinate": 0.0, "dvCoordinate": -5.4, "apAngle": 0.0, "mlAngle": 10.0, "dvAngle": 0.0}),
    ("R02", "OpticFiberImplant", "Fiber above medial septum", "2025-02-06", "CFMLC12L05 fiber cannula",
     "Thorlabs LED driver DC2200", "MS", {"fiberTipShape": "flat"}, "Stereotaxic_LambdaBrainSurface",
     {"apCoordinate": 7.6, "mlCoordinate": 0.9, "depth": 5.1, "rotation": 0.0, "apAngle": 0.0, "mlAngle": 10.0}),
    ("R02", "TetrodeWireElectrode", "16-tetrode drive over both CA1", "2025-02-06", "Tungsten wire 12.5 µm (HML)",
     "Open Ephys acquisition board", "CA1",
     {"tetrodeCount": 16, "nWiresTetrode": 4, "wireDiameter": 12.5, "wireMaterial": "tungsten"},
     "External_XYZ_Absolute", {"x": 12.1, "y": 40.2, "z": 8.7, "xAngle": 0.0, "yAngle": 15.0, "zAngle": 0.0}),
    ("R03", "TetrodeWireElectrode", "Tetrodes into entorhinal cortex", "2025-03-10", "Tungsten wire 12.5 µm (HML)",
     "Open Ephys acquisition board", "ENTm",
     {"tetrodeCount": 4, "nWiresTetrode": 4, "wireDiameter": 17.8, "wireMaterial": "nichrome"},
     "Stereotaxic_BregmaAbsolute",
     {"apCoordinate": -8.5, "mlCoordinate": 4.6, "dvCoordinate": -2.5, "apAngle": 0.0, "mlAngle": 0.0, "dvAngle": 0.0}),
    ("R03", "SingleWireElectrode", "Wire into medial septum", "2025-03-10", "Tungsten wire 12.5 µm (HML)", None, "MS",
     {"wireCount": 2, "wireDiameter": 50.0, "wireMaterial": "tungsten"}, "Stereotaxic_XYZ_Absolute",
     {"x": 0.5, "y": 0.0, "z": -5.5, "xAngle": 0.0, "yAngle": 0.0, "zAngle": 0.0}),
    ("MS01", "SingleWireElectrode", "EMG wire in neck muscle", "2025-02-20", "Tungsten wire 12.5 µm (HML)", None,
     None, {"wireCount": 1}, "External_XYZ_Absolute", {"x": 0.0, "y": -12.0, "z": 2.0}),
    ("MS02", "OpticFiberImplant", "Fiber above dentate gyrus", "2025-03-02", "CFMLC12L05 fiber cannula", None, "DG",
     {"fiberTipShape": "flat"}, "Stereotaxic_XY_Surface",
     {"x": -2.0, "y": 1.3, "xAngle": 0.0, "yAngle": 0.0, "depth": 1.8, "rotation": 0.0}),
]  # fmt: skip
