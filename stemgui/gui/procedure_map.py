"""The project implant map on the Procedures page (issue 13): every target of the procedures the
table shows, all subjects together, coloured by subject, on the schematic mouse brain (top view
and coronal views); targets that cannot be placed are listed with the reason; both charts as
PNG and SVG. Drawn only while its toggle is on (building the charts costs time)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from stemgui.chart_export import chart_png, chart_svg
from stemgui.implant_charts import coronal_views, top_view
from stemgui.implant_map import bregma_lambda_setting, implant_map
from stemgui.procedure_table import ProcedureLookups, system_title, type_title

TOGGLE = "procedures.map.show"
FORMATS = (("png", chart_png, "image/png"), ("svg", chart_svg, "image/svg+xml"))


def _acronyms(regions: dict[str, str]) -> dict[str, str]:
    """Region id -> acronym ("CA1 — Field CA1" -> "CA1"): short labels for the chart."""
    return {rid: label.split(" — ")[0] for rid, label in regions.items()}


def map_section(procedures: Sequence[dict[str, Any]], lookups: ProcedureLookups) -> None:
    """The "Map" toggle and, when on, the map of `procedures` (the table's filtered records)."""
    if not st.toggle("Map of these procedures' targets", key=TOGGLE, persist_state="session",
                     help="All subjects' targets of the procedures in the table, coloured by subject."):
        return
    bregma_lambda, bad_setting = bregma_lambda_setting()
    if bad_setting:
        st.warning(bad_setting, icon=":material/warning:")
    found = implant_map(procedures, subject_names=dict(lookups.subjects),
                        region_names=_acronyms(dict(lookups.regions)), bregma_lambda=bregma_lambda)
    with st.container(border=True, key="procedures-map"):
        st.caption(f"{len(found.placed)} placed, {len(found.unplaceable)} not placeable, of "
                   f"{len(procedures)} procedures shown (schematic outline, not an atlas).")
        top = top_view(found.placed, color_by="subject", bregma_lambda=bregma_lambda)
        coronal = coronal_views(found.placed, color_by="subject")
        left, right = st.columns([1, 2])
        left.altair_chart(top, key="procedures.map.top")
        right.altair_chart(coronal, key="procedures.map.coronal")
        buttons = st.container(horizontal=True)
        for name, chart in (("top-view", top), ("coronal-views", coronal)):
            for suffix, render, mime in FORMATS:
                # made only when clicked: converting a chart takes a moment
                buttons.download_button(f"{name} {suffix.upper()}", lambda c=chart, r=render: r(c), mime=mime,
                                        file_name=f"implant-map-{name}.{suffix}", icon=":material/download:",
                                        key=f"procedures.map.{name}.{suffix}")  # fmt: skip
        if found.unplaceable:
            st.markdown("**Not placed on the map**")
            st.dataframe(pd.DataFrame([{"subject": t.subject, "type": type_title(t.type), "region": t.region,
                                        "system": system_title(t.system), "date": t.date, "why": t.reason}
                                       for t in found.unplaceable]),
                         hide_index=True, key="procedures.map.unplaceable")  # fmt: skip
