"""Money rules: 专款专用 (a fund pays only its allowed items), no overdraft in date
order (balances from generator/ledger.py), approved-but-unpaid money within the balance,
and local government matching of upper-level financial special funds where the station
declares a ratio. Rejected and cancelled payouts never move money."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .. import schema
from ..ledger import INCOME, OPENING, Ledger, fund_movements, ratio_text
from ..problems import problem

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"fund-commitment", "fund-negative", "fund-not-allowed", "matching-low"})
# the tables this check reads (checks.run_checks runs it on a view of exactly these, and
# keeps its problems while they do not change)
TABLES = ("settings", "payouts", "batches", "funds", "incomes", "expenses", "items", "places")

ALL_USES = {"全部", "不限", "所有"}
_INFLOW = frozenset({INCOME, OPENING})  # the kinds of movement that add to a balance (Movement.inflow)


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
    # merged: its sums and balances are those of every movement (ledger.fund_movements), from a
    # few thousand movements instead of 100,000 at a 20,000-worker station (_balances)
    ledger = Ledger(records, ctx.today, merged=True)
    yield from _allowed(records, funds, items)
    yield from _balances(records, ledger.movements, lambda: fund_movements(records, ctx.today))
    yield from _commitments(records, funds, ledger)
    yield from _matching(records, ledger)


def _allowed(records, funds, items):
    groups = {name: allowed_groups(f) for name, f in funds.items()}
    for p in records.live_payouts:
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


def _balances(records, merged, exact):
    """The first day each fund's balance goes below zero, by the one ledger's rules, and the
    movement that takes it there. `merged`: each fund's movements summed by day, kind and
    label (fund_movements(merged=True)); `exact()`: every movement, as rows. On a day the money
    coming in is counted first and nothing moved is below zero, so a balance goes below zero
    in `merged` exactly when it does movement by movement (the lowest balance of a day is
    the one it ends with, the same sum in either): only such a fund is gone through again
    movement by movement, for the row."""
    below = [name for name, moves in merged.items() if _goes_below_zero(moves)]
    if below:
        every = exact()
        yield from _first_below_zero(records, {name: every[name] for name in below})


def _goes_below_zero(moves) -> bool:
    balance = Decimal(0)
    for m in moves:
        if m.amount < 0:  # not made by the reader (it refuses negative amounts): go through the rows
            return True
        balance = balance + m.amount if m.kind in _INFLOW else balance - m.amount
        if balance < 0:
            return True
    return False


def _first_below_zero(records, movements):
    for name, moves in movements.items():
        balance = Decimal(0)
        for m in moves:  # m.delta, inline: once per movement
            balance = balance + m.amount if m.kind in _INFLOW else balance - m.amount
            if balance < 0:
                column = "paid" if m.sheet == "payouts" else "amount"
                yield problem("fund-negative", **records.place(m.sheet, m.row, column), fund=name,
                              date=m.day.isoformat(), balance=balance)
                break


def _commitments(records, funds, ledger):
    """Approved, not yet paid: warn before the payment would overdraw the fund."""
    pending: dict = defaultdict(list)
    for p in records.live_payouts:
        if p.approved and not p.paid and p.amount and p.fund in funds:
            pending[p.fund].append(p)
    for name, waiting in sorted(pending.items()):
        balance = ledger.balance(name)
        left = balance
        for p in sorted(waiting, key=lambda p: (p.approved, p.row)):
            left -= p.amount
            if left < 0:
                total = sum((q.amount for q in waiting), Decimal(0))
                yield problem("fund-commitment", **records.place("payouts", p.row, "amount"), fund=name,
                              today=ledger.today.isoformat(), balance=balance, pending=total,
                              short=total - balance)
                break


def _matching(records, ledger):
    """Only where the station declares a matching requirement (财政配套比例)."""
    required = records.settings.matching_ratio
    if required is None:
        return
    years = sorted({i.date.year for i in records.incomes if i.date and i.source in schema.MATCHED_SOURCES})
    for year in years:
        local, upper = ledger.matching(year)
        if upper > 0 and local < upper * required:
            yield problem("matching-low", **records.place("incomes"), year=year, local=local, upper=upper,
                          ratio=ratio_text(local, upper), required=f"{required.normalize():f}:1")
