"""CSV downloads that a spreadsheet opens as data, never as formulas (CSV/formula injection).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets: a session named ``=HYPERLINK("http://…")``
would become a live link. Such text gets a leading ``'`` (OWASP's advice), which spreadsheets
show as text and which a reader of the raw CSV recognises.

Decided: numbers stay numbers. A numeric cell (int, float, a negative coordinate such as
-1.5) is written unchanged, and so is text that is exactly a plain number ("-1.5", "+2e3"),
because a spreadsheet reads that as the same number, not as a formula. Everything else that
starts with one of the characters above — "-1+1", "=1", "@SUM(A1)" — is prefixed.
Column names are treated like cells.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: Any) -> Any:
    """``value`` as a spreadsheet must read it: formula-like text gets a leading ``'``."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are neutralised."""
    safe = frame.map(neutralise_cell)
    safe.columns = [neutralise_cell(name) for name in frame.columns]
    return safe


def safe_csv(frame: pd.DataFrame, index: bool = False) -> bytes:
    """``frame`` as UTF-8 CSV for a download, every cell neutralised (see the module's notes)."""
    if index:
        frame = frame.reset_index()
    return safe_frame(frame).to_csv(index=False).encode("utf-8")
