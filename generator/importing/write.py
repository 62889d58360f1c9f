"""Write imported rows into bangfu's workbooks in the target folder.

Missing workbooks are created from the schema (the register and the aid
workbook without example rows; the policy and fund workbooks as `bangfu init`
makes them, for the clerk to fill in). Existing ones get the rows appended
under their own headers. Each workbook is written to a temporary file and
moved into place, so a failure leaves the previous file as it was.
"""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl

from .. import schema
from ..outputs import save_workbook
from ..reading.text import normalise_header
from ..safe_cells import write_text_cell
from ..templates import blank_workbook, number_format, refresh_lists
from .place import NewRow

EXAMPLE_FREE = ("register", "aid")  # created without the example row


def cell_value(column: schema.Column, value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple):
        return "、".join(value)
    if isinstance(value, float) and column.kind in (schema.IDNO, schema.CODE, schema.PHONE):
        return value  # a number a converter refused: kept as it was, `check` reports it
    if isinstance(value, (date, Decimal, int, float)):
        return value
    return str(value)


def _header_columns(ws, sheet: schema.Sheet) -> dict[str, int]:
    """column key -> 1-based column index in the sheet's header row; adds missing columns."""
    lookup: dict[str, str] = {}
    for col in sheet.columns:
        for name in (col.name, *col.aliases):
            lookup.setdefault(normalise_header(name), col.key)
    found = {}
    for cell in ws[1]:
        key = lookup.get(normalise_header(cell.value))
        if key and key not in found:
            found[key] = cell.column
    return found


def _last_row(ws) -> int:
    for row in range(ws.max_row, 1, -1):
        if any(c.value not in (None, "") for c in ws[row]):
            return row
    return 1


def write_rows(folder: Path, rows: dict[str, list[NewRow]], lists: dict) -> list[Path]:
    """Append rows (sheet key -> rows) to the workbooks in folder; return the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for book in schema.BOOKS:
        path = folder / book.filename
        wanted = [s for s in book.sheets if rows.get(s.key)]
        if path.exists() and not wanted:
            continue
        if path.exists():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = openpyxl.load_workbook(path)
            refresh_lists(wb, lists)  # the drop-downs offer what the other workbooks declare now
        else:
            wb = blank_workbook(book, examples=book.key not in EXAMPLE_FREE, lists=lists)
        for sheet in wanted:
            ws = wb[sheet.name] if sheet.name in wb.sheetnames else None
            if ws is None:
                continue
            at = _header_columns(ws, sheet)
            start = _last_row(ws) + 1
            for offset, new in enumerate(rows[sheet.key]):
                for col in sheet.columns:
                    value = new.values.get(col.key)
                    if value is None or col.key not in at:
                        continue
                    cell = write_text_cell(ws, start + offset, at[col.key], cell_value(col, value))
                    fmt = number_format(col)
                    if fmt:
                        cell.number_format = fmt
        _save(wb, path)
        written.append(path)
    return written


def _save(wb, path: Path) -> None:
    save_workbook(wb, path)  # the output guard's writer: a new file renamed over the old
