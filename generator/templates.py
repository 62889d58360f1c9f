"""`bangfu init`: blank workbooks for a new station, written from the schema only.

Each sheet gets the Chinese headers in schema order (bold, coloured: orange
for required columns), a frozen header row, column widths, drop-down lists
for choice columns, text format for identity numbers, phones, codes and bank
numbers (so Excel never turns them into numbers), date and money formats, an
input hint on every column (shown when a cell is selected, and as a comment
on the header) and one example row. The example rows of all four workbooks
form one consistent tiny station that passes `bangfu check` without remarks.
"""

from __future__ import annotations

import errno
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import schema
from .outputs import save_workbook
from .safe_cells import write_text_cell

LAST_ROW = 1_048_576  # formats and hints cover the whole column below the header
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
INT_FORMAT = "0"
TEXT_KINDS = (schema.IDNO, schema.PHONE, schema.CODE)
BOOL_CHOICES = ("是", "否")

REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)

PROMPT_TITLE_LIMIT = 32  # Excel's limits for a data-validation input message
PROMPT_LIMIT = 255
LIST_FORMULA_LIMIT = 255


def number_format(column: schema.Column) -> str | None:
    if column.kind in TEXT_KINDS:
        return TEXT_FORMAT
    return {schema.DATE: DATE_FORMAT, schema.MONEY: MONEY_FORMAT,
            schema.INT: INT_FORMAT}.get(column.kind)


def choices_of(column: schema.Column) -> tuple[str, ...]:
    if column.kind == schema.BOOL:
        return BOOL_CHOICES
    return column.choices


def hint_text(column: schema.Column) -> str:
    """The clerk-facing description of one column: kind, required, hint, choices."""
    lines = [f"类型：{schema.KIND_ZH[column.kind]}", "必填" if column.required else "可不填"]
    if column.hint:
        lines.append(column.hint)
    if column.ref and schema.sheet(column.ref).name not in column.hint:
        book_key = column.ref.split(".")[0]
        target = schema.sheet(column.ref)
        where = f"“{target.name}”表" if book_key == _book_of(column) else \
            f"{schema.book(book_key).filename}的“{target.name}”表"
        lines.append(f"须是{where}中已有的{target.key_column.name}")
    if column.kind == schema.MULTI:
        lines.append("可填：" + "、".join(column.choices) + "（多项用、分隔）")
    elif choices_of(column) and column.kind != schema.BOOL:
        lines.append("可选：" + "、".join(choices_of(column)))
    if column.kind in TEXT_KINDS:
        lines.append("本列已设为文本格式，请勿改成数字格式")
    return "\n".join(lines)


def _book_of(column: schema.Column) -> str:
    for book, sheet in schema.all_sheets():
        if any(c is column for c in (*sheet.columns, *sheet.entries)):
            return book.key
    return ""


def example_value(column: schema.Column):
    """The example as a cell value: dates and numbers typed, the rest as text."""
    value = column.example
    if value is None or value == "":
        return None
    if column.kind == schema.BOOL:
        return "是" if value else "否"
    if column.kind == schema.MULTI and isinstance(value, (tuple, list)):
        return "、".join(value)
    if isinstance(value, (date, Decimal, int)):
        return value
    return str(value)


def _set_cell(ws, row: int, col: int, column: schema.Column, value) -> None:
    cell = write_text_cell(ws, row, col, value)
    fmt = number_format(column)
    if fmt and value is not None:
        cell.number_format = fmt


