"""Which bangfu column each column of a station's own register goes to.

The proposal comes from the schema alone: column names and their aliases (the
national 困难职工档案表 names and the variants clerks use), compared after units,
`*` marks and spacing are stripped. The mapping is written to a sheet the clerk
can correct (源列 → 表名.列名, or 不导入) and is read back on the next run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .. import schema
from ..outputs import save_workbook
from ..reading.text import normalise_header
from ..safe_cells import write_text_cell
from .layout import SourceColumn, SourceTable

SKIP = "不导入"
IGNORED_NAMES = ("序号", "序", "No", "NO")  # row counters: never imported, never a warning
# A column under one of these group labels describes a family member, not the worker.
MEMBER_GROUPS = ("家庭成员", "成员", "家属", "共同生活")
COMPANIONS = {"workers": ("members",), "members": ("workers",), "payouts": ("workers",),
              "visits": ("workers",)}
# In a payout list, these worker columns only find the worker's file.
LINK_KEYS = ("id_number", "name", "archive_no")

MAPPING_SHEET = "导入对照"
MAPPING_HEADER = ("源文件", "工作表", "列", "源列名", "示例值", "导入到", "说明")
MAPPING_WIDTHS = (22, 14, 6, 26, 22, 26, 44)
TARGETS_SHEET = "可选列"


@dataclass(frozen=True)
class Target:
    sheet: schema.Sheet
    column: schema.Column

    @property
    def label(self) -> str:
        return f"{self.sheet.name}.{self.column.name}"


@dataclass
class ColumnMapping:
    file: str
    sheet: str
    source: SourceColumn
    target: Target | None
    note: str = ""
    example: str = ""
    from_sheet: bool = False  # chosen by the clerk in the mapping sheet


def table_sheets() -> list[schema.Sheet]:
    return [s for _, s in schema.all_sheets() if not s.settings]


def _lookup() -> dict[str, list[Target]]:
    out: dict[str, list[Target]] = {}
    for sheet in table_sheets():
        for col in sheet.columns:
            for name in (col.name, *col.aliases, *((col.national,) if col.national else ())):
                targets = out.setdefault(normalise_header(name), [])
                if all(t.column is not col for t in targets):
                    targets.append(Target(sheet, col))
    return out


LOOKUP = _lookup()
KNOWN = set(LOOKUP) | {normalise_header(n) for n in IGNORED_NAMES}
BY_LABEL = {Target(s, c).label: Target(s, c) for s in table_sheets() for c in s.columns}


def candidates(column: SourceColumn) -> list[Target]:
    """Targets whose name matches the whole flattened name, else the lowest part that matches."""
    found = LOOKUP.get(normalise_header(column.name))
    if found:
        return found
    for part in reversed(column.parts):
        found = LOOKUP.get(normalise_header(part))
        if found:
            return found
    return []


def _is_member_group(column: SourceColumn) -> bool:
    return any(g in part for part in column.parts[:-1] for g in MEMBER_GROUPS)


def main_sheet(table: SourceTable) -> schema.Sheet | None:
    """The bangfu sheet most of the columns belong to."""
    scores: dict[str, int] = {}
    for column in table.columns:
        for target in {t.sheet.key: t for t in candidates(column)}.values():
            scores[target.sheet.key] = scores.get(target.sheet.key, 0) + 1
    if not scores:
        return None
    order = [s.key for s in table_sheets()]
    key = max(scores, key=lambda k: (scores[k], -order.index(k)))
    return next(s for s in table_sheets() if s.key == key) if scores[key] >= 2 else None


def propose(file: str, table: SourceTable) -> list[ColumnMapping]:
    main = main_sheet(table)
    out: list[ColumnMapping] = []
    taken: dict[str, str] = {}
    for column in table.columns:
        mapping = ColumnMapping(file, table.sheet, column, None, example=_example(table, column))
        out.append(mapping)
        if normalise_header(column.parts[-1]) in {normalise_header(n) for n in IGNORED_NAMES}:
            mapping.note = "序号列，不需要导入"
            continue
        found = candidates(column)
        if main is None or not found:
            mapping.note = "没有对应的 bangfu 列；如需导入，请在“导入到”中选择"
            continue
        by_sheet = {t.sheet.key: t for t in reversed(found)}
        allowed = (main.key, *COMPANIONS.get(main.key, ()))
        if main.key == "workers" and _is_member_group(column) and "members" in by_sheet:
            target = by_sheet["members"]
        else:
            target = next((by_sheet[k] for k in allowed if k in by_sheet), None)
        if target is not None and main.key == "payouts" and target.sheet.key == "workers" \
                and target.column.key not in LINK_KEYS:
            target = None
        if target is None:
            mapping.note = f"不属于“{main.name}”表，未导入"
            continue
        if target.label in taken:
            mapping.note = f"与 {taken[target.label]} 列重复，未导入"
            continue
        taken[target.label] = column.letter
        mapping.target = target
        if target.sheet.key == "workers" and main.key == "payouts":
            mapping.note = "用于找到对应的困难职工档案"
    return out


def _example(table: SourceTable, column: SourceColumn) -> str:
    from ..reading.values import shown

    for _, row in table.rows[:20]:
        if column.index < len(row) and row[column.index] not in ("", None):
            return shown(row[column.index])
    return ""


# --- the mapping sheet ------------------------------------------------------------
def write_mapping_sheet(path, mappings: list[ColumnMapping]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = MAPPING_SHEET
    for ci, (title, width) in enumerate(zip(MAPPING_HEADER, MAPPING_WIDTHS), 1):
        cell = write_text_cell(ws, 1, ci, title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[chr(64 + ci)].width = width
    for ri, m in enumerate(mappings, 2):
        values = (m.file, m.sheet, m.source.letter, m.source.name, m.example,
                  m.target.label if m.target else SKIP, m.note)
        for ci, value in enumerate(values, 1):
            write_text_cell(ws, ri, ci, value)
        ws.cell(row=ri, column=7).alignment = Alignment(wrap_text=True)
    lists = wb.create_sheet(TARGETS_SHEET)
    write_text_cell(lists, 1, 1, SKIP)
    for ri, label in enumerate(BY_LABEL, 2):
        write_text_cell(lists, ri, 1, label)
    lists.column_dimensions["A"].width = 30
    dv = DataValidation(type="list", formula1=f"'{TARGETS_SHEET}'!$A$1:$A${len(BY_LABEL) + 1}",
                        allow_blank=True, showErrorMessage=True, errorStyle="stop",
                        errorTitle="请从下拉列表中选择", error="请选择“表名.列名”或“不导入”。")
    dv.add(f"F2:F{max(2, len(mappings) + 1)}")
    ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    save_workbook(wb, path)  # replaces a link, never writes through it


@dataclass
class MappingChoice:
    target: Target | None
    row: int  # row in the mapping sheet


def read_mapping_sheet(path) -> tuple[dict, list]:
    """(file, sheet, letter, source name) -> MappingChoice; and the rows that are not valid."""
    from ..reading.xlsxfile import Unreadable, read_book

    try:
        raw = read_book(path)
    except Unreadable as err:
        return {}, [(0, "", err.code)]
    sheet = raw.sheets.get(MAPPING_SHEET)
    if sheet is None:
        return {}, [(0, "", "no-sheet")]
    choices, bad = {}, []
    for ri, row in enumerate(sheet.rows[1:], 2):
        row = [str(v).strip() if v not in ("", None) else "" for v in (list(row) + [""] * 7)[:7]]
        file, sheet_name, letter, name, _, choice, _ = row
        if not (file and letter):
            continue
        if choice in ("", SKIP):
            target = None
        else:
            target = BY_LABEL.get(re.sub(r"\s+", "", choice).replace("。", ".").replace("．", "."))
            if target is None:
                bad.append((ri, choice, "target"))
                continue
        choices[(file, sheet_name, letter, name)] = MappingChoice(target, ri)
    return choices, bad
