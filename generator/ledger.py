"""Fund arithmetic, once: the movements of every fund and its balances, per quarter and year.
The fund checks (overdraft), the public 资金公开 pages and the quarterly report all use this
module, so they cannot disagree.

    ledger = Ledger(records, today)
    ledger.flow(ledger.quarter(Quarter(2026, 1)), "困难职工帮扶资金")   # opening, income, spending, closing
    ledger.balance()                                                   # every fund, at the end of today

Rules (by actual dates):
- a fund exists from its 期初日期 (without one, from the start): its 期初余额 is there at the
  start of that day, so it is the opening of a period that starts that day and the inflow
  建账时结余 of a period that the fund joins later; movements dated before it are already
  inside that balance and are not counted again;
- income counts on its date; an assistance payout on its 发放日期 (a payout not yet paid is
  not spending); other spending on its date; on one day, income comes before spending;
- nothing dated after `today` counts: figures are "截至" that day, and the check judges a
  balance by what had happened by then;
- a period's opening is the balance at the start of its first day, its closing the balance
  at the end of its last day (or of today, for the current period);
- assistance payouts are only ever summed by item, never listed per person.
"""

from __future__ import annotations

import copy
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from . import schema
from .periods import Quarter
from .records import Fund, Records, maker

OPENING_LABEL = "建账时结余"
ZERO = Decimal(0)

INCOME, PAYOUT, EXPENSE, OPENING = "income", "payout", "expense", "opening"


@dataclass(frozen=True, slots=True)
class Movement:
    """One counted change of a fund's balance."""
    fund: str
    day: date
    kind: str  # INCOME, PAYOUT, EXPENSE or OPENING
    label: str  # income source, payout item, or expense purpose（其他支出）
    amount: Decimal  # positive; `delta` carries the sign
    sheet: str = ""  # where it was read: "incomes", "payouts", "expenses" ("" for an opening)
    row: int = 0

    @property
    def inflow(self) -> bool:
        return self.kind in (INCOME, OPENING)

    @property
    def delta(self) -> Decimal:
        return self.amount if self.inflow else -self.amount

    def before(self, day: date) -> bool:
        """Already counted at the start of `day` (an opening balance is there from the start of its day)."""
        return self.day < day or (self.kind == OPENING and self.day == day)


