"""Text that looks like a formula is written as text, in normal and write-only workbooks."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from generator.safe_cells import is_risky, neutralise, safe_row, write_text_cell

RISKY = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
         ' =HYPERLINK("http://x","点我")', "=cmd|'/C calc'!A0"]
PLAIN = ["张晓明", "SF-0001", "1000", "", "a=b"]


def _assert_no_formula(path, expected_rows):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str) and is_risky(cell.value):
                    assert cell.quotePrefix  # stays text when the clerk edits the cell
    cal = CalamineWorkbook.from_path(str(path))
    rows = cal.get_sheet_by_index(0).to_python()
    cal.close()
    assert rows == expected_rows  # calamine sees the text itself, not a computed value


def test_is_risky_and_neutralise_for_csv():
    for text in RISKY:
        assert is_risky(text)
        assert neutralise(text) == "'" + text
    for text in PLAIN:
        assert not is_risky(text)
        assert neutralise(text) == text
    assert neutralise(5) == 5 and neutralise(None) is None


@pytest.mark.parametrize("write_only", [False, True])
def test_safe_row_writes_text_never_formulas(tmp_path, write_only):
    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet("问题") if write_only else wb.active
    ws.append(safe_row(ws, RISKY))
    ws.append(safe_row(ws, [*PLAIN[:3], 5, date(2026, 1, 2)]))
    path = tmp_path / "out.xlsx"
    wb.save(path)
    _assert_no_formula(path, [
        [t.replace("\r", "\n") for t in RISKY],  # xlsx stores CR as LF
        [*PLAIN[:3], 5.0, date(2026, 1, 2)] + [""] * (len(RISKY) - 5),
    ])


def test_write_text_cell_and_control_characters(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for ci, text in enumerate(RISKY, 1):
        write_text_cell(ws, 1, ci, text)
    write_text_cell(ws, 2, 1, "=A1\x00\x07")  # characters xlsx cannot hold are dropped
    write_text_cell(ws, 2, 2, 42)
    path = tmp_path / "cells.xlsx"
    wb.save(path)
    _assert_no_formula(path, [
        [t.replace("\r", "\n") for t in RISKY],
        ["=A1", 42.0] + [""] * (len(RISKY) - 2),
    ])
