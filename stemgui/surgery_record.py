"""The surgery record (issue 14): a summary to copy, and a printable HTML page for the lab's log.

Both list who, when, the licence, the pre-op weight and every step in order with its exact time,
target region, coordinates and values; queued steps are marked "waiting to send", skipped and
not-yet-done planned steps are marked too, so the record never hides a step. The HTML page is a
whole document (print it from the browser to PDF: ``@media print`` hides nothing the log needs and
keeps rows whole across pages); it takes an implant map as an SVG string (the subjects' picture
module draws it). All user text is escaped. No Streamlit here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from stemgui.schemas import GENERATIONS, load_schema, schema_names
from stemgui.surgery import CONFIRMED, QUEUED, STATE_LABELS, UNPLANNED, Step, Surgery, ordered_steps

COORDINATE_LABELS = {
    "apCoordinate": "AP",
    "mlCoordinate": "ML",
    "dvCoordinate": "DV",
    "depth": "Depth",
    "apAngle": "AP angle",
    "mlAngle": "ML angle",
    "dvAngle": "DV angle",
    "rotation": "Rotation",
}


def _number(value: float) -> str:
    try:
        return f"{value:g}"
    except OverflowError:  # a huge integer stored by another client: shown, not formatted
        return str(value)


def value_text(value: Any, default_unit: str | None = None) -> str:
    """ "300 nL" from {value: 300, unit: "nL"} or from 300 with a default unit; lists and text as they are."""
    if isinstance(value, Mapping) and "value" in value:
        return " ".join(p for p in (value_text(value.get("value")), value.get("unit")) if p)
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, int | float):
        return " ".join(p for p in (_number(value), default_unit) if p)
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    return str(value)


def _is_zero(value: Any) -> bool:
    number = value.get("value") if isinstance(value, Mapping) else value
    return isinstance(number, int | float) and not isinstance(number, bool) and number == 0


def coordinates_text(coordinates: Mapping[str, Any] | None) -> str:
    """ "AP -2 mm, ML +1.5 mm, DV -1.3 mm"; angles only when not 0 (bare numbers are mm and °)."""
    parts = []
    for name, value in (coordinates or {}).items():
        angle = "angle" in name.lower() or name == "rotation"
        if angle and _is_zero(value):
            continue
        text = value_text(value, "°" if angle else "mm")
        number = value.get("value") if isinstance(value, Mapping) else value
        if not angle and isinstance(number, int | float) and number > 0:
            text = f"+{text}"
        parts.append(f"{COORDINATE_LABELS.get(name, name)} {text}")
    return ", ".join(parts)


def details_text(kind: str, step_type: str | None, details: Mapping[str, Any] | None) -> str:
    """ "Injection volume 300 nL; Injection rate 50 nL/min" with the schema's titles."""
    try:
        props = load_schema(GENERATIONS[kind].types, step_type or "").get("properties") or {}
    except KeyError:
        props = {}
    return "; ".join(
        f"{(props.get(name) or {}).get('title', name)} {value_text(value)}"
        for name, value in (details or {}).items()
        if value not in (None, "", [], {})
    )


def _label(value: Any, labels: Mapping[str, Any]) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):
        acronym, name = value.get("acronym"), value.get("name")
        return f"{acronym} ({name})" if acronym and name else str(acronym or name or value.get("id", ""))
    found = labels.get(value, value)
    return _label(found, {}) if isinstance(found, Mapping) else str(found)


def _time(step: Step) -> str:
    text = str(step.date_time or "")
    return (
        text[11:19] if len(text) >= 19 else ("" if step.state not in (CONFIRMED, UNPLANNED, QUEUED) else text)
    )


def step_rows(surgery: Surgery, labels: Mapping[str, Any]) -> list[dict[str, str]]:
    """One row of text per step, in the surgery's order: number, time, step, state, target, values."""
    titles = schema_names(GENERATIONS[surgery.kind].types)
    rows = []
    for number, step in enumerate(ordered_steps(surgery), start=1):
        payload = step.payload
        region = _label(payload.get("brain_region"), labels) or str(payload.get("region") or "")
        rows.append(
            {
                "number": str(number),
                "time": _time(step),
                "step": titles.get(step.type or "", step.type or "Step"),
                "state": STATE_LABELS[step.state],
                "target": region,
                "coordinates": coordinates_text(payload.get("coordinates_details")),
                "details": details_text(surgery.kind, step.type, payload.get("details")),
                "notes": str(payload.get("notes") or payload.get("description") or ""),
            }
        )
    return rows


def weight_text(surgery: Surgery) -> str:
    """ "24.5 g (08:55)" from the pre-op Weighing entry, "not recorded" without one."""
    entry = surgery.weighing or {}
    weight = value_text((entry.get("details") or {}).get("weight"), "g")
    when = str(entry.get("date_time") or "")
    return f"{weight} ({when[11:16]})" if weight and len(when) >= 16 else (weight or "not recorded")