@dataclass
class Flow:
    """What happened in one period for one fund or for several together."""
    opening: Decimal = ZERO
    income: dict = field(default_factory=lambda: defaultdict(Decimal))  # label -> amount
    spending: dict = field(default_factory=lambda: defaultdict(Decimal))  # label -> amount
    by_kind: dict = field(default_factory=lambda: defaultdict(Decimal))  # kind -> amount

    @property
    def income_total(self) -> Decimal:
        return sum(self.income.values(), ZERO)

    @property
    def spending_total(self) -> Decimal:
        return sum(self.spending.values(), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.income_total - self.spending_total


@dataclass(frozen=True)
class Period:
    """A quarter or a whole year, cut at the build date."""
    year: int
    quarter: int | None  # None: the whole year
    start: date
    end: date

    @property
    def label(self) -> str:
        return Quarter(self.year, self.quarter).label if self.quarter else "全年"


def fund_movements(records: Records, today: date, label: Callable[[str], str] = str, *,
                   merged: bool = False) -> dict[str, list[Movement]]:
    """Per fund (by name), every counted movement in date order (income first on a day).
    `merged`: one movement per fund, day, kind and label, carrying their sum (no sheet or row):
    every sum and balance of the Ledger is the same, from about 2,000 movements instead of
    100,000 at a 20,000-worker station (the public fund pages, which only show sums)."""
    funds = {f.name: f for f in records.funds if f.name}
    out: dict[str, list[Movement]] = {name: [] for name in funds}
    make = maker(Movement)  # a payout station has 100,000 of them
    sums: dict[tuple, Decimal] = {}  # merged: (fund, day, kind, label) -> amount
    labels: dict[str, str] = {}  # label(text), once per text

    def add(fund: str | None, day: date | None, kind: str, text: str, amount, sheet: str, row: int) -> None:
        f = funds.get(fund or "")
        if f is None or day is None or amount is None or day > today:
            return
        if f.opened and day < f.opened:
            return
        shown = labels.get(text)
        if shown is None:
            shown = labels[text] = label(text)
        if merged:
            key = (f.name, day, kind, shown)
            sums[key] = sums.get(key, ZERO) + amount
        else:
            out[f.name].append(make(f.name, day, kind, shown, amount, sheet, row))

    for f in funds.values():
        if f.opening:
            add(f.name, f.opened or date.min, OPENING, OPENING_LABEL, f.opening, "", 0)
    for i in records.incomes:
        add(i.fund, i.date, INCOME, i.source or "其他", i.amount, "incomes", i.row)
    if merged:
        for p in records.live_payouts:  # rejected and cancelled payouts never move money
            add(p.fund, p.paid, PAYOUT, p.item or "其他", p.amount, "payouts", p.row)
    else:  # add(), inline: once per payout (100,000 at a 20,000-worker station)
        for p in records.live_payouts:
            f = funds.get(p.fund or "")
            day, amount = p.paid, p.amount
            if f is None or day is None or amount is None or day > today or (f.opened and day < f.opened):
                continue
            text = p.item or "其他"
            shown = labels.get(text)
            if shown is None:
                shown = labels[text] = label(text)
            out[f.name].append(make(f.name, day, PAYOUT, shown, amount, "payouts", p.row))
    for e in records.expenses:
        add(e.fund, e.date, EXPENSE, f"{e.purpose or '其他'}（其他支出）", e.amount, "expenses", e.row)
    order = {OPENING: 0, INCOME: 1, PAYOUT: 2, EXPENSE: 2}
    if merged:  # within a day only the opening balance's place matters (Ledger._cut)
        for (fund, day, kind, shown), amount in sums.items():
            out[fund].append(make(fund, day, kind, shown, amount, "", 0))
        for moves in out.values():
            moves.sort(key=lambda m: (m.day, order[m.kind], m.kind, m.label))
        return out
    for moves in out.values():
        moves.sort(key=lambda m: (m.day, order[m.kind], m.sheet, m.row))
    return out


class Ledger:
    """All fund movements up to `today`, ready to sum by fund and period."""

    def __init__(self, records: Records, today: date, label: Callable[[str], str] = str, *,
                 merged: bool = False):
        """`merged`: movements of a fund, day, kind and label summed into one (fund_movements)."""
        self.today = today
        self.funds: dict[str, Fund] = {f.name: f for f in records.funds if f.name}
        self.movements = fund_movements(records, today, label, merged=merged)
        self._indexes: dict[str, tuple[list[Movement], list[date], list[Decimal]]] = {}
        self._income_moves: dict[str, tuple[list[Movement], list[Movement]]] = {}  # _incomes

    def with_movements(self, movements: dict[str, list[Movement]]) -> Ledger:
        """The same ledger over other movements (e.g. relabelled for publishing)."""
        out = copy.copy(self)
        out.movements = movements
        out._indexes = {}
        out._income_moves = {}
        return out

    # periods ------------------------------------------------------------
    def years(self) -> list[int]:
        return sorted({m.day.year for moves in self.movements.values() for m in moves if m.day != date.min}
                      | {f.opened.year for f in self.funds.values() if f.opened and f.opened <= self.today})

    def quarter(self, q: Quarter) -> Period:
        return Period(q.year, q.number, q.start, min(q.end, self.today))

    def quarters(self, year: int) -> list[Period]:
        return [self.quarter(Quarter(year, n)) for n in range(1, 5) if Quarter(year, n).start <= self.today]

    def year(self, year: int) -> Period:
        return Period(year, None, date(year, 1, 1), min(date(year, 12, 31), self.today))

    # sums ---------------------------------------------------------------
    def _moves(self, funds) -> Iterable[Movement]:
        for name in self._names(funds):
            yield from self.movements.get(name, ())

    def _index(self, name: str) -> tuple[list[Movement], list[date], list[Decimal]]:
        """A fund's movements (in date order), their days and running balances (sums[i] is
        the balance before movements[i]): a period is then found by bisection, not a pass."""
        if name not in self._indexes:
            moves = self.movements.get(name, [])
            sums, running = [ZERO], ZERO
            for m in moves:
                running += m.delta
                sums.append(running)
            self._indexes[name] = (moves, [m.day for m in moves], sums)
        return self._indexes[name]

    def _cut(self, name: str, day: date) -> int:
        """How many of a fund's movements are counted at the start of `day` (Movement.before):
        movements are sorted by day with the day's opening balance first, so they are a prefix."""
        moves, days, _ = self._index(name)
        i = bisect_left(days, day)
        while i < len(moves) and moves[i].day == day and moves[i].kind == OPENING:
            i += 1
        return i

    def balance_before(self, day: date, funds=None) -> Decimal:
        """Balance at the start of `day`."""
        return sum((self._index(name)[2][self._cut(name, day)] for name in self._names(funds)), ZERO)

    def flow(self, period: Period, funds=None) -> Flow:
        out = Flow(opening=self.balance_before(period.start, funds))
        for name in self._names(funds):
            moves, days, _ = self._index(name)
            for m in moves[self._cut(name, period.start):bisect_right(days, period.end)]:
                (out.income if m.inflow else out.spending)[m.label] += m.amount
                out.by_kind[m.kind] += m.amount
        return out

    def balance(self, funds=None) -> Decimal:
        return self.balance_before(self.today + timedelta(days=1), funds)

    def matching(self, year: int, funds=None) -> tuple[Decimal, Decimal]:
        """(local government matching, upper-level financial special funds) received in a year:
        the funds the matching rule applies to, not the union's own transfers (上级拨款)."""
        local = upper = ZERO
        for m in self._incomes(funds):
            if m.day.year != year:
                continue
            if m.label in schema.MATCHING_SOURCES:
                local += m.amount
            elif m.label in schema.MATCHED_SOURCES:
                upper += m.amount
        return local, upper

    def _incomes(self, funds) -> list[Movement]:
        """The INCOME movements of `funds`, in the order of _moves (each fund's kept once: the
        matching rule looks at a few hundred incomes among 100,000 payouts, once per year)."""
        incomes = self._income_moves
        out: list[Movement] = []
        for name in self._names(funds):
            moves = self.movements.get(name)
            if moves is None:  # a fund named but not kept: no movements
                continue
            kept = incomes.get(name)
            if kept is None or kept[0] is not moves:
                kept = incomes[name] = (moves, [m for m in moves if m.kind == INCOME])
            out.extend(kept[1])
        return out

    def _names(self, funds) -> set[str]:
        if funds is None:
            return set(self.funds)
        if isinstance(funds, str):
            return {funds}
        return set(funds)


def ratio_text(local: Decimal, upper: Decimal) -> str:
    """'0.99 : 1' (local matching to upper-level special funds), truncated so that a shortfall
    never rounds up to look compliant; '' when there is nothing to match."""
    if upper <= 0:
        return ""
    return f"{(local / upper).quantize(Decimal('0.01'), rounding=ROUND_DOWN)} : 1"
