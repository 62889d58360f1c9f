"""Turn one raw sheet into typed records, by the schema.

Header matching (exact, alias, spacing/width/traditional variants), structure
problems (missing, duplicate, unknown columns; merged cells; header not in row
1), then one pass per column converting cells with the kind's converter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import schema
from ..idcard import all_valid
from ..problems import Problem, problem
from ..records import Place
from .piecewise import HEADER_SEARCH_ROWS
from .rawbook import RawSheet
from .text import normalise_header
from .values import CONVERTERS, DAYS_1900_TO_1904, Bad, Fixed, shown, suggest, too_long

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({
    "column-duplicate", "column-missing", "column-renamed", "column-unknown", "header-not-first-row", "merged-cells",
    "required", "too-many-rows",
})


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
    columns: dict  # column key -> list of typed values (None where empty), one per kept row
    rownos: list  # the Excel row number of each kept row
    place: Place
    problems: list
    header_index: int = 0  # the header's row, zero-based
    # problems[cells[0]:cells[1]] are those of single cells' values (_convert_columns), in the
    # order of cell_keys: (column index, 0 for a value that failed or was repaired and 1 for a
    # required one left blank, row number); the others are the sheet's (header, columns,
    # merged cells, formulas and error values), found whatever rows were read
    cells: tuple = (0, 0)
    cell_keys: list = field(default_factory=list)

    def rows(self):
        """(row number, {key: value}) per kept row; for small sheets such as the settings."""
        keys = list(self.columns)
        for i, rowno in enumerate(self.rownos):
            yield rowno, {k: self.columns[k][i] for k in keys if self.columns[k][i] is not None}


def _header_lookup(sheet: schema.Sheet) -> dict[str, schema.Column]:
    table: dict[str, schema.Column] = {}
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
    where: dict[str, Any] = {"file": file, "sheet": raw.name}
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
                                    column_key=col.key, column=col.name, other=seen[col.key]))
            continue
        seen[col.key] = f"{letter}{header_index + 1}"
        mapping[ci] = col
        raw_name = str(cell).strip()
        if raw_name != col.name and normalise_header(col.name) != label:
            problems.append(problem("column-renamed", **where, cell=f"{letter}{header_index + 1}",
                                    column_key=col.key, found=raw_name, column=col.name))

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
                                column_key=col.key, column=col.name, suggestion=hint))

    for (r0, c0), (r1, c1) in raw.merged:
        if r1 > header_index or r0 >= header_index:
            rng = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
            problems.append(problem("merged-cells", **where, cell=f"{column_letter(c0)}{r0 + 1}", range=rng))

    if raw.truncated_at:
        problems.append(problem("too-many-rows", **where, cell="", rows=raw.truncated_at,
                                limit=len(raw.rows)))

    letters = {col.key: column_letter(ci) for ci, col in mapping.items()}
    place = Place(file, raw.name, letters)
    body = rows[header_index + 1:]
    first = len(problems)
    cell_keys: list = []
    columns, rownos = _convert_columns(body, header_index + 2, mapping, where, problems, raw.date1904, cell_keys)
    cells = (first, len(problems))
    _report_bad_cells(raw.bad_cells, header_index + 1, where, problems)
    return SheetResult(columns, rownos, place, problems, header_index, cells, cell_keys)


def _convert_columns(body, first_row, mapping, where, problems, date1904=False, cell_keys=None):
    """Column-wise conversion: each distinct value of a column is converted once.

    Blank rows (every cell empty) are dropped. Problems are looked up only for the
    values whose conversion failed or needed a repair.
    """
    keep = [i for i, row in enumerate(body) if row and (row[0] != "" or row.count("") != len(row))]
    if len(keep) == len(body):  # no blank row: the usual case
        rows, rownos = body, list(range(first_row, first_row + len(body)))
    else:
        rows = [body[i] for i in keep]
        rownos = [first_row + i for i in keep]
    width = max(mapping) + 1 if mapping else 0
    if rows and min(map(len, rows)) < width:
        rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
    transposed = list(zip(*rows)) if rows else [()] * width
    columns = {}
    for ci, col in sorted(mapping.items()):
        letter = column_letter(ci)
        values = transposed[ci] if rows else ()
        if date1904 and col.kind == schema.DATE:  # bare serial numbers count from 1904-01-01
            values = tuple(v + DAYS_1900_TO_1904 if type(v) is float and 0 <= v < 80000 else v for v in values)
        converted, has_odd, has_none = _convert_column(values, col)
        columns[col.key] = converted
        odd = [i for i, v in enumerate(converted) if type(v) is Bad or type(v) is Fixed] if has_odd else ()
        for i in odd:
            result = converted[i]
            problems.append(problem(result.code, **where, cell=f"{letter}{rownos[i]}", column_key=col.key,
                                    column=col.name, **_with_defaults(result.code, result.params)))
            if cell_keys is not None:
                cell_keys.append((ci, 0, rownos[i]))
            converted[i] = result.value if type(result) is Fixed else None
        if col.required and (has_none or has_odd) and None in converted:
            hint = f"（{col.hint}）" if col.hint else ""
            failed = {i for i in odd if converted[i] is None}
            for i, v in enumerate(converted):
                if v is None and i not in failed:
                    problems.append(problem("required", **where, cell=f"{letter}{rownos[i]}",
                                            column_key=col.key, column=col.name, hint=hint))
                    if cell_keys is not None:
                        cell_keys.append((ci, 1, rownos[i]))
    return columns, rownos


_EMPTY_RESULTS = ("", ())


LONG_VALUE = 200  # characters: no number, date, code or choice is longer; free text has max_length


def _long_value(v, col):
    """A value far too long for its kind: refused before any parsing (a date followed by
    tens of thousands of spaces must not cost seconds)."""
    text = v.strip()
    if len(text) > LONG_VALUE:
        return too_long(text, LONG_VALUE)
    return CONVERTERS[col.kind](text, col)


def _convert_column(values, col):
    """(converted values, whether any is Bad or Fixed, whether any may be None)."""
    distinct = set(values)
    # True == 1.0 in a set, which keeps whichever came first: a column holding a bool is
    # converted cell by cell (a bool is in the set only as 1 or 0, when it is there at all)
    if (1 in distinct or 0 in distinct) and bool in set(map(type, values)):
        convert, guard = CONVERTERS[col.kind], col.kind != schema.TEXT
        return [_convert_one(v, col, convert, guard) for v in values], True, True
    as_is = _AS_IS.get(col.kind)
    if as_is is not None and as_is(distinct, col):
        table, same, has_odd, has_none = None, True, False, "" in distinct
    else:
        table, same, has_odd = _convert_distinct(distinct, col)
        # whether a cell reads as blank, from the distinct values (not a pass over every cell)
        has_none = None in table.values()
    if same and len(distinct) == len(values):  # each cell its own value, itself: no lookup per cell
        return ([v or None for v in values] if has_none else list(values)), False, has_none
    if table is None:  # equal cells share one value (records hold one string, not one per cell)
        table = dict(zip(distinct, distinct))
        if has_none:
            table[""] = None
    return list(map(table.__getitem__, values)), has_odd, has_none


def _convert_distinct(distinct, col):
    """({value: converted value or None}, whether every value is its own result or a blank
    '', whether any is Bad or Fixed)."""
    convert = CONVERTERS[col.kind]
    guard = col.kind != schema.TEXT  # free text has its own max_length
    table: dict = {}
    has_odd = False
    same = True
    for v in distinct:  # _convert_one, inlined: this loop runs once per distinct cell value
        if type(v) is str:
            if not v.strip():
                table[v] = None
                same = same and v == ""
                continue
            result = _long_value(v, col) if guard and len(v) > LONG_VALUE else convert(v, col)
        else:
            result = convert(v, col)
        if result is not v or not v:
            same = False
            kind = type(result)
            if kind is Bad or kind is Fixed:
                has_odd = True
            elif (kind is str or kind is tuple) and result in _EMPTY_RESULTS:
                result = None
        table[v] = result
    return table, same, has_odd


# Whole-column tests: whether every distinct value of a column is already in its final form
# (kept unchanged by its converter; '' is a blank), from a few scans of the values joined
# (C speed, no call per value). A column failing one is converted value by value.
def _texts_as_is(distinct, col) -> bool:
    """Free text as to_text keeps it: printable, within max_length, no space at either end."""
    try:
        joined = "".join(distinct)
    except TypeError:  # a number, date or bool among the texts
        return False
    if not joined.isprintable() or max(map(len, distinct), default=0) > col.max_length:
        return False
    lines = "\n".join(distinct)  # no value holds a newline: it is not printable
    return not (lines[:1] == " " or lines[-1:] == " " or " \n" in lines or "\n " in lines)


_CODE_CHARS = re.compile(r"[0-9A-Za-z_\-\n]*")
_CODE_MAX = 64  # values.to_code's fast pattern: a letter or digit, then up to 63 of [0-9A-Za-z_-]


def _codes_as_is(distinct, col) -> bool:
    """Codes as to_code's fast path keeps them: ASCII letters, digits, '_' and '-', starting
    with a letter or digit, 5 to 64 characters (so never a reserved Windows name). Bank
    account numbers: ASCII digits only (_digits_as_is)."""
    if col.key == "bank_account":
        return _digits_as_is(distinct)
    try:
        lines = "\n".join(distinct)
    except TypeError:
        return False
    if (not _CODE_CHARS.fullmatch(lines) or lines.count("\n") != len(distinct) - 1  # a newline in a value
            or lines[:1] in ("_", "-") or "\n_" in lines or "\n-" in lines):
        return False
    lengths = set(map(len, distinct))
    return max(lengths) <= _CODE_MAX and not any(0 < n < 5 for n in lengths)


_DIGIT_CELLS = re.compile(r"[0-9\n]*")


def _digits_as_is(distinct) -> bool:
    """Bank account numbers as to_code keeps them: texts of ASCII digits only (nothing to
    strip, normalise or refuse), none longer than LONG_VALUE (refused before any parsing)."""
    try:
        lines = "\n".join(distinct)
    except TypeError:  # a number among the texts: bank-as-number
        return False
    return (_DIGIT_CELLS.fullmatch(lines) is not None and lines.count("\n") == len(distinct) - 1
            and max(map(len, distinct), default=0) <= LONG_VALUE)


_IDNO_CELLS = re.compile(r"[0-9X\n]*")


def _idnos_as_is(distinct, col) -> bool:
    """Identity numbers as to_idno keeps them: 18 ASCII digits (the last may be X) that
    idcard.check_id_number finds valid (idcard.all_valid: all of them in one step)."""
    try:
        lines = "\n".join(distinct)
    except TypeError:
        return False
    if not _IDNO_CELLS.fullmatch(lines) or lines.count("\n") != len(distinct) - 1:
        return False
    numbers = distinct - {""}
    return set(map(len, numbers)) <= {18} and all_valid(numbers)


_AS_IS = {schema.TEXT: _texts_as_is, schema.CODE: _codes_as_is, schema.IDNO: _idnos_as_is}


def _convert_one(v, col, convert, guard):
    """One raw value: None when empty (or converted to nothing), else the converter's result."""
    if type(v) is str:
        if not v.strip():
            return None
        result = _long_value(v, col) if guard and len(v) > LONG_VALUE else convert(v, col)
    else:
        result = convert(v, col)
    kind = type(result)
    if kind is Bad or kind is Fixed or kind is not str and kind is not tuple:
        return result
    return None if result in _EMPTY_RESULTS else result


def _report_bad_cells(bad_cells, header_row, where, problems):
    """Formulas without a cached value and error values, anywhere below the header."""
    for ref, (code, text) in bad_cells.items():
        m = re.match(r"([A-Z]+)(\d+)$", ref)
        if not m or int(m.group(2)) <= header_row:
            continue
        key = "formula" if code == "formula-no-value" else "value"
        problems.append(problem(code, **where, cell=ref, **{key: text}))


def _with_defaults(code: str, params: dict) -> dict:
    """Fill placeholders some converters leave out (e.g. hint)."""
    if code in ("type-number", "required") and "hint" not in params:
        return {**params, "hint": ""}
    return params


__all__ = ["read_table", "SheetResult", "column_letter", "shown"]
