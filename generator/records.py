"""Typed records: one class per sheet (record_types.py, generated from the schema).

Each record carries `row`, its row number in the workbook, so that a check can
name the cell (`Records.place`). `Records` holds every table of a station plus
the settings and the place of each sheet and column.
"""

from __future__ import annotations

import copyreg
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from operator import attrgetter
from pathlib import Path

from . import schema
from .record_types import (
    RECORD_CLASSES,
    Batch,
    CalendarDay,
    Category,
    DibaoLine,
    EscalationLimit,
    Expense,
    Fund,
    Income,
    Item,
    Member,
    Objection,
    Payout,
    Reception,
    Review,
    Settings,
    Visit,
    Worker,
)

__all__ = ["RECORD_CLASSES", "Batch", "CalendarDay", "Category", "DibaoLine", "EscalationLimit", "Expense", "Fund",
           "Income", "Item",
           "Member", "Objection", "Payout", "Place", "Reception", "Records", "Review", "Settings", "Visit",
           "Worker", "per_capita", "is_void", "Figures", "maker", "pickle_reducers"]


def pickle_reducers(*extra: type) -> dict:
    """A pickle dispatch table with every record class (and the `extra` dataclasses) pickled as
    (class, field values) through a C attribute getter: several times faster than the dataclass
    default, which matters for 100,000 payouts (the private fingerprints, the read store, the
    county cache). A class that cls(*values) would not rebuild is left to the default."""
    table = dict(copyreg.dispatch_table)
    for cls in (*RECORD_CLASSES.values(), *extra):
        found = fields(cls)
        if len(found) < 2 or not all(f.init for f in found) or hasattr(cls, "__post_init__"):
            continue
        getter = attrgetter(*(f.name for f in found))
        table[cls] = lambda obj, cls=cls, getter=getter: (cls, getter(obj))  # type: ignore[misc]
    return table


@cache
def maker(cls: type) -> type:
    """A callable taking every field of the frozen slots dataclass `cls` positionally (in
    field order) and returning a `cls` instance equal to `cls(*values)`, about five times
    faster: a frozen dataclass's __init__ sets each field through object.__setattr__, which
    for the 40 fields of a register row and 100,000 payouts is most of building the records.
    The maker is a mutable class with the same slots, whose __init__ stores the fields
    directly and then makes the object a `cls` (same layout, so __class__ may be assigned);
    from then on it is frozen like any other. Where that is refused, it is `cls` itself."""
    try:
        names = [f.name for f in fields(cls)]
    except TypeError:  # not a dataclass
        return cls
    if tuple(getattr(cls, "__slots__", ())) != tuple(names) or not all(n.isidentifier() for n in names):
        return cls
    source = (f"def __init__(self, {', '.join(names)}):\n"
              + "".join(f"    self.{n} = {n}\n" for n in names) + "    self.__class__ = cls\n")
    namespace: dict = {}
    exec(source, {"cls": cls}, namespace)  # noqa: S102 - field names of our own dataclass
    twin = type(f"_Make{cls.__name__}", (), {"__slots__": tuple(names), "__init__": namespace["__init__"]})
    try:
        probe = twin(*([None] * len(names)))
    except TypeError:  # a layout __class__ assignment does not accept
        return cls
    return twin if type(probe) is cls and probe == cls(*([None] * len(names))) else cls


@dataclass(frozen=True, slots=True)
class Place:
    """Where a sheet was read from and which letter each column had."""
    file: str
    sheet: str
    letters: dict[str, str]  # column key -> column letter


