"""Bulk import of subjects, sessions, procedures and actions from CSV/XLSX, with a dry run; and
the export that round-trips through it. Pure logic: no Streamlit (the Import page wraps it).

The page's calls::

    table = read_table(uploaded_bytes, filename)          # ImportFileError: limits, format
    table = table_from_grid(columns, edited_rows)         # the sheet with cells fixed in place
    result = dry_run(client, "session", table)            # DryRunResult: per-cell errors, counts
    summary = commit(client, outbox, result, progress)    # CommitSummary: ids, queued, report_csv()
    template_csv("procedure", "VirusInjection") / template_xlsx(...)
    export_csv(kind, records, Resolver(client)) / export_xlsx(...)
"""

from stemgui.importing.columns import KINDS, NATURAL_KEYS, template_columns, template_csv, template_xlsx
from stemgui.importing.commit import CommitSummary, commit
from stemgui.importing.dryrun import CellError, DryRunResult, RowPlan, dry_run
from stemgui.importing.export import export_columns, export_csv, export_rows, export_xlsx
from stemgui.importing.reading import MAX_BYTES, MAX_ROWS, ImportFileError, Table, read_table, table_from_grid
from stemgui.importing.resolve import Resolver

__all__ = [
    "KINDS",
    "MAX_BYTES",
    "MAX_ROWS",
    "NATURAL_KEYS",
    "CellError",
    "CommitSummary",
    "DryRunResult",
    "ImportFileError",
    "Resolver",
    "RowPlan",
    "Table",
    "commit",
    "dry_run",
    "export_columns",
    "export_csv",
    "export_rows",
    "export_xlsx",
    "read_table",
    "template_columns",
    "template_csv",
    "template_xlsx",
    "table_from_grid",
]
