"""Turn the rows of a source table into rows of bangfu's sheets.

Values go through the same converters as `bangfu check` (full-width digits,
dates typed as text, phones stored as numbers, capitals…); what a converter
repairs or refuses is reported at the source cell. A one-sheet register with
the worker and the family members on consecutive rows is split into 困难职工 and
家庭成员; payouts find their worker's file by ID number or name. A row that
cannot be placed is reported with its source file, sheet and cell, and not
written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import schema
from ..problems import problem
from ..reading.tables import _with_defaults
from ..reading.values import CONVERTERS, Bad, Fixed, shown
from .layout import SourceTable
from .mapping import ColumnMapping

# The problem codes this module may emit (tests/test_catalogue.py checks them); the values'
# own codes come from the reader's converters.
CODES = frozenset({"import-cell-dropped", "import-row-exists", "import-row-unplaced", "import-split-failed"})
# A worker's column whose value, on a family member's row, belongs in this member column.
MEMBER_KEY = {"employer": "school_or_employer"}
HEAD_WORDS = ("户主", "本人", "职工本人", "职工", "申请人", "困难职工")


@dataclass
class NewRow:
    values: dict  # column key -> typed value (or the raw value a converter refused)
    origin: tuple[str, str, int]  # source file, sheet, row


@dataclass
class Known:
    """What the target folder (and this import so far) already holds."""
    archive_by_id: dict = field(default_factory=dict)
    archives_by_name: dict = field(default_factory=dict)
    archives: set = field(default_factory=set)
    keys: dict = field(default_factory=dict)  # sheet key -> set of row keys already there
    numbers: dict = field(default_factory=dict)  # sheet key -> set of key-column values
    last: dict = field(default_factory=dict)  # generated-number prefix -> last number given

    @classmethod
    def of(cls, records) -> Known:
        known = cls()
        for w in records.workers:
            known.add_worker(w.archive_no, w.id_number, w.name)
        for sheet in PLAIN_KEYED:
            for rec in getattr(records, sheet.key):
                known.keys.setdefault(sheet.key, set()).add(row_key(sheet, vars_of(rec)))
                if sheet.key_column is not None:
                    known.numbers.setdefault(sheet.key, set()).add(getattr(rec, sheet.key_column.key))
        return known

    def add_worker(self, archive, idno, name) -> None:
        if archive:
            self.archives.add(archive)
        if idno:
            self.archive_by_id[idno] = archive
        if name:
            self.archives_by_name.setdefault(name, set()).add(archive)

    def next_number(self, sheet_key: str, prefix: str) -> str:
        taken = self.archives if sheet_key == "workers" else self.numbers.setdefault(sheet_key, set())
        n = self.last.get(prefix)
        if n is None:  # once per prefix: the highest number already used
            n = max((int(t[len(prefix):]) for t in taken if isinstance(t, str) and t.startswith(prefix)
                     and t[len(prefix):].isdigit()), default=0)
        n += 1
        while f"{prefix}{n:04d}" in taken:
            n += 1
        self.last[prefix] = n
        number = f"{prefix}{n:04d}"
        taken.add(number)
        return number


PLAIN_KEYED = [s for _, s in schema.all_sheets() if not s.settings and s.key != "workers"]
GENERATED_PREFIX = {"workers": "DA-", "payouts": "DF-", "objections": "DY-"}
# what makes two rows "the same row" when an import is run again
ROW_KEYS = {"members": ("archive_no", "name"), "payouts": ("archive_no", "item", "paid", "applied", "amount"),
            "visits": ("archive_no", "date", "kind")}


def vars_of(rec) -> dict:
    return {k: getattr(rec, k) for k in rec.__slots__ if k != "row"}


def row_key(sheet: schema.Sheet, values: dict):
    keys = ROW_KEYS.get(sheet.key)
    if keys is None and sheet.key_column is not None:
        keys = (sheet.key_column.key,)
    if keys is None:
        keys = tuple(c.key for c in sheet.columns)
    return tuple(values.get(k) for k in keys)


@dataclass
class Placed:
    rows: dict = field(default_factory=dict)  # sheet key -> [NewRow]
    problems: list = field(default_factory=list)
    ignored: int = 0  # totals and note rows
    skipped: int = 0  # rows already imported before

    def add(self, sheet_key: str, row: NewRow) -> None:
        self.rows.setdefault(sheet_key, []).append(row)


class _Converter:
    def __init__(self, file: str, table: SourceTable, placed: Placed):
        self.file, self.table, self.placed = file, table, placed

    def value(self, row: list, rowno: int, index: int, column: schema.Column):
        raw = row[index] if index < len(row) else ""
        if raw in ("", None) or (isinstance(raw, str) and not raw.strip()):
            return None
        result = CONVERTERS[column.kind](raw, column)
        if type(result) is Bad or type(result) is Fixed:
            from ..reading.tables import column_letter

            self.placed.problems.append(problem(
                result.code, file=self.file, sheet=self.table.sheet,
                cell=f"{column_letter(index)}{rowno}", column=column.name,
                **_with_defaults(result.code, result.params)))
            return result.value if type(result) is Fixed else raw
        return None if result in ("", ()) else result

    def unplaced(self, rowno: int, reason: str, index: int = 0) -> None:
        from ..reading.tables import column_letter

        self.placed.problems.append(problem("import-row-unplaced", file=self.file, sheet=self.table.sheet,
                                            cell=f"{column_letter(index)}{rowno}", line=rowno,
                                            reason=reason))


def _values(conv: _Converter, row, rowno, columns: dict) -> dict:
    out = {}
    for index, column in columns.items():
        value = conv.value(row, rowno, index, column)
        if value is not None:
            out[column.key] = value
    return out


def place(file: str, table: SourceTable, mappings: list[ColumnMapping], known: Known) -> Placed:
    placed = Placed(ignored=len(table.ignored))
    conv = _Converter(file, table, placed)
    by_sheet: dict[str, dict] = {}
    for m in mappings:
        if m.target is not None:
            by_sheet.setdefault(m.target.sheet.key, {})[m.source.index] = m.target.column
    if not by_sheet:
        return placed
    if "workers" in by_sheet and not ({"payouts", "visits"} & set(by_sheet)):
        _place_register(conv, table, by_sheet.get("workers", {}), by_sheet.get("members", {}), known)
    elif {"payouts", "visits"} & set(by_sheet):
        key = "payouts" if "payouts" in by_sheet else "visits"
        _place_linked(conv, table, schema.sheet(f"{'aid' if key == 'payouts' else 'register'}.{key}"),
                      by_sheet[key], by_sheet.get("workers", {}), known)
    else:
        for key, columns in by_sheet.items():
            sheet = next(s for s in PLAIN_KEYED if s.key == key)
            _place_plain(conv, table, sheet, columns, known)
    return placed


def _first_index(columns: dict, key: str, default: int = 0) -> int:
    return next((i for i, c in columns.items() if c.key == key), default)


def _place_register(conv, table, worker_cols, member_cols, known):
    """Workers, and family members on the rows below each worker where the layout says so."""
    member_names = any(c.key == "name" for c in member_cols.values())
    relation = _first_index(member_cols, "relation", -1)
    member_keys = {m.key for m in schema.MEMBERS.columns}
    shared = {i: schema.MEMBERS.column(MEMBER_KEY.get(c.key, c.key)) for i, c in worker_cols.items()
              if MEMBER_KEY.get(c.key, c.key) in member_keys and c.key != "archive_no"}
    worker_only = {i: c for i, c in worker_cols.items() if i not in shared}
    if member_cols and not member_names and relation < 0:
        at = min(member_cols)
        conv.placed.problems.append(problem(
            "import-split-failed", file=conv.file, sheet=table.sheet,
            cell=f"{_letter(at)}{table.header_rows[1]}", column=next(iter(member_cols.values())).name))
        member_cols = {}
    household = None  # (archive number, skipped?) of the worker the next member rows belong to
    def filled(row, cols):
        return any(i < len(row) and row[i] not in ("", None) for i in cols)

    for rowno, row in table.rows:
        if member_names:  # group layout: worker columns filled only on the worker's first row
            is_head = filled(row, worker_cols)
            has_member = filled(row, member_cols)
        elif relation >= 0:  # one set of columns; 与户主关系 tells the worker from the family
            text = str(row[relation]).strip() if relation < len(row) else ""
            is_head = text in HEAD_WORDS or text == ""
            has_member = not is_head
        else:
            is_head, has_member = True, False
        if not is_head and not has_member:
            _nothing_to_place(conv, row, rowno)
            continue
        if is_head:
            household = _place_worker(conv, row, rowno, worker_cols, known)
        if has_member:
            if household is None:
                conv.unplaced(rowno, "这一行是家庭成员，但上方没有户主（困难职工）行，不知道属于哪一户",
                              relation if relation >= 0 else min(member_cols))
                continue
            archive, skip = household
            if skip:
                conv.placed.skipped += 1
                continue
            cols = dict(member_cols) if member_names else {**shared, **member_cols}
            if not member_names:  # a worker's column filled on a family row has no place to go
                for i, column in worker_only.items():
                    if i < len(row) and row[i] not in ("", None):
                        conv.placed.problems.append(problem(
                            "import-cell-dropped", file=conv.file, sheet=table.sheet,
                            cell=f"{_letter(i)}{rowno}", column=column.name, value=shown(row[i])))
            values = _values(conv, row, rowno, cols)
            values.pop("archive_no", None)
            values = {"archive_no": archive, **values}
            if not values.get("name"):
                conv.unplaced(rowno, "家庭成员没有姓名", _first_index(cols, "name"))
                continue
            conv.placed.add("members", NewRow(values, (conv.file, table.sheet, rowno)))


def _place_worker(conv, row, rowno, worker_cols, known):
    values = _values(conv, row, rowno, worker_cols)
    name_at = _first_index(worker_cols, "name")
    if not values.get("name") and not values.get("id_number"):
        conv.unplaced(rowno, "没有姓名和身份证号，无法建档", name_at)
        return None
    idno = values.get("id_number") if isinstance(values.get("id_number"), str) else None
    same = known.archive_by_id.get(idno) if idno else None
    if same is None and not idno:  # no usable ID number: the same 档案编号, or the only one of that name
        if values.get("archive_no") in known.archives:
            same = values["archive_no"]
        elif len(known.archives_by_name.get(values.get("name"), ())) == 1:
            same = next(iter(known.archives_by_name[values["name"]]))
    if same is not None:
        archive = same
        conv.placed.skipped += 1
        conv.placed.problems.append(problem(
            "import-row-exists", file=conv.file, sheet=conv.table.sheet,
            cell=f"{_letter(_first_index(worker_cols, 'id_number'))}{rowno}",
            line=rowno, archive=archive))
        return archive, True
    archive = values.get("archive_no")
    if not archive or archive in known.archives:
        if archive:
            conv.unplaced(rowno, f"档案编号“{archive}”已被使用", _first_index(worker_cols, "archive_no"))
            return None
        archive = known.next_number("workers", GENERATED_PREFIX["workers"])
        values = {"archive_no": archive, **values}
    known.add_worker(archive, idno, values.get("name"))
    conv.placed.add("workers", NewRow(values, (conv.file, conv.table.sheet, rowno)))
    return archive, False


def _nothing_to_place(conv, row, rowno) -> None:
    first = next(i for i, v in enumerate(row) if v not in ("", None))  # table rows are never blank
    conv.unplaced(rowno, "这一行只在没有导入的列中有内容", first)


def _letter(index: int) -> str:
    from ..reading.tables import column_letter

    return column_letter(index)


def _place_linked(conv, table, sheet, columns, worker_cols, known):
    """Payouts or visits: each row finds its worker's file by 档案编号, ID number or name."""
    seen = known.keys.setdefault(sheet.key, set())
    for rowno, row in table.rows:
        values = _values(conv, row, rowno, columns)
        link = _values(conv, row, rowno, {i: c for i, c in worker_cols.items() if c.key in ("id_number", "name")})
        archive = values.get("archive_no")
        if archive is None and isinstance(link.get("id_number"), str):
            archive = known.archive_by_id.get(link["id_number"])
        name = values.get("name") or link.get("name")
        if archive is None and name:
            found = known.archives_by_name.get(name, set())
            archive = next(iter(found)) if len(found) == 1 else None
        at = _first_index(worker_cols, "id_number", _first_index(columns, "archive_no"))
        if archive is None:
            who = f"“{name}”" if name else "这一行的人"
            conv.unplaced(rowno, f"找不到{who}的困难职工档案（按档案编号、身份证号和姓名都没有找到）。"
                                 "请先导入或登记该职工的档案", at)
            continue
        if archive not in known.archives:
            conv.unplaced(rowno, f"档案编号“{archive}”不在困难职工档案中", at)
            continue
        values["archive_no"] = archive
        if sheet.key == "payouts" and name and "name" not in values:
            values["name"] = name
        key = row_key(sheet, values)
        if key in seen:
            conv.placed.skipped += 1
            conv.placed.problems.append(problem("import-row-exists", file=conv.file, sheet=table.sheet,
                                                cell=f"A{rowno}", line=rowno, archive=archive))
            continue
        seen.add(key)
        if sheet.key_column is not None and not values.get(sheet.key_column.key):
            values = {sheet.key_column.key: known.next_number(sheet.key, GENERATED_PREFIX[sheet.key]),
                      **values}
        conv.placed.add(sheet.key, NewRow(values, (conv.file, table.sheet, rowno)))


def _place_plain(conv, table, sheet, columns, known):
    seen = known.keys.setdefault(sheet.key, set())
    for rowno, row in table.rows:
        values = _values(conv, row, rowno, columns)
        if not values:
            _nothing_to_place(conv, row, rowno)
            continue
        key = row_key(sheet, values)
        if key in seen:
            conv.placed.skipped += 1
            continue
        seen.add(key)
        conv.placed.add(sheet.key, NewRow(values, (conv.file, table.sheet, rowno)))


__all__ = ["Known", "NewRow", "Placed", "place"]
