"""Turn one raw sheet into typed records, by the schema.

Header matching (exact, alias, spacing/width/traditional variants), structure
problems (missing, duplicate, unknown columns; merged cells; header not in row
1), then one pass per column converting cells with the kind's converter.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import schema
from ..problems import Problem, problem
from ..records import Place
from .text import normalise_header
from .values import CONVERTERS, Bad, Fixed, shown, suggest
from .xlsxfile import RawSheet

HEADER_SEARCH_ROWS = 10


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class SheetResult:
    rows: list  # list of (row number, {key: value})
    place: Place
    problems: list


def _header_lookup(sheet: schema.Sheet) -> dict[str, schema.Column]:
    table = {}
    for col in sheet.columns:
        for name in (col.name, *col.aliases):
            table.setdefault(normalise_header(name), col)
    return table


def _find_header_row(rows: list, lookup: dict) -> int:
    """Index of the row that looks most like the header (0 when none does)."""
    best, best_hits = 0, -1
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for cell in row if normalise_header(cell) in lookup)
        if hits > best_hits:
            best, best_hits = i, hits
    return best if best_hits > 0 else 0


def read_table(raw: RawSheet, sheet: schema.Sheet, file: str) -> SheetResult:
    problems: list[Problem] = []
    where = {"file": file, "sheet": raw.name}
    lookup = _header_lookup(sheet)
    rows = raw.rows
    header_index = _find_header_row(rows, lookup)
    if header_index > 0:
        problems.append(problem("header-not-first-row", **where, cell=f"A{header_index + 1}",
                                found=header_index + 1, extra=header_index))
    header = rows[header_index] if rows else []

    mapping: dict[int, schema.Column] = {}
    seen: dict[str, str] = {}
    unknown: list[tuple[int, str]] = []
    for ci, cell in enumerate(header):
        label = normalise_header(cell)
        if not label:
            continue
        letter = column_letter(ci)
        col = lookup.get(label)
        if col is None:
            unknown.append((ci, str(cell).strip()))
            continue
        if col.key in seen:
            problems.append(problem("column-duplicate", **where, cell=f"{letter}{header_index + 1}",
                                    column=col.name, other=seen[col.key]))
            continue
        seen[col.key] = f"{letter}{header_index + 1}"
        mapping[ci] = col
        raw_name = str(cell).strip()
        if raw_name != col.name and normalise_header(col.name) != label:
            problems.append(problem("column-renamed", **where, cell=f"{letter}{header_index + 1}",
                                    found=raw_name, column=col.name))

    missing = [c for c in sheet.columns if c.key not in seen]
    for ci, name in unknown:
        near = suggest(normalise_header(name), [c.name for c in missing], cutoff=0.5)
        hint = f"是不是“{near}”？请改为标准列名。" if near else "如不需要可以删除，它不会被读取。"
        problems.append(problem("column-unknown", **where, cell=f"{column_letter(ci)}{header_index + 1}",
                                column=name, suggestion=hint))
    for col in missing:
        if not col.required:
            continue
        near = suggest(col.name, [n for _, n in unknown], cutoff=0.5)
        hint = (f"表头中有“{near}”，是不是改了名？请改回“{col.name}”。" if near
                else f"请在第 {header_index + 1} 行添加列名“{col.name}”，并填写这一列。")
        problems.append(problem("column-missing", **where, cell=f"{column_letter(len(header))}{header_index + 1}",
                                column=col.name, suggestion=hint))

    for (r0, c0), (r1, c1) in raw.merged:
        if r1 > header_index or r0 >= header_index:
            rng = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
            problems.append(problem("merged-cells", **where, cell=f"{column_letter(c0)}{r0 + 1}", range=rng))

    if raw.truncated_at:
        problems.append(problem("too-many-rows", **where, cell="", rows=raw.truncated_at,
                                limit=len(raw.rows)))

    letters = {col.key: column_letter(ci) for ci, col in mapping.items()}
    place = Place(file, raw.name, letters)
    records = _convert_rows(rows[header_index + 1:], header_index + 2, mapping, raw, where, problems)
    return SheetResult(records, place, problems)


def _convert_rows(body, first_row, mapping, raw, where, problems):
    """One pass over the cells of mapped columns; blank rows are skipped."""
    columns = sorted(mapping.items())
    bad_cells = raw.bad_cells
    out = []
    for offset, cells in enumerate(body):
        rowno = first_row + offset
        values = {}
        ncells = len(cells)
        filled = False
        for ci, col in columns:
            value = cells[ci] if ci < ncells else ""
            if value == "" or value is None:
                if bad_cells:
                    ref = f"{column_letter(ci)}{rowno}"
                    if ref in bad_cells:
                        code, text = bad_cells[ref]
                        key = "formula" if code == "formula-no-value" else "value"
                        problems.append(problem(code, **where, cell=ref, **{key: text}))
                        filled = True
                continue
            if type(value) is str and not value.strip():
                continue
            filled = True
            result = CONVERTERS[col.kind](value, col)
            kind = type(result)
            if kind is Bad:
                problems.append(problem(result.code, **where, cell=f"{column_letter(ci)}{rowno}",
                                        column=col.name, **_with_defaults(result.code, result.params)))
                continue
            if kind is Fixed:
                problems.append(problem(result.code, **where, cell=f"{column_letter(ci)}{rowno}",
                                        column=col.name, **_with_defaults(result.code, result.params)))
                result = result.value
            if result == "" or result == ():
                continue
            values[col.key] = result
        if not filled and not _other_cells_filled(cells, mapping):
            continue
        for ci, col in columns:
            if col.required and col.key not in values and not _cell_reported(problems, ci, rowno):
                problems.append(problem("required", **where, cell=f"{column_letter(ci)}{rowno}",
                                        column=col.name, hint=f"（{col.hint}）" if col.hint else ""))
        out.append((rowno, values))
    return out


def _other_cells_filled(cells, mapping) -> bool:
    return any(v not in ("", None) and not (type(v) is str and not v.strip())
               for i, v in enumerate(cells) if i not in mapping)


def _cell_reported(problems, ci, rowno) -> bool:
    ref = f"{column_letter(ci)}{rowno}"
    for p in reversed(problems[-40:]):
        if p.cell == ref:
            return True
    return False


def _with_defaults(code: str, params: dict) -> dict:
    """Fill placeholders some converters leave out (e.g. hint)."""
    if code in ("type-number", "required") and "hint" not in params:
        return {**params, "hint": ""}
    return params


__all__ = ["read_table", "SheetResult", "column_letter", "shown"]
