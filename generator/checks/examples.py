"""The example rows and example station settings that `bangfu init` writes are still there.

They pass every other rule (they are a valid tiny station), so without this a clerk who
forgot to delete them would publish 张晓明 and 某某镇 as the station's data. `check` warns;
`build` refuses to publish while any is left (see EXAMPLE_CODES)."""

from __future__ import annotations

from datetime import date, datetime
from operator import attrgetter

from .. import schema
from ..problems import problem

# The problem codes this module may emit (tests/test_catalogue.py checks them); build refuses on any.
CODES = frozenset({"example-row", "example-settings"})
EXAMPLE_CODES = CODES
# Settings whose example can never be a real station's value
SETTINGS_KEYS = ("station_name", "address")
# A row is the example only when at least this many example values all match.
MIN_COLUMNS = 3
# Only the station's own records: an example row of the policy tables (a holiday on 1 January,
# the national 深度困难 category, a 2024 低保标准) may well be the station's real data.
RECORD_SHEETS = ("workers", "members", "visits", "payouts", "batches", "objections", "funds", "incomes",
                 "expenses")
# each row is judged alone (checks.CheckCache.by_worker)
BY_WORKER = True


def _same(value, example) -> bool:
    if example == "":  # an example left empty on purpose
        return value in (None, "")
    if isinstance(value, (tuple, list)):  # multi-choice columns read as tuples
        value = "、".join(str(v) for v in value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(example, date) or isinstance(value, date):
        return value == example
    return value == example or str(value).strip() == str(example).strip()


def _matcher(example):
    """_same(value, example) as a one-argument test, quicker for text against a text example
    (most rows differ from the example in their first column)."""
    if type(example) is not str or example == "":
        return lambda value: _same(value, example)
    stripped = example.strip()
    return lambda value: (value == example or value.strip() == stripped) if type(value) is str \
        else _same(value, example)


def check(records, ctx):
    for _, sheet in schema.all_sheets():
        if sheet.key not in RECORD_SHEETS:
            continue
        columns = [c for c in sheet.columns if c.example is not None]
        if len(columns) < MIN_COLUMNS:  # too few to tell the example from a real row
            continue
        first, rest = columns[0], columns[1:]
        hit = _matcher(first.example)
        rows = getattr(records, sheet.key, ())
        if not any(map(hit, set(map(attrgetter(first.key), rows)))):
            continue  # no row has the example's first value: judged once per distinct value
        for rec in rows:
            value = getattr(rec, first.key, None)
            if hit(value) and all(_same(getattr(rec, c.key, None), c.example) for c in rest):
                yield problem("example-row", **records.place(sheet.key, rec.row, first.key),
                              what=f"{first.name} {first.example}")
    settings = records.settings
    if settings is None:
        return
    for entry in schema.SETTINGS.entries:
        if entry.key in SETTINGS_KEYS and entry.example is not None \
                and _same(getattr(settings, entry.key, None), entry.example):
            row = settings.rows.get(entry.key, 0)
            place = records.place("settings", row, "")
            if row:
                place["cell"] = f"B{row}"
            yield problem("example-settings", **place, entry=entry.name, value=entry.example)