def _validation(column: schema.Column, sqref: str, listed: str = "") -> DataValidation:
    """The drop-down and input message of a column; `listed` is a range on the lists sheet
    holding the names another workbook declares (帮扶项目, 资金账户, …)."""
    choices = choices_of(column)
    prompt = hint_text(column)[:PROMPT_LIMIT]
    title = column.name[:PROMPT_TITLE_LIMIT]
    if listed:
        # a warning, not a stop: a name added to the other workbook later is still accepted
        dv = DataValidation(type="list", formula1=listed, allow_blank=True, showErrorMessage=True,
                            errorStyle="warning", errorTitle="不在已登记的名称中",
                            error=f"这个值不在{_ref_place(column)}中。请从下拉列表中选择，"
                                  "或先在那里登记后再填写。")
    elif choices and column.kind != schema.MULTI:
        formula = '"' + ",".join(choices) + '"'
        if len(formula) > LIST_FORMULA_LIMIT:  # a schema change made the list too long
            raise ValueError(f"choice list of {column.key} exceeds Excel's 255 characters")
        dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                            showErrorMessage=True, errorStyle="stop", errorTitle="请从下拉列表中选择",
                            error="可选：" + "、".join(choices))
    else:
        dv = DataValidation(allow_blank=True)  # no rule: only the input message
    dv.showInputMessage = True
    dv.promptTitle = title
    dv.prompt = prompt
    dv.add(sqref)
    return dv


def _ref_place(column: schema.Column) -> str:
    book_key = column.ref.split(".")[0]
    return f"{schema.book(book_key).filename}的“{schema.sheet(column.ref).name}”表"


def _list_range(wb, column: schema.Column, lists: dict) -> str:
    """A formula for the names `column` must take, in a column of the lists sheet written on
    first use; it covers however many names the column holds, so `refresh_lists` can rewrite it."""
    names = [str(n) for n in lists.get(column.ref, ()) if n not in (None, "")]
    if not names:
        return ""
    if schema.LISTS_SHEET in wb.sheetnames:
        ws = wb[schema.LISTS_SHEET]
    else:
        ws = wb.create_sheet(schema.LISTS_SHEET)
        ws.sheet_state = "veryHidden"  # not data: the reader skips it, the clerk never sees it
    for ci in range(1, ws.max_column + 2):
        head = ws.cell(row=1, column=ci).value
        if head == column.ref or head is None:
            break
    letter = get_column_letter(ci)
    if head is None:
        write_text_cell(ws, 1, ci, column.ref)
        for ri, name in enumerate(dict.fromkeys(names), 2):
            write_text_cell(ws, ri, ci, name)
    where = f"'{schema.LISTS_SHEET}'!${letter}"
    return f"OFFSET({where}$2,0,0,MAX(1,COUNTA({where}:${letter})-1),1)"


def refresh_lists(wb, lists: dict) -> None:
    """Rewrite the names on a workbook's lists sheet (from init or import) from `lists`."""
    if schema.LISTS_SHEET not in wb.sheetnames:
        return
    ws = wb[schema.LISTS_SHEET]
    for ci in range(1, ws.max_column + 1):
        ref = ws.cell(row=1, column=ci).value
        names = [str(n) for n in dict.fromkeys(lists.get(ref, ())) if n not in (None, "")]
        if not names:
            continue
        for ri in range(2, max(ws.max_row, len(names) + 1) + 1):
            ws.cell(row=ri, column=ci).value = None
        for ri, name in enumerate(names, 2):
            write_text_cell(ws, ri, ci, name)


def _header(ws, col: int, column: schema.Column, note: str = "") -> None:
    cell = write_text_cell(ws, 1, col, column.name)
    cell.font = HEADER_FONT
    cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
    cell.alignment = HEADER_ALIGN
    text = (note + "\n\n" if note else "") + hint_text(column)
    cell.comment = fitted_comment(text)


