"""`bangfu check --annotate OUT`: copies of the workbooks with their problems marked.

Each workbook that has problems is copied into OUT with every problem cell
filled (errors light red, warnings yellow) and the Chinese message as a cell
comment; a first sheet “问题清单” lists all of the workbook's problems, with
links to the cells, including those that belong to no cell. The originals are
only read, never written. The copies are for looking at: openpyxl drops some
things (pictures, charts), so corrections belong in the original files.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.hyperlink import Hyperlink

from . import schema
from .outputs import ANNOTATE_MARKER, OutputRefused, claim_folder, guard_file, guard_folder, save_workbook
from .problems import ERROR, SEVERITY_ZH, Problem, sort_key
from .reading.xlsxfile import READABLE, Unreadable, _zip_guard, read_other_book, sniff
from .safe_cells import clean, write_text_cell
from .templates import fitted_comment

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
LIST_SHEET = "问题清单"
LIST_HEADER = ("序号", "严重程度", "工作表", "单元格", "问题", "代码")
LIST_WIDTHS = (6, 10, 14, 10, 90, 22)
LIST_FIRST_ROW = 4  # row 1: note, row 3: header
_COORD = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")
MAX_ROW, MAX_COL = 1_048_576, 16_384


def annotate(records_dir: Path, problems: list[Problem], out_dir: Path, *, force: bool = False) -> list[Path]:
    """Write marked copies of the workbooks with problems into out_dir; return their paths.
    Raises OutputRefused (generator.outputs) when out_dir may not be written."""
    records_dir, out_dir = Path(records_dir), Path(out_dir)
    refusal = guard_folder(out_dir, records_dir=records_dir, marker=ANNOTATE_MARKER, what="标注副本",
                           force=force)
    if refusal:
        raise OutputRefused(refusal)
    books = {b.filename for b in schema.BOOKS}  # not lock files or stray copies
    books |= {Path(b.filename).stem + suffix for b in schema.BOOKS for suffix in READABLE}
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        if p.file in books:
            by_file.setdefault(p.file, []).append(p)
    written = []
    for name in sorted(by_file):
        source = records_dir / name
        if not source.is_file():
            continue
        wb = _open(source)
        if wb is None:
            continue
        listed = sorted(by_file[name], key=sort_key)
        linked = _mark_cells(wb, listed)
        _add_list_sheet(wb, listed, linked)
        target = out_dir / (Path(name).stem + ".xlsx")  # .xls/.ods sources get .xlsx copies
        refusal = guard_file(target, records_dir=records_dir, ours=True)
        if refusal:
            raise OutputRefused(refusal)
        claim_folder(out_dir, ANNOTATE_MARKER)
        save_workbook(wb, target)
        written.append(target)
    return written


def _open(path: Path):
    """The workbook for editing, or None when it cannot be read (the checker said why)."""
    import zipfile

    try:
        if path.suffix.lower() in READABLE:
            return _copy_of_other_format(path)
        sniff(path)
        with zipfile.ZipFile(path) as zf:
            _zip_guard(zf)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions (e.g. slicers) are dropped
            return openpyxl.load_workbook(path)
    except Unreadable:
        return None
    except Exception:  # noqa: BLE001 - any fault inside a user's file means "skip this copy"
        return None


def _copy_of_other_format(path: Path):
    """An .xlsx workbook holding the values (and merged ranges) of an .xls or .ods file."""
    raw = read_other_book(path)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, sheet in raw.sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(sheet.rows, 1):
            for c, value in enumerate(row, 1):
                if value not in ("", None):
                    cell = write_text_cell(ws, r, c, value) if isinstance(value, str) else \
                        ws.cell(row=r, column=c, value=value)
                    if isinstance(value, (date, datetime)):
                        cell.number_format = "yyyy-mm-dd"
        for (r0, c0), (r1, c1) in sheet.merged:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        if sheet.hidden:
            ws.sheet_state = "hidden"
    return wb


def _target_cell(ws, coordinate: str):
    """The cell to mark, or None; a cell inside a merged range maps to its top-left cell."""
    if not _COORD.match(coordinate):
        return None
    row, col = coordinate_to_tuple(coordinate)
    if row > MAX_ROW or col > MAX_COL:
        return None
    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if cell.coordinate in rng:
                return ws.cell(row=rng.min_row, column=rng.min_col)
    return cell


def _mark_cells(wb, problems: list[Problem]) -> set[int]:
    """Fill and comment each problem cell; return the ids of problems that got a cell."""
    cells: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.sheet in wb.sheetnames and p.cell:
            cells.setdefault((p.sheet, p.cell), []).append(p)
    linked: set = set()
    for (sheet, coordinate), found in cells.items():
        ws = wb[sheet]
        cell = _target_cell(ws, coordinate)
        if cell is None:
            continue
        linked.update(id(p) for p in found)
        cell.fill = ERROR_FILL if any(p.severity == ERROR for p in found) else WARNING_FILL
        text = "\n".join(f"【{SEVERITY_ZH[p.severity]}】{p.message}" for p in found)
        if cell.comment is not None and cell.comment.text:
            text += "\n—— 原批注：" + cell.comment.text
        cell.comment = fitted_comment(clean(text), width=340)
    return linked


def _unique_title(wb, title: str) -> str:
    n, candidate = 1, title
    while candidate in wb.sheetnames:
        n += 1
        candidate = f"{title}({n})"
    return candidate


def _add_list_sheet(wb, problems: list[Problem], linked: set[int]) -> None:
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False  # otherwise two selected tabs would be grouped
    ws = wb.create_sheet(_unique_title(wb, LIST_SHEET), 0)
    wb.active = 0
    ws.sheet_view.tabSelected = True
    errors = sum(1 for p in problems if p.severity == ERROR)
    note = write_text_cell(ws, 1, 1, (
        f"bangfu 检查发现 {len(problems)} 个问题（错误 {errors} 个，提醒 {len(problems) - errors} 个）。"
        "有问题的单元格已标色并加了批注（红色为错误，黄色为提醒），点击“单元格”一列可跳转。"
        "这是标注副本，请在原工作簿中改正后重新运行 bangfu check。"))
    note.font = Font(bold=True)
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=1, start_column=1, end_row=2, end_column=len(LIST_HEADER))
    ws.row_dimensions[1].height = 36
    for ci, (title, width) in enumerate(zip(LIST_HEADER, LIST_WIDTHS), 1):
        write_text_cell(ws, 3, ci, title).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(ci)].width = width
    ws.freeze_panes = f"A{LIST_FIRST_ROW}"
    ordered = sorted(problems, key=lambda p: (id(p) in linked, sort_key(p)))  # cell-less first
    for n, p in enumerate(ordered, 1):
        row = LIST_FIRST_ROW + n - 1
        ws.cell(row=row, column=1, value=n)
        write_text_cell(ws, row, 2, SEVERITY_ZH[p.severity]).fill = (
            ERROR_FILL if p.severity == ERROR else WARNING_FILL)
        write_text_cell(ws, row, 3, p.sheet)
        cell = write_text_cell(ws, row, 4, p.cell)
        if id(p) in linked:
            sheet = p.sheet.replace("'", "''")
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!{p.cell}")
            cell.font = Font(color="0563C1", underline="single")
        write_text_cell(ws, row, 5, p.message).alignment = Alignment(wrap_text=True, vertical="top")
        write_text_cell(ws, row, 6, p.code)
