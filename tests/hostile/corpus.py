"""Helpers to break a copy of the demo records the way careless hands do."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "records"
REG, AID, FUNDS, POLICY = "困难职工档案.xlsx", "帮扶记录.xlsx", "帮扶资金.xlsx", "帮扶政策.xlsx"


def copy_demo(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in DEMO.glob("*.xlsx"):
        shutil.copy2(path, target / path.name)
    return target


def digests(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def column_index(ws, header: str) -> int:
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    raise KeyError(header)


def ref(ws, header: str, data_row: int = 0) -> str:
    """A1 reference of a data row (0 = first row under the header)."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column_index(ws, header))}{data_row + 2}"


class Book:
    """`with Book(folder, AID) as wb:` opens a workbook for editing and saves it on exit."""

    def __init__(self, folder: Path, name: str):
        self.path = Path(folder) / name

    def __enter__(self):
        self.wb = openpyxl.load_workbook(self.path)
        return self.wb

    def __exit__(self, *exc):
        if exc[0] is None:
            self.wb.save(self.path)
        return False


def set_cell(folder: Path, book: str, sheet: str, header: str, value, data_row: int = 0) -> str:
    with Book(folder, book) as wb:
        ws = wb[sheet]
        cell = ref(ws, header, data_row)
        ws[cell] = value
    return cell


def get_cell(folder: Path, book: str, sheet: str, header: str, data_row: int = 0):
    wb = openpyxl.load_workbook(Path(folder) / book, read_only=True)
    ws = wb[sheet]
    col = None
    for row in ws.iter_rows(min_row=1, max_row=1):
        for c in row:
            if c.value == header:
                col = c.column
    value = ws.cell(row=data_row + 2, column=col).value
    wb.close()
    return value


def rewrite_part(path: Path, part: str, edit) -> None:
    """Edit one XML part of an .xlsx in place (for things openpyxl cannot write)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == part:
                data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data)
    tmp.replace(path)


def sheet_part(path: Path, sheet_name: str) -> str:
    """The zip part of a sheet, from workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as zf:
        wb = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet[^>]*name="{re.escape(sheet_name)}"[^>]*r:id="([^"]+)"', wb) or \
        re.search(rf'<sheet[^>]*r:id="([^"]+)"[^>]*name="{re.escape(sheet_name)}"', wb)
    target = re.search(rf'<Relationship[^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    t = target.group(1)
    return t.lstrip("/") if t.startswith("/") else f"xl/{t}"


def inject_cached_value(path: Path, sheet_name: str, cell: str, cached: str) -> None:
    part = sheet_part(path, sheet_name)

    def edit(xml):
        return re.sub(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(<v>\s*</v>|<v\s*/>)?',
                      lambda m: f"{m.group(1)}{m.group(2)}<v>{cached}</v>", xml)
    rewrite_part(path, part, edit)


def make_error_cell(path: Path, sheet_name: str, cell: str, error: str, formula: str) -> None:
    """A formula whose cached result is an error value, as Excel saves it."""
    part = sheet_part(path, sheet_name)

    def edit(xml):
        return re.sub(rf'<c r="{cell}"([^>]*?)(?:/>|>.*?</c>)',
                      lambda m: f'<c r="{cell}" t="e"><f>{formula}</f><v>{error}</v></c>', xml, count=1,
                      flags=re.S)
    rewrite_part(path, part, edit)