def fitted_comment(text: str, width: int = 280) -> Comment:
    """A comment box (sizes in pixels) tall enough to show Chinese text without scrolling."""
    per_line = max(1, (width - 12) // 14)  # a Han character is about 14 px wide
    lines = sum(max(1, -(-len(line) // per_line)) for line in text.split("\n"))
    comment = Comment(text, "bangfu")
    comment.width = width
    comment.height = min(800, 16 + 19 * lines)
    return comment


def _width(column: schema.Column) -> float:
    return max(column.width, 2 * len(column.name) + 4)


def write_table_sheet(ws, sheet: schema.Sheet, examples: bool = True, lists: dict | None = None) -> None:
    ws.title = sheet.name
    for ci, column in enumerate(sheet.columns, 1):
        letter = get_column_letter(ci)
        _header(ws, ci, column, sheet.description if ci == 1 else "")
        dim = ws.column_dimensions[letter]
        dim.width = _width(column)
        fmt = number_format(column)
        if fmt:
            dim.number_format = fmt
        listed = _list_range(ws.parent, column, lists) \
            if lists and column.ref in schema.DROPDOWN_REFS else ""
        ws.add_data_validation(_validation(column, f"{letter}2:{letter}{LAST_ROW}", listed))
        if examples:
            _set_cell(ws, 2, ci, column, example_value(column))
    ws.freeze_panes = "A2"


def write_settings_sheet(ws, sheet: schema.Sheet) -> None:
    ws.title = sheet.name
    for ci, column in enumerate(sheet.columns, 1):
        _header(ws, ci, column, sheet.description if ci == 1 else "")
        ws.column_dimensions[get_column_letter(ci)].width = _width(column)
    for ri, entry in enumerate(sheet.entries, 2):
        write_text_cell(ws, ri, 1, entry.name)
        _set_cell(ws, ri, 2, entry, example_value(entry))
        note = entry.hint
        if entry.required:
            note = f"{note}（必填）" if note else "必填"
        write_text_cell(ws, ri, 3, note or None)
        ws.add_data_validation(_validation(entry, f"B{ri}"))
    ws.freeze_panes = "A2"


def blank_workbook(book: schema.Book, examples: bool = True, lists: dict | None = None) -> Workbook:
    """One workbook from the schema; `lists` ("policy.items" -> names) fills the drop-downs of
    the columns whose values come from another sheet (帮扶项目, 困难类别, 资金账户, 公示批次)."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        if sheet.settings:
            write_settings_sheet(ws, sheet)
        else:
            write_table_sheet(ws, sheet, examples, lists)
    if schema.LISTS_SHEET in wb.sheetnames:  # keep the hidden lists last
        wb.move_sheet(schema.LISTS_SHEET, len(wb.sheetnames) - 1 - wb.sheetnames.index(schema.LISTS_SHEET))
    wb.properties.title = Path(book.filename).stem
    wb.properties.subject = book.description
    wb.properties.creator = "bangfu"
    return wb


def write_blank_workbooks(target_dir: Path, overwrite: bool = False) -> list[Path]:
    """Write the four blank workbooks into target_dir; refuse to replace existing ones."""
    target_dir = Path(target_dir)
    paths = [target_dir / book.filename for book in schema.BOOKS]
    if not overwrite:
        for path in paths:
            if path.exists():
                raise FileExistsError(errno.EEXIST, f"{path.name} 已存在", str(path))
    target_dir.mkdir(parents=True, exist_ok=True)
    lists = example_lists()
    for book, path in zip(schema.BOOKS, paths):
        save_workbook(blank_workbook(book, lists=lists), path)  # replaces a link, never writes through it
    return paths


def reference_lists(records) -> dict[str, tuple]:
    """"book.sheet" -> the key values declared there (帮扶项目 names, 资金账户 names, …)."""
    out = {}
    for book, sheet in schema.all_sheets():
        if sheet.settings or sheet.key_column is None or sheet.key not in records.places:
            continue
        out[f"{book.key}.{sheet.key}"] = tuple(
            getattr(r, sheet.key_column.key) for r in getattr(records, sheet.key))
    return out


def example_lists() -> dict[str, tuple]:
    """The lists the example rows of the four new workbooks declare."""
    out = {}
    for book, sheet in schema.all_sheets():
        key = sheet.key_column
        if not sheet.settings and key is not None and key.example not in (None, ""):
            out[f"{book.key}.{sheet.key}"] = (key.example,)
    return out
