"""Money rules: 专款专用 (a fund pays only its allowed items), no overdraft in date
order, and local government matching of upper-level funds (不低于 1:1)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .. import schema
from ..problems import problem

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
    yield from _balances(records, funds)
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


def movements(records):
    """Per fund, every movement in date order: (date, order, delta, sheet key, row).
    Incomes come before spending on the same day."""
    out = defaultdict(list)
    for i in records.incomes:
        if i.date and i.amount is not None:
            out[i.fund].append((i.date, 0, i.amount, "incomes", i.row))
    for p in records.payouts:
        if p.paid and p.amount:
            out[p.fund].append((p.paid, 1, -p.amount, "payouts", p.row))
    for e in records.expenses:
        if e.date and e.amount is not None:
            out[e.fund].append((e.date, 1, -e.amount, "expenses", e.row))
    for moves in out.values():
        moves.sort(key=lambda m: (m[0], m[1], m[3], m[4]))
    return out


def _balances(records, funds):
    for name, moves in movements(records).items():
        fund = funds.get(name)
        if fund is None:
            continue
        balance = fund.opening or Decimal(0)
        for day, _, delta, sheet, row in moves:
            if fund.opened and day < fund.opened:
                continue
            balance += delta
            if balance < 0:
                column = "paid" if sheet == "payouts" else "amount" if sheet == "expenses" else "amount"
                yield problem("fund-negative", **records.place(sheet, row, column), fund=name,
                              date=day.isoformat(), balance=balance)
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
