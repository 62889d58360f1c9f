"""`bangfu import OLD_FILE... --into FOLDER`: move a station's existing registers into bangfu.

    outcome = import_registers([Path("老台账.xls")], Path("我的站点"), write=True)
    outcome.mappings, outcome.counts, outcome.problems, outcome.written

Stages: read each source (.xlsx/.xls/.ods, never written), find the table of
each sheet (layout), map its columns to bangfu's schema (mapping; the clerk's
corrections in the mapping sheet win), place the rows (place: values through
the checker's converters, one-sheet registers split into workers and family
members, payouts linked to files), then write (write). Faults in the sources are
problems naming the source file, sheet and cell.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import schema
from ..problems import Problem, problem, sort_key
from ..reading import read_records
from ..reading.xlsxfile import OTHER_FORMATS, READABLE, Unreadable, read_book, read_other_book
from .layout import find_table
from .mapping import (
    KNOWN,
    MAPPING_SHEET,
    ColumnMapping,
    propose,
    read_mapping_sheet,
    write_mapping_sheet,
)
from .place import Known, place
from .write import write_rows

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"import-column-unmapped", "import-mapping-invalid", "import-sheet-skipped",
                   "import-source-unreadable"})
REFUSED = {k: v for k, v in OTHER_FORMATS.items() if v}  # .et/.csv: the reader's refusal text
SHEET_ORDER = {s.key: i for i, (_, s) in enumerate(schema.all_sheets())}


@dataclass
class ImportOutcome:
    mappings: list[ColumnMapping] = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # sheet name -> rows imported
    problems: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    mapping_path: Path | None = None
    mapping_from_sheet: bool = False  # the clerk's mapping sheet was used
    ignored: int = 0  # totals and note rows left out
    skipped: int = 0  # rows already in the workbooks

    @property
    def refused(self) -> bool:
        """Nothing may be written: a source is unreadable or the mapping sheet is wrong."""
        return any(p.code in ("import-source-unreadable", "import-mapping-invalid") for p in self.problems)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _read_source(path: Path, outcome: ImportOutcome):
    suffix = path.suffix.lower()
    try:
        if suffix in REFUSED:
            raise Unreadable(REFUSED[suffix])
        if not path.is_file():
            outcome.problems.append(problem("import-source-unreadable", file=path.name,
                                            detail="找不到这个文件（或它是一个文件夹）。请检查文件名和路径。"))
            return None
        return read_other_book(path) if suffix in READABLE else read_book(path)
    except Unreadable as err:
        if err.code == "file-old-excel":  # an .xls under another name
            try:
                return read_other_book(path)
            except Unreadable as again:
                err = again
        detail = problem(err.code, file=path.name, **_params(err, path.stem + ".xlsx")).message
        outcome.problems.append(problem("import-source-unreadable", file=path.name, detail=detail))
        return None


def _params(err: Unreadable, expected: str) -> dict:
    from ..reading import _placeholders

    params = {"expected": expected, "detail": "", "limit": "", **err.params}
    return {k: v for k, v in params.items() if k in _placeholders(err.code)}


def import_registers(sources: list[Path], into: Path, write: bool = True,
                     mapping_path: Path | None = None, write_mapping: bool = True) -> ImportOutcome:
    """Read the sources, propose or apply the mapping, place the rows; write when asked
    (the workbooks when `write`, the mapping sheet when `write_mapping`)."""
    into = Path(into)
    mapping_path = Path(mapping_path) if mapping_path else into / schema.IMPORT_MAPPING_FILE
    outcome = ImportOutcome(mapping_path=mapping_path)
    targets = [into / b.filename for b in schema.BOOKS] + [mapping_path]
    readable = []
    for source in map(Path, sources):
        if any(_same(source, t) for t in targets):
            outcome.problems.append(problem("import-source-unreadable", file=source.name,
                                            detail="它就是要写入的目标文件。请把原有的表放在目标文件夹之外。"))
        else:
            readable.append(source)
    chosen, bad = read_mapping_sheet(mapping_path) if mapping_path.exists() else ({}, [])
    outcome.mapping_from_sheet = bool(chosen)
    for row, value, why in bad:
        if row:
            outcome.problems.append(problem("import-mapping-invalid", file=mapping_path.name,
                                            sheet=MAPPING_SHEET, cell=f"F{row}", value=value))
        else:  # the whole mapping sheet cannot be used
            detail = (f"其中没有名为“{MAPPING_SHEET}”的工作表" if why == "no-sheet" else
                      problem(why, file=mapping_path.name, **_params(Unreadable(why), mapping_path.name)).message)
            outcome.problems.append(problem("import-source-unreadable", file=mapping_path.name,
                                            detail=detail.rstrip("。") + "。请改正，或删除它让 bangfu 重新生成。"))
    existing = read_records(into).records if into.is_dir() else None
    known = Known.of(existing) if existing is not None else Known()
    placed_rows: dict = {}
    for source in readable:
        raw = _read_source(source, outcome)
        if raw is None:
            continue
        tables = 0
        for sheet in raw.sheets.values():
            table = find_table(sheet, KNOWN)
            if table is None:
                blank = not any(v not in ("", None) for row in sheet.rows[:50] for v in row)
                if not blank or (tables == 0 and sheet is list(raw.sheets.values())[-1]):
                    outcome.problems.append(problem("import-sheet-skipped", file=source.name,
                                                    sheet=sheet.name))
                continue
            tables += 1
            mappings = propose(source.name, table)
            _apply_choices(mappings, chosen)
            outcome.mappings.extend(mappings)
            _report_unmapped(source.name, table, mappings, outcome)
            placed = place(source.name, table, mappings, known)
            outcome.problems.extend(placed.problems)
            outcome.ignored += placed.ignored
            outcome.skipped += placed.skipped
            for key, rows in placed.rows.items():
                placed_rows.setdefault(key, []).extend(rows)
    for key in sorted(placed_rows, key=SHEET_ORDER.get):
        outcome.counts[next(s.name for _, s in schema.all_sheets() if s.key == key)] = len(placed_rows[key])
    outcome.problems.sort(key=sort_key)
    if outcome.refused:
        return outcome
    if outcome.mappings and write_mapping:
        into.mkdir(parents=True, exist_ok=True)
        write_mapping_sheet(mapping_path, outcome.mappings)
    if write and placed_rows:
        outcome.written = write_rows(into, placed_rows, _lists(existing, placed_rows))
    return outcome


def _apply_choices(mappings: list[ColumnMapping], chosen: dict) -> None:
    for m in mappings:
        choice = chosen.get((m.file, m.sheet, m.source.letter, m.source.name))
        if choice is None:
            continue
        m.from_sheet = True
        if choice.target != m.target:
            m.target = choice.target
            m.note = "按导入对照表" if choice.target else "导入对照表中选了不导入"
    taken: dict[tuple, str] = {}
    for m in mappings:  # the clerk's sheet may name one target twice: the first wins
        if m.target is None:
            continue
        key = (m.file, m.sheet, m.target.label)
        if key in taken:
            m.target, m.note = None, f"与 {taken[key]} 列重复，未导入"
        else:
            taken[key] = m.source.letter


def _report_unmapped(file: str, table, mappings, outcome: ImportOutcome) -> None:
    from ..reading.tables import column_letter

    top = table.header_rows[0]
    by_index = {m.source.index: m for m in mappings}
    for m in mappings:
        if m.target is None and m.note and not m.note.startswith("序号") and _has_data(table, m.source.index):
            outcome.problems.append(problem("import-column-unmapped", file=file, sheet=table.sheet,
                                            cell=f"{m.source.letter}{top}", column=m.source.name,
                                            reason=m.note))
    for index in table.unlabelled:
        if index not in by_index:
            outcome.problems.append(problem("import-column-unmapped", file=file, sheet=table.sheet,
                                            cell=f"{column_letter(index)}{top}", column="（无列名）",
                                            reason="这一列有内容但没有列名"))


def _has_data(table, index: int) -> bool:
    return any(index < len(row) and row[index] not in ("", None) for _, row in table.rows)


def _lists(existing, placed_rows) -> dict:
    """Drop-down lists for new workbooks: what the target folder declares plus what is imported."""
    from ..templates import example_lists, reference_lists

    lists = dict(example_lists())
    if existing is not None:
        lists.update({k: v for k, v in reference_lists(existing).items() if v})
    for book, sheet in schema.all_sheets():
        key = sheet.key_column
        if key is not None and placed_rows.get(sheet.key):
            ref = f"{book.key}.{sheet.key}"
            lists[ref] = tuple(dict.fromkeys([*lists.get(ref, ()),
                                              *(r.values.get(key.key) for r in placed_rows[sheet.key])]))
    return lists


__all__ = ["ImportOutcome", "import_registers"]