def header_fields(surgery: Surgery, labels: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) of the record's head: subject, date, surgeons, licences, pre-op weight."""
    return [
        ("Subject", _label(surgery.subject, labels)),
        ("Date", surgery.day.isoformat()),
        ("Surgeon(s)", ", ".join(surgery.surgeons) or "not recorded"),
        ("License(s)", ", ".join(_label(x, labels) for x in surgery.licenses) or "not recorded"),
        ("Pre-op weight", weight_text(surgery)),
    ]


def surgery_summary(surgery: Surgery, labels: Mapping[str, Any]) -> str:
    """The record as plain text to copy into the lab's surgery log."""
    lines = [f"{label}: {text}" for label, text in header_fields(surgery, labels)]
    rows = step_rows(surgery, labels)
    lines.append("")
    for row in rows:
        state = "" if row["state"] in ("done", "done (unplanned)") else f" [{row['state']}]"
        head = " — ".join(p for p in (row["time"] or "--:--:--", row["step"], row["target"]) if p)
        lines.append(f"{row['number']}. {head}{state}")
        lines += [
            f"   - {name}: {row[key]}"
            for name, key in (("Coordinates", "coordinates"), ("Details", "details"), ("Notes", "notes"))
            if row[key]
        ]
    if not rows:
        lines.append("No steps logged.")
    return "\n".join(lines)


PRINT_CSS = """
body { font: 11pt/1.35 system-ui, sans-serif; margin: 2em; color: #000; }
h1 { font-size: 16pt; margin: 0 0 .5em; }
dl.head { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: 0 0 1em; }
dl.head dt { font-weight: 600; }
table.steps { border-collapse: collapse; width: 100%; }
table.steps th, table.steps td { border: 1px solid #999; padding: .25em .4em; text-align: left;
  vertical-align: top; }
table.steps th { background: #eee; }
tr.queued td { font-style: italic; }
tr.skipped td, tr.planned td { color: #555; }
figure.implant-map { margin: 1em 0; max-width: 10cm; }
figure.implant-map svg { width: 100%; height: auto; }
.signature { margin-top: 2.5em; display: flex; gap: 4em; }
.signature span { border-top: 1px solid #000; padding-top: .2em; min-width: 6cm; }
@media print {
  body { margin: 0; font-size: 10pt; }
  .no-print { display: none; }
  table.steps th { background: none; }
  tr, figure.implant-map { break-inside: avoid; }
  thead { display: table-header-group; }
  @page { size: A4; margin: 15mm; }
}
"""
STEP_COLUMNS = (
    ("number", "#"),
    ("time", "Time"),
    ("step", "Step"),
    ("state", "State"),
    ("target", "Target"),
    ("coordinates", "Coordinates"),
    ("details", "Values"),
    ("notes", "Notes"),
)


def _implant_map(svg: str | None) -> str:
    """The implant map figure: the SVG as drawn by our own picture code, only if it is an SVG
    element without scripts (anything else is left out rather than rendered)."""
    text = (svg or "").strip()
    if not text.startswith("<svg") or "<script" in text.lower() or "javascript:" in text.lower():
        return "<!-- implant map: none given -->"
    return f'<figure class="implant-map">{text}<figcaption>Implant map (top view)</figcaption></figure>'


def surgery_record_html(
    surgery: Surgery,
    labels: Mapping[str, Any],
    *,
    implant_map_svg: str | None = None,
    title: str = "Surgery record",
) -> str:
    """The printable record: a whole HTML page (subject, surgeon, licence, weight, steps with times and
    targets, the implant map when given, a signature line)."""
    esc = html.escape
    head = "".join(
        f"<dt>{esc(label)}</dt><dd>{esc(text)}</dd>" for label, text in header_fields(surgery, labels)
    )
    rows = step_rows(surgery, labels)
    body_rows = (
        "".join(
            f'<tr class="{esc(step.state)}">'
            + "".join(f"<td>{esc(row[key])}</td>" for key, _ in STEP_COLUMNS)
            + "</tr>"
            for step, row in zip(ordered_steps(surgery), rows, strict=True)
        )
        or f'<tr><td colspan="{len(STEP_COLUMNS)}">No steps logged.</td></tr>'
    )
    columns = "".join(f"<th>{esc(name)}</th>" for _, name in STEP_COLUMNS)
    heading = f"{title} — {_label(surgery.subject, labels)} — {surgery.day.isoformat()}"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(heading)}</title>'
        f"<style>{PRINT_CSS}</style></head><body>"
        f'<h1>{esc(heading)}</h1><dl class="head">{head}</dl>'
        f"{_implant_map(implant_map_svg)}"
        f'<table class="steps"><thead><tr>{columns}</tr></thead><tbody>{body_rows}</tbody></table>'
        '<div class="signature"><span>Surgeon</span><span>Date</span></div>'
        '<p class="no-print">Print this page (Ctrl+P) and choose “Save as PDF” for the lab\'s log.</p>'
        "</body></html>"
    )
