"""Issue 13 (implant map): coordinates of both generations -> points on the schematic brain.

The assertions read the charts' own data (the ``targets`` datasets), not pixels.
"""

from __future__ import annotations

import pytest

from stemgui.chart_export import chart_png, chart_svg
from stemgui.implant_charts import coronal_views, target_rows, top_view
from stemgui.implant_map import (
    CCF_BREGMA_MM,
    bregma_lambda_setting,
    outline,
    surface_dv,
    targets_from_records,
    to_mm,
)


def _q(value, unit="mm"):
    return {"value": value, "unit": unit}


def _record(rid, system, coords, kind="VirusInjection", subject="s1", region="CA1"):
    return {
        "id": rid,
        "type": kind,
        "subject": subject,
        "brain_region": region,
        "date_time": "2025-03-01T09:40:00Z",
        "coordinates_system": system,
        "coordinates_details": coords,
    }


def _by_id(rows):
    return {row["record_id"]: row for row in rows}


def test_bregma_target_lands_at_its_ap_ml_in_the_top_view():
    """Issue 13: a bregma-relative target AP -2.0 ML +1.5 is drawn at x=1.5, y=-2.0."""
    records = [
        _record(
            "a",
            "Stereotaxic_BregmaAbsolute",
            {"apCoordinate": _q(-2.0), "mlCoordinate": _q(1.5), "dvCoordinate": _q(-1.3)},
        )
    ]
    chart = top_view(targets_from_records(records).placed)
    row = _by_id(target_rows(chart))["a"]
    assert (row["ml"], row["ap"], row["dv"]) == (1.5, -2.0, -1.3)
    spec = chart.to_dict()
    points = next(
        layer
        for layer in spec["layer"]
        if layer.get("mark", {}).get("type") == "point" and layer["data"].get("name") == "targets"
    )
    assert points["encoding"]["x"]["field"] == "ml" and points["encoding"]["y"]["field"] == "ap"


def test_lambda_target_is_shifted_by_the_bregma_lambda_distance():
    """Issue 13: lambda-relative AP +1.0 lands at -3.2 with the default 4.2 mm, at -3.0 with 4.0."""
    records = [_record("l", "Stereotaxic_LambdaAbsolute", {"apCoordinate": _q(1.0), "mlCoordinate": _q(0.5)})]
    assert target_rows(top_view(targets_from_records(records).placed))[0]["ap"] == pytest.approx(-3.2)
    shifted = targets_from_records(records, bregma_lambda=4.0).placed[0]
    assert shifted.ap == pytest.approx(-3.0)


def test_units_and_bare_numbers_are_converted_to_mm():
    """Issue 13: {value, unit} in µm/m and the seed's bare numbers are millimetres on the map."""
    assert to_mm(_q(1500, "µm")) == pytest.approx(1.5)
    assert to_mm(_q(0.002, "m")) == pytest.approx(2.0)
    assert to_mm(-2.5) == -2.5
    assert to_mm("x") is None and to_mm(_q(1, "furlong")) is None
    records = [
        _record("u", "Stereotaxic_BregmaAbsolute", {"apCoordinate": _q(-2000, "µm"), "mlCoordinate": 1.5})
    ]
    target = targets_from_records(records).placed[0]
    assert (target.ap, target.ml) == (pytest.approx(-2.0), 1.5)


def test_brain_surface_depth_hangs_from_the_outline_surface():
    """Issue 13: depth in a brain-surface system is measured down from the outline's surface."""
    records = [
        _record(
            "s",
            "Stereotaxic_BregmaBrainSurface",
            {"apCoordinate": _q(-2.0), "mlCoordinate": _q(1.5), "depth": _q(1.0)},
        )
    ]
    target = targets_from_records(records).placed[0]
    assert target.dv == pytest.approx(surface_dv(-2.0, 1.5) - 1.0)
    assert -1.0 < surface_dv(-2.0, 1.5) < 0  # the cortex surface lies just below the skull


