"""Text that looks like a formula is written as text, in normal and write-only workbooks."""

from __future__ import annotations

import random
import sys
from datetime import date

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from generator.safe_cells import (
    LEADING_BLANKS,
    RISKY_FIRST,
    is_plain,
    is_risky,
    neutralise,
    safe_row,
    safe_text,
    write_text_cell,
)

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


def _unchanged(text: str) -> bool:
    """safe_text writes the text as it is, with the plain format."""
    return safe_text(text, "plain", "quoted") == (text, "plain")


def test_is_plain_never_says_plain_for_a_text_safe_text_changes():
    risky = list(RISKY_FIRST)
    firsts = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    for first in firsts:  # every first character, before a plain and a formula-like rest
        for text in (first, first + "张伟", first + "=1"):
            assert not is_plain(text) or _unchanged(text), repr(text)
    for prefix in risky:  # every risky character, first or after blanks: never plain
        for blanks in ("", *LEADING_BLANKS, " \u3000", "\n "):
            for rest in ("", "1", "SUM(A1)", "张伟"):
                text = blanks + prefix + rest
                assert not is_plain(text) and not _unchanged(text), repr(text)
    pieces = [*risky, *LEADING_BLANKS, "\x00", "\x07", "\x1f", "\x7f", "\u00a0", "\u200b", "\ud7ff",
              "张", "A", "1", "&", "<", "'", "\"", " "]
    rng = random.Random(17)
    plain = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
        if is_plain(text):
            assert _unchanged(text), repr(text)
            plain += 1
    assert plain > 1000  # the fast path is taken for many texts, not never
    assert is_plain("张伟") and is_plain("SF-0001") and is_plain("a=b")
