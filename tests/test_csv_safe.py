"""Issue 9 item 6: CSV downloads neutralise cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from stemgui.csv_safe import neutralise_cell, safe_csv


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+1+1", "'+1+1"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("=1", "'=1"),
        ("-", "'-"),
        ("--", "'--"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        ("", ""),
        ("-1.5", "-1.5"),  # a plain number written as text is read as that number: harmless
        ("+2e3", "+2e3"),
        ("-.5", "-.5"),
        (-1.5, -1.5),  # numbers stay numbers
        (-3, -3),
        (None, None),
    ],
)
def test_neutralise_cell(cell, written):
    assert neutralise_cell(cell) == written


def test_safe_csv_neutralises_text_keeps_negative_numbers_and_headers():
    frame = pd.DataFrame(
        {"name": ["=HYPERLINK(\"x\")", "ok"], "ml": [-1.5, 2.0], "=col": ["@a", "-b"]},
        index=pd.Index(["=id", "b"], name="id"),
    )
    rows = list(csv.reader(io.StringIO(safe_csv(frame).decode("utf-8"))))
    assert rows == [["name", "ml", "'=col"], ["'=HYPERLINK(\"x\")", "-1.5", "'@a"], ["ok", "2.0", "'-b"]]
    with_index = list(csv.reader(io.StringIO(safe_csv(frame, index=True).decode("utf-8"))))
    assert with_index[0] == ["id", "name", "ml", "'=col"] and with_index[1][0] == "'=id"
    assert frame.loc["=id", "name"] == "=HYPERLINK(\"x\")"  # the shown table is not changed
