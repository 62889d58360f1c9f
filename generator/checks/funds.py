"""Money rules: 专款专用 (a fund pays only its allowed items), no overdraft in date
order (balances from generator/ledger.py), and local government matching of upper-level
funds (不低于 1:1)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .. import schema
from ..ledger import fund_movements
from ..problems import problem

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"fund-negative", "fund-not-allowed", "matching-low"})

ALL_USES = {"全部", "不限", "所有"}


def allowed_groups(fund) -> set[str] | None:
    """The item groups a fund may pay; None means everything."""
    import re

    parts = {p for p in re.split(r"[、，,；;/\s]+", fund.allowed or "") if p}
    return None if (not parts or parts & ALL_USES) else parts


def check(records, ctx):
    if "funds" not in records.places:
        return
    funds = records.fund_by_name
    items = records.item_by_name
    yield from _allowed(records, funds, items)
    yield from _balances(records, ctx.today)
    yield from _matching(records)


def _allowed(records, funds, items):
    groups = {name: allowed_groups(f) for name, f in funds.items()}
    for p in records.payouts:
        item = items.get(p.item)
        allowed = groups.get(p.fund, None)
        if item is None or p.fund not in funds or allowed is None or item.group in allowed:
            continue
        yield problem("fund-not-allowed", **records.place("payouts", p.row, "fund"), fund=p.fund,
                      allowed="、".join(sorted(allowed)), item=f"{item.name}（{item.group}）")
    for e in records.expenses:
        allowed = groups.get(e.fund, None)
        if e.fund not in funds or allowed is None or e.purpose in allowed:
            continue
        yield problem("fund-not-allowed", **records.place("expenses", e.row, "fund"), fund=e.fund,
                      allowed="、".join(sorted(allowed)), item=e.purpose)


def _balances(records, today):
    """The first day each fund's balance goes below zero, by the one ledger's rules."""
    for name, moves in fund_movements(records, today).items():
        balance = Decimal(0)
        for m in moves:
            balance += m.delta
            if balance < 0:
                column = "paid" if m.sheet == "payouts" else "amount"
                yield problem("fund-negative", **records.place(m.sheet, m.row, column), fund=name,
                              date=m.day.isoformat(), balance=balance)
                break


def _matching(records):
    upper: dict = defaultdict(Decimal)
    local: dict = defaultdict(Decimal)
    for i in records.incomes:
        if not i.date or i.amount is None:
            continue
        if i.source in schema.UPPER_SOURCES:
            upper[i.date.year] += i.amount
        elif i.source in schema.MATCHING_SOURCES:
            local[i.date.year] += i.amount
    for year in sorted(upper):
        if upper[year] > 0 and local[year] < upper[year]:
            ratio = (local[year] / upper[year]).quantize(Decimal("0.01"))
            yield problem("matching-low", **records.place("incomes"), year=year, local=local[year],
                          upper=upper[year], ratio=f"{ratio}:1")
