"""The Import page (issue 16): choose a kind, download its template, upload a CSV/XLSX, see the
dry run as the sheet itself with every bad cell marked, fix rows in place or skip them, commit
through the store with a progress bar, and read the summary. Also the "Export for import" button
the record screens offer under their table (``RecordScreen(export_kind=...)``).

Nothing is written before Commit: the dry run only reads. The logic is ``stemgui.importing``;
this module draws it. Session-state keys owned here start with ``imports.``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from stemgui import display
from stemgui.client import BrainstemClient
from stemgui.errors import StemGuiError
from stemgui.gui import context
from stemgui.gui.store import Store
from stemgui.gui.widgets import plain
from stemgui.importing import (
    MAX_BYTES,
    MAX_ROWS,
    CommitSummary,
    DryRunResult,
    ImportFileError,
    Resolver,
    Table,
    dry_run,
    export_csv,
    read_table,
    table_from_grid,
    template_csv,
    template_xlsx,
)
from stemgui.importing import columns as cols
from stemgui.surgery_model import PROCEDURE, forced_model, surgery_model

KIND = "imports.kind"
SHEET = "imports.sheet"  # {"kind", "name", "signature", "table": Table}: the cells as fixed so far
RESULT = "imports.result"  # the DryRunResult of SHEET
SUMMARY = "imports.summary"  # (kind, CommitSummary, names by sheet row) after a commit
NONCE = "imports.nonce"  # a new uploader after a reset or a commit
EDITS = "imports.edits"  # a new editor after a re-check
_MODELS = "imports.surgery_models"  # backend URL -> "procedure" | "action"
ERRORS = "errors"  # the grid's column listing each row's problems ("column: message")
ROW = "row"  # the grid's column of sheet row numbers
BAD_CELL = "background-color: #fde2e1; color: #8a1c14"
STYLED_CELLS = 200_000  # above this many cells the grid is shown unstyled (pandas' Styler limit)
PAGES = {  # where a created record opens: (page address, URL parameter)
    "subject": ("subjects", "subject"),
    "session": ("sessions", "session"),
    "procedure": ("procedures", "procedure"),
    "action": ("actions", "action"),
}
COUNT_LABELS = {"To create": "create", "To update": "update", "Unchanged": "unchanged", "In error": "error"}
TITLES = {"subject": "Subjects", "session": "Sessions", "procedure": "Procedures", "action": "Actions"}


# -------------------------------------------------------------------------------- the page


def page(store: Store) -> None:
    """The whole Import page for an editor."""
    kind = _choose_kind(store)
    _templates(kind)
    held = st.session_state.get(SUMMARY)
    if held and held[0] == kind:
        _summary(store, *held)
        return
    _upload(store, kind)
    result: DryRunResult | None = st.session_state.get(RESULT)
    sheet = st.session_state.get(SHEET)
    if result is None or sheet is None or sheet["kind"] != kind:
        return
    with st.container(key="imports-dry-run"):  # (the browser test's screenshot of the marked sheet)
        _dry_run_view(result, sheet["table"])
    _fix_in_place(store, kind, result, sheet)
    _commit_button(store, kind, result, sheet)


def _nonce() -> int:
    return st.session_state.get(NONCE, 0)


def reset() -> None:
    """Forget the file, its dry run and the last summary (a fresh uploader)."""
    for key in (SHEET, RESULT, SUMMARY):
        st.session_state.pop(key, None)
    st.session_state[NONCE] = _nonce() + 1


def surgical_kind(store: Store) -> str:
    """ "procedure", or "action" on an action-only backend (``stemgui.surgery_model``)."""
    try:
        return surgery_model(context.backend_url(), store.client, st.session_state.setdefault(_MODELS, {}))
    except StemGuiError:  # the backend does not answer: the setting, else today's procedures
        return forced_model() or PROCEDURE


def _choose_kind(store: Store) -> str:
    """Subjects, sessions (the default) or the backend's surgery records. A file already uploaded
    is checked again as the newly chosen kind (its dry run is keyed by kind and file)."""
    kinds = ["subject", "session", surgical_kind(store)]
    return st.radio("What to import", kinds, index=1, key=KIND, horizontal=True, format_func=TITLES.get)


def _templates(kind: str) -> None:
    """Template downloads: one column per field (per procedure type and coordinates system)."""
    with st.expander(f"Templates for {TITLES[kind].lower()}", icon=":material/description:"):
        type_name = system = None
        if cols.is_surgical(kind):
            left, right = st.columns(2)
            types = {"": "Every type", **cols.types_of(kind)}
            systems = {"": "Every coordinates system", **cols.systems_of(kind)}
            type_name = (
                left.selectbox("Type", list(types), format_func=types.get, key=f"imports.type.{kind}") or None
            )
            system = (
                right.selectbox(
                    "Coordinates system", list(systems), format_func=systems.get, key=f"imports.system.{kind}"
                )
                or None
            )
        st.caption(
            "One column per field; related records by name (several separated by “;”); the "
            "unit in the header where a field has one, or in the cell (“0.3 µL”)."
        )
        stem = "-".join(part for part in (kind, type_name, system) if part)
        csv_col, xlsx_col = st.columns(2)
        csv_col.download_button(
            "Template (CSV)",
            template_csv(kind, type_name, system),
            file_name=f"{stem}-template.csv",
            mime="text/csv",
            key="imports.template.csv",
            icon=":material/download:",
        )
        xlsx_col.download_button(
            "Template (XLSX)",
            template_xlsx(kind, type_name, system),
            file_name=f"{stem}-template.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="imports.template.xlsx",
            icon=":material/download:",
        )


def _upload(store: Store, kind: str) -> None:
    uploaded = st.file_uploader(
        f"Spreadsheet of {TITLES[kind].lower()} (CSV or XLSX)",
        key=f"imports.file.{_nonce()}",
        help=f"Up to {MAX_BYTES // 2**20} MB and {MAX_ROWS:,} rows; the first sheet of an XLSX; "
        "formulas are not computed and macros never run. Nothing is written before Commit.",
    )
    if uploaded is None:
        st.session_state.pop(SHEET, None)
        st.session_state.pop(RESULT, None)
        return
    signature = (kind, uploaded.file_id)
    held = st.session_state.get(SHEET)
    if held and held["signature"] == signature:
        return
    try:
        table = read_table(uploaded.getvalue(), uploaded.name)
    except ImportFileError as exc:
        st.session_state.pop(SHEET, None)
        st.session_state.pop(RESULT, None)
        st.error(plain(exc.message), icon=":material/error:")
        return
    st.session_state[SHEET] = {"kind": kind, "name": uploaded.name, "signature": signature, "table": table}
    _check(store, kind, table)


def _check(store: Store, kind: str, table: Table) -> None:
    """The dry run of ``table`` (reads only)."""
    with st.spinner("Checking every row…"):
        st.session_state[RESULT] = dry_run(store.client, kind, table)


# -------------------------------------------------------------------------------- the dry run


def sheet_frame(result: DryRunResult, table: Table) -> pd.DataFrame:
    """The sheet as shown: its row numbers, the problems of each row ("column: message"), its cells."""
    plans = {plan.row: plan for plan in result.rows}
    records = []
    for offset, cells in enumerate(table.rows):
        number = table.first_row + offset
        plan = plans.get(number)
        problems = "; ".join(_problem(e.column, e.message) for e in (plan.errors if plan else ()))
        outcome = plan.action if plan else ""
        records.append(
            {
                ROW: number,
                "outcome": outcome,
                ERRORS: problems,
                **{c: _text(cells.get(c)) for c in table.columns},
            }
        )
    return pd.DataFrame(records, columns=[ROW, "outcome", ERRORS, *table.columns])


def _problem(column: str, message: str) -> str:
    """ "column: message" (once: a message that already starts with its column keeps its words)."""
    where = column or "row"
    return message if message.startswith(f"{where}:") else f"{where}: {message}"


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell)


def marked(frame: pd.DataFrame, cell_errors: Mapping[tuple[int, str], str]):
    """The frame as a Styler: each bad cell (and a row's errors cell) on a red background."""

    def colour(rows: pd.DataFrame) -> pd.DataFrame:
        styles = pd.DataFrame("", index=rows.index, columns=rows.columns)
        for index, number in rows[ROW].items():
            for column in rows.columns:
                if (number, column) in cell_errors:
                    styles.at[index, column] = BAD_CELL
            if rows.at[index, ERRORS]:
                styles.at[index, ERRORS] = BAD_CELL
        return styles

    return frame.style.apply(colour, axis=None)


def _dry_run_view(result: DryRunResult, table: Table) -> None:
    st.subheader("Dry run — nothing written yet")
    for problem in result.file_errors:
        st.error(plain(problem), icon=":material/error:")
    for note in result.notes:
        st.caption(plain(note))
    counts = result.counts
    for column, (label, name) in zip(st.columns(4), COUNT_LABELS.items(), strict=True):
        column.metric(label, counts[name])
    frame = sheet_frame(result, table)
    if counts["error"] and st.toggle("Only rows in error", key="imports.only_errors"):
        frame = frame[frame[ERRORS] != ""]
    if frame.size > STYLED_CELLS and counts["error"]:  # too big to paint whole: the rows in error
        st.caption(f"A large sheet: its {display.count_text(counts['error'], 'row')} in error are shown.")
        frame = frame[frame[ERRORS] != ""]
    shown = marked(frame, result.cell_errors()) if frame.size <= STYLED_CELLS else frame
    st.dataframe(
        shown,
        column_config={ERRORS: st.column_config.TextColumn(ERRORS, width="medium")},
        key="imports.grid",
        hide_index=True,
        width="stretch",
        height=420 if len(frame) > 10 else "auto",
    )


def _fix_in_place(store: Store, kind: str, result: DryRunResult, sheet: dict) -> None:
    """Rows in error in an editable grid; Re-check runs the dry run again with the fixes."""
    if not result.counts["error"]:
        return
    table: Table = sheet["table"]
    frame = sheet_frame(result, table)
    frame = frame[frame[ERRORS] != ""].drop(columns=["outcome"])
    st.markdown(
        f"**Fix rows in error** — edit the cells, then Re-check; rows left in error are skipped "
        f"at Commit ({display.count_text(len(frame), 'row')})."
    )
    edited = st.data_editor(
        frame,
        key=f"imports.editor.{st.session_state.get(EDITS, 0)}",
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        disabled=[ROW, ERRORS],
        column_config={ROW: st.column_config.NumberColumn(ROW, width="small")},
    )
    if st.button("Re-check", key="imports.recheck", icon=":material/refresh:"):
        fixed = apply_edits(table, edited.to_dict("records"))
        st.session_state[SHEET] = {**sheet, "table": fixed}
        st.session_state[EDITS] = st.session_state.get(EDITS, 0) + 1  # a fresh editor over the new dry run
        _check(store, kind, fixed)
        st.rerun()


def apply_edits(table: Table, edited_rows: Iterable[Mapping[str, Any]]) -> Table:
    """``table`` with the cells the user changed in the editor (only those: the other cells keep
    what the file gave, e.g. an XLSX date stays a date)."""
    rows = [dict(cells) for cells in table.rows]
    for edited in edited_rows:
        offset = int(edited[ROW]) - table.first_row
        if not 0 <= offset < len(rows):
            continue
        for column in table.columns:
            value = edited.get(column)
            value = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            if value != _text(rows[offset].get(column)):
                rows[offset][column] = value
    fixed = table_from_grid(table.columns, rows, first_row=table.first_row)
    fixed.notes = list(table.notes)
    return fixed


# -------------------------------------------------------------------------------- commit


def _commit_button(store: Store, kind: str, result: DryRunResult, sheet: dict) -> None:
    counts = result.counts
    writes = counts["create"] + counts["update"]
    blocked = bool(result.file_errors) or not writes
    skipped = f", skip {display.count_text(counts['error'], 'row')} in error" if counts["error"] else ""
    label = f"Commit: write {display.count_text(writes, 'row')}{skipped}"
    if not st.button(label, type="primary", key="imports.commit", disabled=blocked, icon=":material/upload:"):
        if not writes and not result.file_errors:
            st.caption("Nothing to write: every valid row is already stored as in the file.")
        return
    bar = st.progress(0.0, text="Writing…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"{done:,} of {total:,} rows written")

    summary = store.commit_import(result, progress)
    names = {row: _row_name(kind, cells) for row, cells in _numbered(sheet["table"])}
    st.session_state[SUMMARY] = (kind, summary, names)
    st.session_state.pop(SHEET, None)
    st.session_state.pop(RESULT, None)
    st.session_state[NONCE] = _nonce() + 1
    st.rerun()


def _numbered(table: Table):
    return ((table.first_row + offset, cells) for offset, cells in enumerate(table.rows))


def _row_name(kind: str, cells: Mapping[str, Any]) -> str:
    if kind in ("subject", "session"):
        return _text(cells.get("name"))
    return " · ".join(
        _text(cells.get(column)) for column in ("subject", "type", "date_time") if cells.get(column)
    )


def summary_frame(kind: str, summary: CommitSummary, names: Mapping[int, str]) -> pd.DataFrame:
    """One line per written row: the sheet row, what happened, a link to the record."""
    address, parameter = PAGES[kind]
    lines = [
        {
            ROW: row,
            "outcome": outcome,
            "record": names.get(row, ""),
            "open": f"{address}?{parameter}={record_id}",
        }
        for outcome, written in (("created", summary.created), ("updated", summary.updated))
        for row, record_id in written.items()
        if record_id
    ]
    return pd.DataFrame(sorted(lines, key=lambda line: line[ROW]), columns=[ROW, "outcome", "record", "open"])


def _summary(store: Store, kind: str, summary: CommitSummary, names: Mapping[int, str]) -> None:
    counts = summary.counts
    st.subheader("Import finished")
    st.success(
        f"Created {counts['created']:,} · updated {counts['updated']:,} · unchanged "
        f"{counts['unchanged']:,} · skipped {counts['skipped']:,}.",
        icon=":material/check_circle:",
    )
    if counts["queued"]:
        st.warning(
            f"{display.count_text(counts['queued'], 'row')} not written yet — {store.saved_locally()}",
            icon=":material/cloud_off:",
        )
    frame = summary_frame(kind, summary, names)
    if len(frame):
        st.dataframe(
            frame,
            key="imports.summary_table",
            hide_index=True,
            width="stretch",
            column_config={
                "open": st.column_config.LinkColumn("open", display_text=f"Open in {TITLES[kind]}")
            },
        )
    if counts["skipped"] or counts["queued"]:
        st.download_button(
            "Download the report of skipped rows (CSV)",
            summary.report_csv(),
            file_name=f"{kind}-import-report.csv",
            mime="text/csv",
            key="imports.report",
            icon=":material/download:",
        )
    if st.button("Import another file", key="imports.again", icon=":material/restart_alt:"):
        reset()
        st.rerun()


# -------------------------------------------------------------------------------- export


def export_for_import(
    client: BrainstemClient, kind: str, ids: Iterable[str], known: Mapping[str, dict] | None = None
) -> bytes:
    """The records ``ids`` (a filtered table's rows, in its order) as an import file (CSV with the
    template's columns, names not ids), which imports back unchanged."""
    ids = [str(record_id) for record_id in ids]
    records = dict(known or {})
    if any(record_id not in records for record_id in ids):
        records = {str(record["id"]): record for record in client.list_all(kind)}
    return export_csv(kind, [records[i] for i in ids if i in records], Resolver(client))


def export_button(
    store: Store, kind: str, ids: Iterable[str], known: Mapping[str, dict] | None = None
) -> None:
    """ "Export for import" under a record table: the rows shown, built only when clicked."""
    client, ids = store.client, list(ids)
    st.download_button(
        "Export for import",
        lambda: export_for_import(client, kind, ids, known),
        file_name=f"{kind}s-for-import.csv",
        mime="text/csv",
        key=f"imports.export.{kind}",
        icon=":material/ios_share:",
        help="The rows shown, with the Import page's template columns "
        "(names, not ids): edit them in a spreadsheet and import them back.",
    )
