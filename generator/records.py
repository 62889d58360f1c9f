"""Typed records: one class per sheet (record_types.py, generated from the schema).

Each record carries `row`, its row number in the workbook, so that a check can
name the cell (`Records.place`). `Records` holds every table of a station plus
the settings and the place of each sheet and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from . import schema
from .record_types import (
    RECORD_CLASSES,
    Batch,
    CalendarDay,
    Category,
    DibaoLine,
    Expense,
    Fund,
    Income,
    Item,
    Member,
    Objection,
    Payout,
    Settings,
    Visit,
    Worker,
)

__all__ = ["RECORD_CLASSES", "Batch", "CalendarDay", "Category", "DibaoLine", "Expense", "Fund", "Income", "Item",
           "Member", "Objection", "Payout", "Place", "Records", "Settings", "Visit", "Worker", "per_capita"]


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
    payouts: list[Payout] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    funds: list[Fund] = field(default_factory=list)
    incomes: list[Income] = field(default_factory=list)
    expenses: list[Expense] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    dibao_lines: list[DibaoLine] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    calendar: list[CalendarDay] = field(default_factory=list)
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
    def payouts_by_batch(self) -> dict:
        return _group(self.payouts, "batch")

    @cached_property
    def workers_by_batch(self) -> dict:
        return _group(self.workers, "batch")

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
        """The 低保 line for a year; the nearest earlier year when missing (else the earliest)."""
        lines = self._dibao_by_year
        best = None
        for y, amount in lines:
            if y <= year:
                best = amount
        if best is None and lines:
            best = lines[0][1]
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


def per_capita(worker) -> Decimal | None:
    """(household income - rigid spending) / 12 / household size, 2 places."""
    if worker.household_income is None or not worker.household_size:
        return None
    net = worker.household_income - (worker.rigid_spending or Decimal(0))
    return (net / 12 / worker.household_size).quantize(Decimal("0.01"))
