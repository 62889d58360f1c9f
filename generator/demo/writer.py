"""Write the four workbooks exactly as `generator.schema` declares them.

openpyxl in write-only mode (streams rows; 20,000 workers and 100,000 payouts
in well under a minute). Headers in schema order on row 1, frozen; identity,
phone and bank numbers as text cells; rates as percentages; dates as real dates; money as numbers;
是/否 for yes/no; multiple choices joined with 、. The zip is rewritten with
fixed timestamps, so the same data gives byte-identical files.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .. import schema
from ..outputs import stable_xlsx, write_bytes

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
TEXT_KINDS = (schema.IDNO, schema.PHONE)


def cell_value(value):
    """A Python value as the cell should hold it."""
    if value is None:
        return None
    kind = type(value)
    if kind is Decimal:
        return float(value)
    if kind is bool:
        return "是" if value else "否"
    if kind is tuple:
        return "、".join(value) if value else None
    return value


def write_book(path: Path, book: schema.Book, tables: dict, settings: dict | None = None,
               stamp: date | None = None) -> Path:
    """tables: sheet key -> rows (dicts or objects with the column keys as attributes)."""
    wb = Workbook(write_only=True)
    wb.properties.creator = "bangfu"
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        _layout(ws, sheet)
        ws.append([_header(ws, c.name) for c in sheet.columns])
        if sheet.settings:
            for entry in sheet.entries:
                value = (settings or {}).get(entry.key)
                ws.append([entry.name, cell_value(value), entry.hint or None])
            continue
        _rows(ws, sheet, tables.get(sheet.key, ()))
    buffer = io.BytesIO()
    wb.save(buffer)
    write_bytes(path, stable_xlsx(buffer.getvalue(), stamp or date(2026, 1, 1)))
    return path


def _layout(ws, sheet: schema.Sheet) -> None:
    for i, col in enumerate(sheet.columns):
        ws.column_dimensions[get_column_letter(i + 1)].width = col.width + 2
    ws.freeze_panes = "A2"


def _header(ws, name: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=name)
    cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
    return cell


def _rows(ws, sheet: schema.Sheet, rows) -> None:
    keys = [c.key for c in sheet.columns]
    formats = {i: "@" for i, c in enumerate(sheet.columns) if c.kind in TEXT_KINDS or c.key == "bank_account"}
    formats.update({i: "0%" for i, c in enumerate(sheet.columns) if c.kind == schema.RATE and c.key == "rate"})
    for row in rows:
        get = row.get if isinstance(row, dict) else (lambda k, _r=row: getattr(_r, k, None))
        values = [cell_value(get(k)) for k in keys]
        for i, number_format in formats.items():
            if values[i] is not None:
                cell = WriteOnlyCell(ws, value=values[i])
                cell.number_format = number_format
                values[i] = cell
        ws.append(values)