@dataclass
class Records:
    folder: Path
    settings: Settings = field(default_factory=Settings)
    workers: list[Worker] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    payouts: list[Payout] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    reception: list[Reception] = field(default_factory=list)
    funds: list[Fund] = field(default_factory=list)
    incomes: list[Income] = field(default_factory=list)
    expenses: list[Expense] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    dibao_lines: list[DibaoLine] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    calendar: list[CalendarDay] = field(default_factory=list)
    escalation: list[EscalationLimit] = field(default_factory=list)
    places: dict[str, Place] = field(default_factory=dict)  # sheet key -> Place

    def place(self, sheet_key: str, row: int = 0, column_key: str = "") -> dict:
        """file/sheet/cell/row/column_key keyword arguments for problems.problem(). The cell is
        the A1 reference when the column was found in the sheet; a row problem without a column
        points at column A; without a row there is no cell."""
        pl = self.places.get(sheet_key)
        if pl is None:
            sh = _SHEETS[sheet_key]
            return {"file": _BOOK_OF[sheet_key].filename, "sheet": sh.name, "cell": "", "row": row,
                    "column_key": column_key}
        letter = pl.letters.get(column_key, "") if column_key else "A"
        cell = f"{letter}{row}" if row and letter else ""
        return {"file": pl.file, "sheet": pl.sheet, "cell": cell, "row": row, "column_key": column_key}

    # indices ------------------------------------------------------------
    @cached_property
    def worker_by_no(self) -> dict:
        return {w.archive_no: w for w in self.workers}

    @cached_property
    def item_by_name(self) -> dict:
        return {i.name: i for i in self.items}

    @cached_property
    def fund_by_name(self) -> dict:
        return {f.name: f for f in self.funds}

    @cached_property
    def batch_by_no(self) -> dict:
        return {b.batch_no: b for b in self.batches}

    @cached_property
    def category_by_name(self) -> dict:
        return {c.name: c for c in self.categories}

    @cached_property
    def members_by_worker(self) -> dict:
        out: dict = {}
        for m in self.members:
            out.setdefault(m.archive_no, []).append(m)
        return out

    @cached_property
    def payouts_by_worker(self) -> dict:
        out: dict = {}
        for p in self.payouts:
            out.setdefault(p.archive_no, []).append(p)
        return out

    @cached_property
    def visits_by_worker(self) -> dict:
        out: dict = {}
        for v in self.visits:
            out.setdefault(v.archive_no, []).append(v)
        return out

    @cached_property
    def reviews_by_worker(self) -> dict:
        """archive number -> reviews in date order (undated ones left out)."""
        out: dict = {}
        for r in sorted((r for r in self.reviews if r.date), key=lambda r: (r.date, r.row)):
            out.setdefault(r.archive_no, []).append(r)
        return out

    def review_at(self, worker, day: date | None) -> Review | None:
        """The annual review whose figures are valid on `day`: the latest one on or before it;
        None without one (or without a day): then the register's own figures (those at 建档)
        are. The one place of this rule (figures_at, the reports' category on a day)."""
        chosen = None
        if day is not None:
            for r in self.reviews_by_worker.get(worker.archive_no, ()):
                if r.date <= day:
                    chosen = r
        return chosen

    def figures_at(self, worker, day: date | None) -> Figures:
        """The household figures valid on `day`: those of review_at(worker, day), else the
        register's own figures (those at 建档)."""
        chosen = self.review_at(worker, day)
        rec = chosen if chosen is not None else worker
        kept = self._figures.get(id(rec))
        if kept is None or kept[0] is not rec:  # worked out once per review or register row
            kept = self._figures[id(rec)] = (rec, Figures.of(rec, chosen is not None))
        return kept[1]

    @cached_property
    def _figures(self) -> dict:
        return {}

    def current_figures(self, worker) -> Figures:
        """The latest figures on file: the last review, else the register's (then assessed
        on 最近复核日期 when filled: a station without review rows updates the register)."""
        history = self.reviews_by_worker.get(worker.archive_no)
        if history:
            return Figures.of(history[-1], True)
        figures = Figures.of(worker, False)
        return replace(figures, date=worker.reviewed or figures.date)

    @cached_property
    def live_payouts(self) -> list:
        """Payouts that count: neither rejected (不予批准) nor cancelled (已撤销)."""
        return [p for p in self.payouts if not is_void(p)]

    @cached_property
    def payouts_by_batch(self) -> dict:
        return _group(self.payouts, "batch")

    @cached_property
    def workers_by_batch(self) -> dict:
        return _group(self.workers, "batch")

    @cached_property
    def workers_by_close_batch(self) -> dict:
        return _group(self.workers, "close_batch")

    @cached_property
    def objections_by_worker(self) -> dict:
        return _group(self.objections, "archive_no")

    @cached_property
    def objections_by_batch(self) -> dict:
        return _group(self.objections, "batch")

    @cached_property
    def redisclosures(self) -> dict:
        """original batch number -> the batches that re-disclose it."""
        return _group(self.batches, "original")

    @cached_property
    def _dibao_by_year(self) -> list:
        return sorted((d.year, d.amount) for d in self.dibao_lines if d.year and d.amount)

    def dibao_line(self, year: int) -> Decimal | None:
        """The 低保 line of exactly that year; None when the station has not entered it
        (the checker reports the missing year: never silently another year's line)."""
        for y, amount in self._dibao_by_year:
            if y == year:
                return amount
        return None

    def latest_dibao_line(self, year: int) -> tuple[int, Decimal] | None:
        """(year, amount) of the newest line entered for `year` or before, for showing
        with its own year when the current one is not entered yet."""
        best = None
        for y, amount in self._dibao_by_year:
            if y <= year:
                best = (y, amount)
        return best

    @cached_property
    def _batch_ends(self) -> dict:
        from datetime import timedelta

        default = self.settings.disclosure_days
        return {b.batch_no: b.start + timedelta(days=(b.days or default) - 1)
                for b in self.batches if b.start is not None}

    def batch_end(self, batch) -> date | None:
        """The last day of a batch's disclosure period (start + days - 1)."""
        return self._batch_ends.get(batch.batch_no) if batch.start is not None else None


def _group(rows, key: str) -> dict:
    out: dict = {}
    for r in rows:
        value = getattr(r, key)
        if value is not None:
            out.setdefault(value, []).append(r)
    return out


_SHEETS = {s.key: s for _, s in schema.all_sheets()}
_BOOK_OF = {s.key: b for b, s in schema.all_sheets()}


def is_void(payout) -> bool:
    """A rejected or cancelled payout: never approved or paid, it counts for nothing."""
    return payout.state in schema.VOID_STATES


@dataclass(frozen=True, slots=True)
class Figures:
    """A household's figures as assessed at one time (建档 or a 年度复核)."""
    date: date | None
    household_income: Decimal | None
    rigid_spending: Decimal | None
    household_size: int | None
    per_capita: Decimal | None  # computed, else as typed
    typed_per_capita: Decimal | None
    category: str | None
    from_review: bool
    row: int

    @classmethod
    def of(cls, rec, from_review: bool) -> Figures:
        computed = per_capita(rec)
        return cls(rec.date if from_review else (rec.registered or rec.applied),
                   rec.household_income, rec.rigid_spending, rec.household_size,
                   computed if computed is not None else rec.per_capita, rec.per_capita,
                   rec.category, from_review, rec.row)


_ZERO, _CENT = Decimal(0), Decimal("0.01")


def per_capita(worker) -> Decimal | None:
    """(household income - rigid spending) / 12 / household size, 2 places."""
    if worker.household_income is None or not worker.household_size:
        return None
    net = worker.household_income - (worker.rigid_spending or _ZERO)
    return (net / 12 / worker.household_size).quantize(_CENT)
