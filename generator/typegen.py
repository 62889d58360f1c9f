"""Writes generator/record_types.py, the record classes a static checker can read, from the
schema (the schema stays the one declaration; tests/test_typegen.py fails when the file is stale).

    python -m generator.typegen        # rewrite record_types.py after changing schema.py
"""

from __future__ import annotations

import json
from pathlib import Path

from . import schema

TARGET = Path(__file__).resolve().parent / "record_types.py"

CLASS_NAMES = {
    "workers": "Worker", "members": "Member", "visits": "Visit", "reviews": "Review", "payouts": "Payout",
    "batches": "Batch",
    "objections": "Objection", "funds": "Fund", "incomes": "Income", "expenses": "Expense",
    "categories": "Category", "dibao_lines": "DibaoLine", "items": "Item", "calendar": "CalendarDay",
    "reception": "Reception", "escalation": "EscalationLimit",
}

_TYPE_NAMES = {schema.INT: "int", schema.MONEY: "Decimal", schema.RATE: "Decimal", schema.DATE: "date",
               schema.BOOL: "bool", schema.MULTI: "tuple[str, ...]"}

HEADER = '''"""Record types, one frozen dataclass per sheet, and the station settings.

GENERATED from generator/schema.py by generator/typegen.py: do not edit by hand; run
`python -m generator.typegen` after changing the schema (tests/test_typegen.py checks it).
Every field is None when its cell is blank (the checks report what is required); `row` is
the record's row number in its workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
'''


def type_name(column: schema.Column) -> str:
    return _TYPE_NAMES.get(column.kind, "str")


def _record_class(book: schema.Book, sheet: schema.Sheet) -> list[str]:
    lines = ["", "", "@dataclass(frozen=True, slots=True)", f"class {CLASS_NAMES[sheet.key]}:",
             f'    """{book.filename} / {sheet.name}"""']
    for c in sheet.columns:
        lines.append(f"    {c.key}: {type_name(c)} | None = None  # {c.name}")
    lines.append("    row: int = 0")
    return lines


def _settings_class(sheet: schema.Sheet) -> list[str]:
    lines = ["", "", "@dataclass(frozen=True, slots=True)", "class Settings:",
             f'    """{sheet.name}, with the schema\'s defaults applied; `rows` maps key -> row number."""']
    for e in sheet.entries:
        if e.default is None:
            lines.append(f"    {e.key}: {type_name(e)} | None = None  # {e.name}")
        else:
            default = json.dumps(e.default, ensure_ascii=False) if isinstance(e.default, str) else repr(e.default)
            lines.append(f"    {e.key}: {type_name(e)} = {default}  # {e.name}")
    lines.append("    rows: dict[str, int] = field(default_factory=dict)")
    return lines


def source() -> str:
    lines = HEADER.splitlines()
    for book, sheet in schema.all_sheets():
        if sheet.settings:
            lines += _settings_class(sheet)
        else:
            lines += _record_class(book, sheet)
    lines += ["", "", "RECORD_CLASSES: dict[str, type] = {"]
    lines += [f'    "{s.key}": {CLASS_NAMES[s.key]},' for _, s in schema.all_sheets() if not s.settings]
    lines += ["}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    TARGET.write_text(source(), encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
