"""The schema registry of both generations and today's {value, unit} quantities (issue 12, "Server")."""

from __future__ import annotations

import json

import pytest

import stemgui.schemas as schemas
from stemgui.schemas import GENERATIONS, latest_version, load_versioned, schema_names, schema_versions
from stemgui.schemas.quantities import check, default_unit, normalize, units
from tests.serverproc import REPO_ROOT


def test_both_generations_are_registered():
    """Issue 12: the seed's 5 types / 7 systems stay; today's 43 types / 6 systems (1.1.0) join them."""
    assert len(schema_names("action")) == 5 and len(schema_names("coordinates")) == 7
    procedure = GENERATIONS["procedure"]
    assert len(schema_names(procedure.types)) == 43
    systems = schema_names(procedure.coordinates)
    assert set(systems) == {
        "CCF_XYZ_Absolute", "External_XYZ_Absolute", "Stereotaxic_BregmaAbsolute",
        "Stereotaxic_BregmaBrainSurface", "Stereotaxic_LambdaAbsolute", "Stereotaxic_LambdaBrainSurface",
    }  # fmt: skip
    assert {schema_versions(procedure.coordinates, name)[-1] for name in systems} == {"1.1.0"}
    assert len(schema_names("subjectlog")) == 14  # issue 13: today's subject-log types


def test_shipped_files_match_the_spec():
    """Issue 12: the schema files are the spec's, unedited (quirks kept)."""
    spec = REPO_ROOT.parent / "shared" / "spec" / "current" / "schemas"
    if not spec.is_dir():
        pytest.skip(f"the spec is not at {spec}")
    pairs = (("procedure", "procedure"), ("coordinates_current", "coordinates"), ("subjectlog", "subjectlog"))
    for ours, theirs in pairs:
        names = sorted(p.name for p in (schemas.SCHEMA_DIR / ours).glob("*.json"))
        assert names == sorted(p.name for p in (spec / theirs).glob("*.json"))
        for name in names:
            assert json.loads((schemas.SCHEMA_DIR / ours / name).read_text()) == json.loads(
                (spec / theirs / name).read_text()
            )


def test_another_version_is_a_file_named_with_it(tmp_path, monkeypatch):
    """Issue 12: ``Type@1.0.0.json`` beside ``Type.json`` (1.1.0) is an older version of the same type."""
    folder = tmp_path / "procedure"
    folder.mkdir()
    newer = {"title": "Probe", "version": "1.1.0", "properties": {"depth": {"type": "number"}}}
    older = {"title": "Probe", "version": "1.0.0", "properties": {"depth": {"type": "string"}}}
    (folder / "Probe.json").write_text(json.dumps(newer))
    (folder / "Probe@1.0.0.json").write_text(json.dumps(older))
    monkeypatch.setattr(schemas, "SCHEMA_DIR", tmp_path)
    schemas._versions.cache_clear()
    schemas._schemas.cache_clear()
    try:
        assert schema_versions("procedure", "Probe") == ["1.0.0", "1.1.0"]
        assert latest_version("procedure", "Probe") == "1.1.0"
        assert load_versioned("procedure", "Probe", "1.0.0") == older
        assert schema_names("procedure") == {"Probe": "Probe"}
        with pytest.raises(KeyError):
            load_versioned("procedure", "Probe", "2.0.0")
    finally:
        schemas._versions.cache_clear()
        schemas._schemas.cache_clear()


def test_quantities():
    """Issue 12: a bare number or a missing unit takes the documented unit; the unit must be allowed."""
    schema = load_versioned("procedure", "VirusInjection")
    volume = schema["properties"]["injectionVolume"]
    assert (default_unit(volume), units(volume)) == ("nL", ["nL", "µL", "mL", "L"])
    assert normalize(schema, {"injectionVolume": 300, "titer": {"value": 1e13}}) == {
        "injectionVolume": {"value": 300, "unit": "nL"},
        "titer": {"value": 1e13, "unit": "vg/mL"},
    }
    stored, errors = check(schema, {"injectionRate": {"value": 50, "unit": "µL/min"}})
    assert (stored, errors) == ({"injectionRate": {"value": 50, "unit": "µL/min"}}, {})
    _, errors = check(schema, {"injectionRate": {"value": "fast", "unit": "mph", "note": 1}})
    assert set(errors) == {"injectionRate.value", "injectionRate.unit", "injectionRate"}
    assert check(schema, {})[0] == {}  # unit hints are not values: nothing is filled in
    _, errors = check(schema, {"injectionVolume": "300 nL"})
    wanted = 'Injection volume must be a number or {"value": number, "unit": one of nL, µL, mL, L}.'
    assert errors == {"injectionVolume": wanted}
