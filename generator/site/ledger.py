"""Fund figures for 资金公开: balances, income by source and spending by use, per fund
and in total, per year and quarter. Pure computation on the records, no pages.

Rules (the same as the fund checks in generator/checks/funds.py):
- a fund starts with its 期初余额 on its 期初日期; movements dated before that
  are already inside the opening balance and are not counted again;
- income counts on its date; an assistance payout counts on its 发放日期
  (a payout not yet paid is not spending); other spending on its date;
- movements after the build date are not shown (figures are "截至" that day);
- assistance payouts are only ever summed by item, never listed per person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .. import schema
from .common import public_text, quarter_of

OPENING_LABEL = "建账时结余"
ZERO = Decimal(0)


@dataclass
class Flow:
    """What happened in one period for one fund or for several together."""
    opening: Decimal = ZERO
    income: dict = field(default_factory=lambda: defaultdict(Decimal))
    spending: dict = field(default_factory=lambda: defaultdict(Decimal))

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
    year: int
    quarter: int | None  # None: the whole year
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"第{'一二三四'[self.quarter - 1]}季度" if self.quarter else "全年"


class Ledger:
    """All fund movements up to `today`, summed by fund and quarter, ready to report."""

    def __init__(self, records, today: date):
        self.today = today
        self.funds = {f.name: f for f in records.funds if f.name}
        # (fund, year, quarter) -> {(is_income, label): amount}
        self.buckets: dict = defaultdict(lambda: defaultdict(Decimal))
        for i in records.incomes:
            self._add(i.fund, i.date, True, i.source or "其他", i.amount)
        for p in records.payouts:
            self._add(p.fund, p.paid, False, p.item or "其他", p.amount)
        for e in records.expenses:
            self._add(e.fund, e.date, False, f"{e.purpose or '其他'}（其他支出）", e.amount)

    def _add(self, fund, day, income, label, amount) -> None:
        f = self.funds.get(fund)
        if f is None or day is None or amount is None or day > self.today:
            return
        if f.opened and day < f.opened:
            return
        self.buckets[(fund, day.year, quarter_of(day))][(income, public_text(label))] += amount

    # periods ------------------------------------------------------------
    def years(self) -> list[int]:
        years = {year for _, year, _ in self.buckets}
        years |= {f.opened.year for f in self.funds.values() if f.opened and f.opened <= self.today}
        return sorted(years)

    def quarters(self, year: int) -> list[Period]:
        out = []
        for q in range(1, 5):
            start = date(year, 3 * q - 2, 1)
            if start > self.today:
                break
            end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
            out.append(Period(year, q, start, min(end, self.today)))
        return out

    def year(self, year: int) -> Period:
        return Period(year, None, date(year, 1, 1), min(date(year, 12, 31), self.today))

    # sums ---------------------------------------------------------------
    def balance_before(self, day: date, funds=None) -> Decimal:
        """Balance at the start of `day`, a quarter's first day (or the day after today)."""
        names = self._names(funds)
        key = (day.year, quarter_of(day))
        total = sum((f.opening or ZERO for n, f in self.funds.items()
                     if n in names and f.opened and f.opened <= day), ZERO)
        for (fund, year, q), sums in self.buckets.items():
            if fund in names and ((year, q) < key or day > self.today):
                total += sum((a if inc else -a for (inc, _), a in sums.items()), ZERO)
        return total

    def flow(self, period: Period, funds=None) -> Flow:
        names = self._names(funds)
        out = Flow(opening=self.balance_before(period.start, names))
        for n in names:
            f = self.funds[n]
            if f.opened and period.start < f.opened <= period.end and f.opening:
                out.income[OPENING_LABEL] += f.opening
        quarters = {period.quarter} if period.quarter else {1, 2, 3, 4}
        for (fund, year, q), sums in self.buckets.items():
            if fund in names and year == period.year and q in quarters:
                for (inc, label), amount in sums.items():
                    (out.income if inc else out.spending)[label] += amount
        return out

    def balance(self, funds=None) -> Decimal:
        return self.balance_before(self.today + timedelta(days=1), funds)

    def matching(self, year: int, funds=None) -> tuple[Decimal, Decimal]:
        """(local government matching, upper-level special funds) received in a year."""
        names = self._names(funds)
        local = upper = ZERO
        for (fund, y, _), sums in self.buckets.items():
            if fund not in names or y != year:
                continue
            for (inc, label), amount in sums.items():
                if inc and label in schema.MATCHING_SOURCES:
                    local += amount
                elif inc and label in schema.UPPER_SOURCES:
                    upper += amount
        return local, upper

    def _names(self, funds) -> set[str]:
        if funds is None:
            return set(self.funds)
        if isinstance(funds, str):
            return {funds}
        return set(funds)


def ratio_text(local: Decimal, upper: Decimal) -> str:
    """'1.05 : 1' (local matching to upper-level funds); '' when there is nothing to match."""
    if upper <= 0:
        return ""
    return f"{(local / upper).quantize(Decimal('0.01'))} : 1"
