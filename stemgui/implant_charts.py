"""The implant map's two pictures (Altair): top view (AP × ML) and coronal views (ML × DV).

The targets are one named dataset per view (``targets``), one row per placed target with its
chart coordinates (``ml``, ``ap``, ``dv``) and labels, so tests and pages can read what is drawn.
Bilateral pairs share a ``pair`` id and are joined by a line; colour is by subject (project map)
or by type (one subject). Export with ``stemgui.chart_export``. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import asdict

import altair as alt

from stemgui.implant_map import BREGMA_LAMBDA_MM, Target, nearest_level, outline

TARGETS = "targets"  # the datasets holding the placed targets: "targets", "targets AP -2.0", ...
_POINT_SIZE = 90


def _mirror(half: list[list[float]]) -> list[tuple[float, float]]:
    """A closed outline (x, y) from its right half (x >= 0): right side, then left side back."""
    right = [(x, y) for x, y in half]
    left = [(-x, y) for x, y in reversed(half)]
    return right + left + right[:1]


def _outline_rows(shapes: list[tuple[str, list[tuple[float, float]]]], x: str, y: str) -> list[dict]:
    return [
        {"shape": name, "order": order, x: px, y: py}
        for name, points in shapes
        for order, (px, py) in enumerate(points)
    ]


def _target_rows(targets: list[Target]) -> list[dict]:
    rows = []
    for target in targets:
        row = asdict(target)
        row.update(
            label=target.label, side=target.side, depth_note="from surface" if target.dv_from_surface else ""
        )
        rows.append(row)
    return rows


def _label_rows(rows: list[dict], x: str, y: str) -> list[dict]:
    """One label per drawn position (targets at one spot share it, one line each), and a bilateral
    pair labelled once, at its right member, so labels do not overprint."""
    at: dict[tuple[float, float], list[str]] = {}
    for row in rows:
        if row["pair"] and row["ml"] < 0:
            continue
        lines = at.setdefault((round(row[x], 2), round(row[y], 2)), [])
        text = row["label"] + (" (L/R)" if row["pair"] else "")
        if text not in lines:
            lines.append(text)
    return [{x: px, y: py, "text": "\n".join(lines)} for (px, py), lines in at.items()]


def _color(color_by: str) -> alt.Color:
    title = "Subject" if color_by == "subject" else "Type"
    return alt.Color(f"{color_by}:N", title=title)


def _targets_layers(rows: list[dict], x: str, y: str, color_by: str, suffix: str = "") -> list[alt.Chart]:
    data = alt.InlineData(values=rows, name=TARGETS + suffix)  # names must differ between views
    tooltip = [
        alt.Tooltip("label:N", title="Target"), alt.Tooltip("subject:N", title="Subject"),
        alt.Tooltip("system:N", title="System"), alt.Tooltip("ap:Q", title="AP (mm)", format=".2f"),
        alt.Tooltip("ml:Q", title="ML (mm)", format=".2f"),
        alt.Tooltip("dv:Q", title="DV (mm)", format=".2f"),
        alt.Tooltip("date:N", title="Date"), alt.Tooltip("pair:N", title="Bilateral"),
    ]  # fmt: skip
    base = alt.Chart(data)
    pairs = (
        base.transform_filter("datum.pair != ''")
        .mark_line(strokeDash=[4, 3], opacity=0.7)
        .encode(x=f"{x}:Q", y=f"{y}:Q", detail="pair:N", color=_color(color_by))
    )
    points = base.mark_point(filled=True, size=_POINT_SIZE, opacity=0.9).encode(
        x=f"{x}:Q",
        y=f"{y}:Q",
        color=_color(color_by),
        shape=alt.Shape("type:N", title="Type", legend=None if color_by == "type" else alt.Legend()),
        tooltip=tooltip,
    )
    # labels point away from the midline: right of right-side targets, left of left-side ones
    text = alt.Chart(alt.InlineData(values=_label_rows(rows, x, y), name="labels" + suffix))
    labels = [
        text.transform_filter(side)
        .mark_text(align=align, baseline="bottom", dx=dx, dy=-4, fontSize=10, lineBreak="\n")
        .encode(x=f"{x}:Q", y=f"{y}:Q", text="text:N")
        for side, align, dx in ((f"datum.{x} >= 0", "left", 7), (f"datum.{x} < 0", "right", -7))
    ]
    return [pairs, points, *labels]


def _outline_layer(
    rows: list[dict], x: str, y: str, x_title: str, y_title: str, domains, suffix: str = ""
) -> alt.Chart:
    x_scale = alt.Scale(domain=domains[0], nice=False)
    y_scale = alt.Scale(domain=domains[1], nice=False)
    return (
        alt.Chart(alt.InlineData(values=rows, name="outline" + suffix))
        .mark_line(color="#888", strokeWidth=1.2, interpolate="linear-closed", clip=True)
        .encode(
            x=alt.X(f"{x}:Q", title=x_title, scale=x_scale),
            y=alt.Y(f"{y}:Q", title=y_title, scale=y_scale),
            detail="shape:N",
            order="order:Q",
        )
    )


def top_view(
    targets: list[Target], color_by: str = "type", bregma_lambda: float = BREGMA_LAMBDA_MM, title: str = ""
) -> alt.LayerChart:
    """Dorsal view: ML across (right positive), AP up (anterior up), the schematic outline,
    bregma and lambda marked, every placed target."""
    # the outline stores (ap, ml) halves; the view draws ml across, so swap before mirroring
    shapes = [
        (s["name"], _mirror([[ml, ap] for ap, ml in s["half_outline_ap_ml"]])) for s in outline()["dorsal"]
    ]
    rows = _outline_rows(shapes, "ml", "ap")
    domains = ([-6.0, 6.0], [-8.5, 5.5])
    marks = alt.Chart(
        alt.InlineData(values=[{"ml": 0.0, "ap": 0.0, "name": "bregma"},
                               {"ml": 0.0, "ap": -bregma_lambda, "name": "lambda"}], name="landmarks")
    )  # fmt: skip
    landmarks = marks.mark_point(shape="cross", color="black", size=60).encode(
        x="ml:Q", y="ap:Q"
    ) + marks.mark_text(align="right", dx=-6, fontSize=9, color="#555").encode(
        x="ml:Q", y="ap:Q", text="name:N"
    )
    layers = [_outline_layer(rows, "ml", "ap", "ML (mm, right +)", "AP (mm from bregma)", domains), landmarks]
    layers += _targets_layers(_target_rows(targets), "ml", "ap", color_by)
    heading = title or "Top view (schematic mouse brain)"
    return alt.layer(*layers).properties(width=300, height=350, title=heading)


def coronal_views(targets: list[Target], color_by: str = "type", title: str = "") -> alt.HConcatChart:
    """One coronal view per outline level that has targets (each target at its nearest level;
    the level at bregma when there are none): ML across, DV up."""
    by_level: dict[float, list[Target]] = {}
    for target in targets:
        by_level.setdefault(nearest_level(target.ap)["ap"], []).append(target)
    levels = sorted(by_level, reverse=True) or [nearest_level(0.0)["ap"]]
    charts = [_coronal(level, by_level.get(level, []), color_by) for level in levels]
    return alt.hconcat(*charts).properties(title=title or "Coronal views (schematic mouse brain)")


def _coronal(level_ap: float, targets: list[Target], color_by: str) -> alt.LayerChart:
    level = next(item for item in outline()["coronal"] if item["ap"] == level_ap)
    rows = _outline_rows([("brain", _mirror(level["half_outline_ml_dv"]))], "ml", "dv")
    domains = ([-5.5, 5.5], [-6.5, 0.5])
    suffix = f" AP {level_ap:+.1f}"
    layers = [_outline_layer(rows, "ml", "dv", "ML (mm, right +)", "DV (mm)", domains, suffix)]
    layers += _targets_layers(_target_rows(targets), "ml", "dv", color_by, suffix)
    heading = f"AP {level_ap:+.1f} mm"
    return alt.layer(*layers).properties(width=260, height=180, title=heading)


def target_rows(chart: alt.TopLevelMixin) -> list[dict]:
    """The placed targets a chart draws (every ``targets`` dataset in it), for tests and tables."""
    found: list[dict] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and str(data.get("name", "")).startswith(TARGETS) and "values" in data:
                found.extend(data["values"])
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    spec = chart.to_dict()
    walk(spec)
    return _unique(found)


def _unique(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        key = (row.get("record_id"), row.get("ap"), row.get("ml"), row.get("dv"))
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out
