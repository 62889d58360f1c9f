"""References and uniqueness, driven by the schema's `ref` and `unique` marks."""

from __future__ import annotations

from .. import schema
from ..idcard import mask
from ..problems import problem

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"duplicate", "duplicate-person", "name-mismatch", "ref-missing"})

_TARGET_KEY = {}
for _book, _sheet in schema.all_sheets():
    if _sheet.key_column is not None:
        _TARGET_KEY[f"{_book.key}.{_sheet.key}"] = (_sheet.key, _sheet.key_column.key)


def check(records, ctx):
    yield from _unique(records)
    yield from _references(records)
    yield from _names(records)


def _unique(records):
    for _book, sheet in schema.all_sheets():
        if sheet.settings or sheet.key not in records.places:
            continue
        rows = getattr(records, sheet.key)
        for col in sheet.columns:
            if not col.unique:
                continue
            first: dict = {}
            for rec in rows:
                value = getattr(rec, col.key)
                if value is None:
                    continue
                if value not in first:
                    first[value] = rec
                    continue
                other = records.place(sheet.key, first[value].row, col.key)["cell"]
                where = records.place(sheet.key, rec.row, col.key)
                if col.kind == schema.IDNO:
                    yield problem("duplicate-person", **where, masked=mask(value),
                                  other=other, archive=getattr(first[value], "archive_no", ""))
                else:
                    yield problem("duplicate", **where, column=col.name, value=value, other=other)


def _references(records):
    keys: dict[str, set] = {}
    for _book, sheet in schema.all_sheets():
        if sheet.settings or sheet.key not in records.places:
            continue
        for col in sheet.columns:
            if not col.ref or col.ref not in _TARGET_KEY:
                continue
            target_sheet, target_key = _TARGET_KEY[col.ref]
            if target_sheet not in records.places:
                continue  # the missing sheet is reported already
            known = keys.get(col.ref)
            if known is None:
                known = keys[col.ref] = {getattr(r, target_key) for r in getattr(records, target_sheet)}
            target = schema.sheet(col.ref)
            target_book = schema.book(col.ref.split(".")[0])
            for rec in getattr(records, sheet.key):
                value = getattr(rec, col.key)
                if value is None or value in known:
                    continue
                yield problem("ref-missing", **records.place(sheet.key, rec.row, col.key),
                              column=col.name, value=value,
                              target=f"“{records.places[target_sheet].file or target_book.filename}”"
                                     f"的“{target.name}”工作表",
                              suggestion=_suggest(value, known, target))


def _suggest(value, known, target) -> str:
    """The closest valid names (up to three), or the whole list when it is short."""
    import difflib

    names = sorted(str(k) for k in known if k is not None)
    if not names:
        return f"“{target.name}”中还没有登记任何{target.key_column.name}，请先登记。"
    text = str(value)
    near = difflib.get_close_matches(text, names, n=3, cutoff=0.4) if len(names) < 5000 else []
    near += [n for n in names if (n in text or text in n) and n not in near][:3 - len(near)]
    if near:
        return "最接近的有：" + "、".join(f"“{n}”" for n in near) + "。"
    if len(names) <= 8:
        return "可填：" + "、".join(f"“{n}”" for n in names) + f"，或先在“{target.name}”中登记。"
    return f"请先在“{target.name}”中登记，或改正这里的填写。"


def _names(records):
    by_no = records.worker_by_no
    for p in records.payouts:
        w = by_no.get(p.archive_no)
        if w is None or not p.name or not w.name or p.name == w.name:
            continue
        yield problem("name-mismatch", **records.place("payouts", p.row, "name"), value=p.name,
                      archive=p.archive_no, expected=w.name)