def test_ccf_goes_through_the_stated_translation():
    """Issue 13: CCF x/y/z (mm) -> bregma AP = 5.4 - x, ML = z - 5.739, DV = 0.332 - y."""
    records = [_record("c", "CCF_XYZ_Absolute", {"x": _q(7.2), "y": _q(2.1), "z": _q(7200, "µm")})]
    target = targets_from_records(records).placed[0]
    assert target.ap == pytest.approx(CCF_BREGMA_MM["x"] - 7.2)
    assert target.ml == pytest.approx(7.2 - CCF_BREGMA_MM["z"])
    assert target.dv == pytest.approx(CCF_BREGMA_MM["y"] - 2.1)


def test_unplaceable_targets_are_listed_with_a_reason_never_dropped():
    """Issue 13: external and origin-less systems, and missing AP, are listed.

    Records without coordinates (an anesthesia) are no targets."""
    records = [
        _record("e", "External_XYZ_Absolute", {"x": _q(1, "m")}),
        _record("x", "Stereotaxic_XYZ_Absolute", {"x": 1.0, "y": 2.0}),
        _record("m", "Stereotaxic_BregmaAbsolute", {"mlCoordinate": _q(1.0)}),
        _record("n", "CCF_XYZ_Absolute", {}, kind="Anesthesia"),
    ]
    result = targets_from_records(records)
    assert result.placed == []
    reasons = {t.record_id: t.reason for t in result.unplaceable}
    assert set(reasons) == {"e", "x", "m"}
    assert "no anatomical origin" in reasons["e"] and "AP or ML" in reasons["m"]


def test_bilateral_pairs_share_a_pair_id_and_a_line():
    """Issue 13: a left/right twin is one pair (a dashed line joins them)."""
    coords = {"apCoordinate": _q(-2.0), "dvCoordinate": _q(-1.3)}
    records = [
        _record("L", "Stereotaxic_BregmaAbsolute", {**coords, "mlCoordinate": _q(-1.5)}),
        _record("R", "Stereotaxic_BregmaAbsolute", {**coords, "mlCoordinate": _q(1.5)}),
        _record(
            "F", "Stereotaxic_BregmaAbsolute", {**coords, "mlCoordinate": _q(1.5)}, kind="OpticFiberImplant"
        ),
    ]
    rows = _by_id(target_rows(top_view(targets_from_records(records).placed)))
    assert rows["L"]["pair"] == rows["R"]["pair"] != "" and rows["F"]["pair"] == ""
    spec = top_view(targets_from_records(records).placed).to_dict()
    labels = [layer["data"]["values"] for layer in spec["layer"] if layer["data"].get("name") == "labels"][0]
    assert sorted(label["text"] for label in labels) == [
        "VirusInjection · CA1 (L/R)\nOpticFiberImplant · CA1"
    ]
    assert any(
        layer.get("mark", {}).get("type") == "line"
        and layer["encoding"].get("detail", {}).get("field") == "pair"
        for layer in spec["layer"]
    )


def test_dv_sign_positive_ventral_draws_below_the_skull():
    """Issue 13 with STEMGUI_DV_SIGN: a DV of 1.3 under positive-ventral is drawn at -1.3."""
    records = [
        _record(
            "d",
            "Stereotaxic_BregmaAbsolute",
            {"apCoordinate": -2.0, "mlCoordinate": 1.5, "dvCoordinate": 1.3},
        )
    ]
    assert targets_from_records(records, dv_sign="positive-ventral").placed[0].dv == -1.3


