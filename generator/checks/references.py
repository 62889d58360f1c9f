"""References and uniqueness, driven by the schema's `ref` and `unique` marks."""

from __future__ import annotations

from operator import attrgetter

from .. import schema
from ..idcard import mask
from ..problems import problem

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"duplicate", "duplicate-person", "name-mismatch", "ref-missing"})

_TARGET_KEY = {}
for _book, _sheet in schema.all_sheets():
    if _sheet.key_column is not None:
        _TARGET_KEY[f"{_book.key}.{_sheet.key}"] = (_sheet.key, _sheet.key_column.key)


def _payout_columns() -> tuple[str, ...]:
    """The columns of the payouts this module reads: the unique and referring ones (the schema
    marks them), the key when another sheet refers to the payouts, the name (_names), the row."""
    found = {"row", "archive_no", "name"}
    for book, sheet in schema.all_sheets():
        if sheet.key == "payouts":
            found |= {c.key for c in sheet.columns if c.unique or c.ref}
            if sheet.key_column is not None and any(c.ref == f"{book.key}.payouts" for _, other in schema.all_sheets()
                                                    for c in other.columns):
                found.add(sheet.key_column.key)
    return tuple(sorted(found))


# the columns of the payouts it reads (CheckCache keeps its problems while these are unchanged,
# so an edited payout amount does not run it again); every other table is read whole
COLUMNS = {"payouts": _payout_columns()}


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
            values = list(map(attrgetter(col.key), rows))
            distinct = set(values)
            if len(distinct) + max(values.count(None) - 1, 0) == len(values):
                continue  # no value twice: nothing to report
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
    names: dict[str, _Names] = {}  # the same per reference target, sorted once
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
                names[col.ref] = _Names(known)
            target = schema.sheet(col.ref)
            target_book = schema.book(col.ref.split(".")[0])
            rows = getattr(records, sheet.key)
            unknown = set(map(attrgetter(col.key), rows)) - known
            unknown.discard(None)
            if not unknown:
                continue  # every reference found: no row to look at
            for rec in rows:
                value = getattr(rec, col.key)
                if value is None or value not in unknown:
                    continue
                yield problem("ref-missing", **records.place(sheet.key, rec.row, col.key),
                              column=col.name, value=value,
                              target=f"“{records.places[target_sheet].file or target_book.filename}”"
                                     f"的“{target.name}”工作表",
                              suggestion=_suggest(value, names[col.ref], target))


class _Names:
    """The valid names of one reference target, sorted, with a fast way to find those that
    contain a text or are contained in it (a station may have 20,000 archive numbers and a
    messy register thousands of references to look up)."""

    def __init__(self, known):
        self.sorted = sorted(str(k) for k in known if k is not None)
        self.known = set(self.sorted)
        self.longest = max(map(len, self.sorted), default=0)
        self.joined = "\0".join(self.sorted)
        self.starts = [0]
        for n in self.sorted[:-1]:
            self.starts.append(self.starts[-1] + len(n) + 1)

    def related(self, text: str) -> list[str]:
        """Names that contain `text` or are contained in it, in sorted order."""
        if not text or "\0" in text:
            return [n for n in self.sorted if n in text or text in n]
        from bisect import bisect_right

        longest = min(len(text), self.longest)
        found = {text[i:i + k] for i in range(len(text)) for k in range(1, longest + 1)} & self.known
        at = self.joined.find(text)
        while at >= 0:
            found.add(self.sorted[bisect_right(self.starts, at) - 1])
            at = self.joined.find(text, at + 1)
        return sorted(found)


def _suggest(value, names: _Names, target) -> str:
    """The closest valid names (up to three), or the whole list when it is short."""
    import difflib

    if not names.sorted:
        return f"“{target.name}”中还没有登记任何{target.key_column.name}，请先登记。"
    text = str(value)
    near = difflib.get_close_matches(text, names.sorted, n=3, cutoff=0.4) if len(names.sorted) < 5000 else []
    near += [n for n in names.related(text) if n not in near][:3 - len(near)]
    if near:
        return "最接近的有：" + "、".join(f"“{n}”" for n in near) + "。"
    if len(names.sorted) <= 8:
        return "可填：" + "、".join(f"“{n}”" for n in names.sorted) + f"，或先在“{target.name}”中登记。"
    return f"请先在“{target.name}”中登记，或改正这里的填写。"


def _names(records):
    by_no = records.worker_by_no
    pairs = set(zip(map(attrgetter("archive_no"), records.payouts), map(attrgetter("name"), records.payouts)))
    if all(not name or (w := by_no.get(no)) is None or not w.name or name == w.name for no, name in pairs):
        return  # every payout's name is its worker's (or one of them is blank): the usual case
    for p in records.payouts:
        w = by_no.get(p.archive_no)
        if w is None or not p.name or not w.name or p.name == w.name:
            continue
        yield problem("name-mismatch", **records.place("payouts", p.row, "name"), value=p.name,
                      archive=p.archive_no, expected=w.name)
