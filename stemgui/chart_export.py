"""Charts as files a lab can keep: Altair -> PNG / SVG bytes through vl-convert (works offline)."""

from __future__ import annotations

import altair as alt
import vl_convert


def chart_svg(chart: alt.TopLevelMixin) -> bytes:
    """The chart as an SVG document."""
    return vl_convert.vegalite_to_svg(chart.to_json()).encode("utf-8")


def chart_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as a PNG image (``scale`` 2: sharp when printed or shown on a high-density screen)."""
    return vl_convert.vegalite_to_png(chart.to_json(), scale=scale)