def test_every_placeable_system_renders_on_both_views_and_exports():
    """Issue 13: a subject with targets in every placeable system renders.

    Both generations, both views, PNG and SVG export."""
    records = [
        _record(
            "1",
            "Stereotaxic_BregmaAbsolute",
            {"apCoordinate": _q(-2.0), "mlCoordinate": _q(1.5), "dvCoordinate": _q(-1.3)},
        ),
        _record(
            "2",
            "Stereotaxic_BregmaBrainSurface",
            {"apCoordinate": _q(1.0), "mlCoordinate": _q(0.5), "depth": _q(2.0)},
        ),
        _record(
            "3",
            "Stereotaxic_LambdaAbsolute",
            {"apCoordinate": _q(-1.0), "mlCoordinate": _q(0.0)},
            region="CB",
        ),
        _record(
            "4",
            "Stereotaxic_LambdaBrainSurface",
            {"apCoordinate": _q(0.5), "mlCoordinate": _q(-1.0), "depth": _q(0.8)},
        ),
        _record("5", "CCF_XYZ_Absolute", {"x": _q(7.2), "y": _q(2.1), "z": _q(7.2)}),
        _record(
            "6",
            "Stereotaxic_BregmaAbsolute",
            {"apCoordinate": -2.5, "mlCoordinate": -1.5, "dvCoordinate": -1.0},
        ),  # seed: bare
    ]
    result = targets_from_records(records)
    assert {t.record_id for t in result.placed} == {"1", "2", "3", "4", "5", "6"}
    top, coronal = top_view(result.placed), coronal_views(result.placed)
    assert {row["record_id"] for row in target_rows(coronal)} == {"1", "2", "3", "4", "5", "6"}
    assert chart_svg(top).startswith(b"<svg") and chart_svg(coronal).startswith(b"<svg")
    assert chart_png(top)[:8] == b"\x89PNG\r\n\x1a\n"


def test_coronal_view_uses_the_nearest_outline_level():
    """Issue 13: a target at AP -2.3 is drawn on the AP -2.0 coronal outline."""
    records = [
        _record(
            "a",
            "Stereotaxic_BregmaAbsolute",
            {"apCoordinate": _q(-2.3), "mlCoordinate": _q(1.0), "dvCoordinate": _q(-2.0)},
        )
    ]
    spec = coronal_views(targets_from_records(records).placed).to_dict()
    assert [view["title"] for view in spec["hconcat"]] == ["AP -2.0 mm"]


def test_project_map_colours_by_subject():
    """Issue 13: the project-wide map colours points by subject."""
    records = [
        _record("a", "Stereotaxic_BregmaAbsolute", {"apCoordinate": 1.0, "mlCoordinate": 1.0}, subject="id1"),
        _record("b", "Stereotaxic_BregmaAbsolute", {"apCoordinate": 1.0, "mlCoordinate": 1.0}, subject="id2"),
    ]
    result = targets_from_records(records, subject_names={"id1": "PV03", "id2": "MS01"})
    spec = top_view(result.placed, color_by="subject").to_dict()
    points = next(
        layer
        for layer in spec["layer"]
        if layer.get("mark", {}).get("type") == "point" and layer["data"].get("name") == "targets"
    )
    assert points["encoding"]["color"]["field"] == "subject"
    assert {row["subject"] for row in target_rows(top_view(result.placed, "subject"))} == {"PV03", "MS01"}


def test_outline_file_says_it_is_schematic_and_where_numbers_come_from():
    """Issue 13: the shipped outline names its source and is marked schematic."""
    data = outline()
    assert data["schematic"] is True and "Paxinos" in data["source"] and data["bregma_lambda_mm"] == 4.2
    assert len(data["coronal"]) >= 3 and {s["name"] for s in data["dorsal"]} >= {
        "olfactory bulb",
        "cerebellum",
    }


@pytest.mark.parametrize(
    ("raw", "expected", "warns"),
    [("", 4.2, False), ("3.9", 3.9, False), ("abc", 4.2, True), ("-1", 4.2, True)],
)
def test_bregma_lambda_setting(raw, expected, warns):
    """Issue 13: STEMGUI_BREGMA_LAMBDA_MM sets the distance; a bad value says so and uses 4.2."""
    value, message = bregma_lambda_setting({"STEMGUI_BREGMA_LAMBDA_MM": raw})
    assert value == expected and (message is not None) == warns


def test_the_subject_page_modules_do_not_import_streamlit():
    """Issue 13: the subject page's logic is pure (the pages of round two import it)."""
    import subprocess
    import sys
    from pathlib import Path

    modules = "implant_map, implant_charts, chart_export, weights, timeline, subject_form, subjectlog_entry"
    code = f"import sys; from stemgui import {modules}; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent).returncode == 0
