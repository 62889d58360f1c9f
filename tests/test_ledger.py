"""One station, every balance: the public 资金公开 pages, the quarterly report and the fund
check state the same figures, from generator/ledger.py.

The station has a fund opened mid-quarter with a payout dated after the build date (where
the site and the report used to disagree: 0/+1500/-0/1500 against 1000/+500/-200/1300)
and a fund that is overdrawn."""

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from schema_places import schema_places

from generator import schema
from generator.checks import run_checks
from generator.ledger import PAYOUT, Ledger, Movement
from generator.periods import Quarter
from generator.private.report import fund_rows
from generator.records import Expense, Fund, Income, Payout, Place, Records
from generator.site.common import Docs
from generator.site.disclosure_control import Plan
from generator.site.funds import FundsView, build_funds

TODAY = date(2026, 3, 5)
D = Decimal
HELP, MEDICAL = "困难职工帮扶资金", "医疗救助资金"


def _places() -> dict[str, Place]:
    return schema_places()


def station() -> Records:
    return Records(
        folder=None,  # type: ignore[arg-type]
        funds=[Fund(name=HELP, source="工会经费", allowed="全部", opened=date(2026, 2, 15), opening=D(1000), row=2),
               Fund(name=MEDICAL, source="上级拨款", allowed="全部", opened=date(2025, 1, 1), opening=D(300), row=3)],
        incomes=[Income(date=date(2026, 3, 1), fund=HELP, source="工会经费", amount=D(500), row=2),
                 Income(date=date(2026, 2, 1), fund=HELP, source="工会经费", amount=D(70), row=3),  # before 期初日期
                 Income(date=date(2025, 12, 1), fund=MEDICAL, source="上级拨款", amount=D(100), row=4)],
        payouts=[Payout(record_no="FF-1", item="生活救助", fund=HELP, paid=date(2026, 3, 10), amount=D(200), row=2),
                 Payout(record_no="FF-2", item="医疗救助", fund=MEDICAL, paid=date(2026, 1, 10), amount=D(600), row=3),
                 Payout(record_no="FF-3", item="医疗救助", fund=MEDICAL, paid=date(2026, 2, 1), amount=D(50), row=4)],
        expenses=[Expense(date=date(2025, 6, 1), fund=MEDICAL, purpose="医疗救助", amount=D(0), row=2)],
        places=_places(),
    )


def site_funds(records) -> FundsView:
    """The fund pages with disclosure control off (min_cell 1: every quarter published):
    this test is about the arithmetic; tests/test_disclosure_attack.py about what is shown."""
    return build_funds(records, TODAY, Docs(), Plan(records, TODAY, min_cell=1))


def site_quarters(records) -> dict[tuple[str, Quarter], tuple]:
    funds = site_funds(records)
    out = {}
    for page in funds.funds:
        for year_view in page.years:
            for number, (_, flow) in enumerate(year_view.quarters, start=1):
                out[(page.name, Quarter(year_view.year, number))] = (
                    flow.opening, flow.income_total, flow.spending_total, flow.closing)
    return out


def test_site_report_and_check_state_the_same_balances():
    records = station()
    site = site_quarters(records)
    quarters = [Quarter(2025, n) for n in range(1, 5)] + [Quarter(2026, 1)]
    report = {(row[0], q): (row[2], row[3], row[4] + row[5], row[6])
              for q in quarters for row in fund_rows(records, q, TODAY)}
    assert site == {k: v for k, v in report.items() if k in site}
    assert set(site) == {(MEDICAL, q) for q in quarters} | {(HELP, Quarter(2026, 1))}
    # the fund opened mid-quarter: opening 0, 期初余额 1000 + income 500 in, the payout of
    # 10 March not yet made on 5 March, the income of 1 February before 期初日期 not counted
    assert site[(HELP, Quarter(2026, 1))] == (0, 1500, 0, 1500)
    assert site[(MEDICAL, Quarter(2025, 4))] == (300, 100, 0, 400)
    assert site[(MEDICAL, Quarter(2026, 1))] == (400, 0, 650, -250)
    # the check: the overdraft on the day it happened, at the ledger's balance that day
    negative = [p for p in run_checks(records, TODAY) if p.code == "fund-negative"]
    assert [(p.sheet, p.cell) for p in negative] == [("帮扶发放", _letter("payouts", "paid") + "3")]
    ledger = Ledger(records, TODAY)
    assert ledger.balance_before(date(2026, 1, 11), MEDICAL) == D(-200)
    assert "2026-01-10 的余额为 -200 元" in negative[0].message
    # the balance each fund page shows is the report's closing of the current quarter
    pages = {p.name: p.balance for p in site_funds(records).funds}
    assert pages == {HELP: D(1500), MEDICAL: D(-250)} == {k[0]: v[3] for k, v in report.items()
                                                          if k[1] == Quarter(2026, 1)}


def _letter(sheet: str, key: str) -> str:
    return _places()[sheet].letters[key]


def test_an_opening_on_a_quarters_first_day_is_its_opening_balance():
    records = station()
    records.funds[0] = Fund(name=HELP, source="工会经费", allowed="全部", opened=date(2026, 1, 1),
                            opening=D(1000), row=2)
    row = next(r for r in fund_rows(records, Quarter(2026, 1), TODAY) if r[0] == HELP)
    assert row[2:] == (D(1000), D(570), D(0), D(0), D(1570))
    assert site_quarters(records)[(HELP, Quarter(2026, 1))] == (1000, 570, 0, 1570)


def test_relabelled_ledger_keeps_every_movement_but_its_label():
    """The fund pages publish movements under other labels (site/funds._relabel): each movement
    is the same but for its label, an unchanged one is the very object, the ledger's own stay."""
    from generator.site.funds import _relabel

    base = Ledger(station(), TODAY)
    moved = _relabel(base, lambda m: "帮扶发放" if m.kind == PAYOUT else m.label)
    assert moved.movements.keys() == base.movements.keys()
    for fund, moves in base.movements.items():
        assert len(moved.movements[fund]) == len(moves)
        for old, new in zip(moves, moved.movements[fund]):
            assert type(new) is Movement
            if old.kind == PAYOUT:
                assert new == dataclasses.replace(old, label="帮扶发放")
            else:
                assert new is old
    assert any(m.kind == PAYOUT and m.label != "帮扶发放" for ms in base.movements.values() for m in ms)


def test_merged_ledger_states_every_sum_and_balance_of_the_full_one():
    """The fund pages read a ledger whose movements of one fund, day, kind and label are summed
    into one (Ledger(merged=True)): every flow, balance and matching sum is that of the full
    ledger, on every day (an opening balance on its own day included), with fewer movements."""
    records = station()
    extra = [Payout(record_no=f"FF-{n}", item=item, fund=MEDICAL, paid=day, amount=D(amount), row=n)
             for n, (item, day, amount) in enumerate([
                 ("医疗救助", date(2026, 1, 10), "12.50"), ("医疗救助", date(2026, 1, 10), "7.25"),
                 ("生活救助", date(2026, 1, 10), "30"), ("医疗救助", date(2025, 12, 31), "40.10"),
                 ("生活救助", date(2026, 2, 15), "5")], start=10)]
    income = Income(date=date(2026, 2, 15), fund=HELP, source="工会经费", amount=D("0.05"), row=9)
    records = dataclasses.replace(records, payouts=records.payouts + extra, incomes=records.incomes + [income])
    full, merged = Ledger(records, TODAY), Ledger(records, TODAY, merged=True)
    assert sum(map(len, merged.movements.values())) < sum(map(len, full.movements.values()))
    assert merged.years() == full.years()
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(500)]
    for funds in (None, HELP, MEDICAL):
        assert merged.balance(funds) == full.balance(funds)
        assert merged.matching(2026, funds) == full.matching(2026, funds)
        for day in days:
            assert merged.balance_before(day, funds) == full.balance_before(day, funds), (funds, day)
        for year in (2025, 2026):
            for period in [*full.quarters(year), full.year(year)]:
                a, b = merged.flow(period, funds), full.flow(period, funds)
                assert (a.opening, dict(a.income), dict(a.spending), dict(a.by_kind)) == \
                       (b.opening, dict(b.income), dict(b.spending), dict(b.by_kind)), (funds, period)
    # a day with two payouts of one item in one fund: one movement with their sum
    jan10 = [m for m in merged.movements[MEDICAL] if m.day == date(2026, 1, 10) and m.label == "医疗救助"]
    assert [m.amount for m in jan10] == [D("619.75")]


def test_payout_movements_follow_the_rules_one_by_one():
    """The payouts' movements (built inline, not through the generic add): a payout moves its
    fund's money on its 发放日期 when it has a fund, a date up to today on or after the fund's
    期初日期 and an amount, and is neither rejected nor cancelled; each in date order, income
    first on a day, then by sheet and row. The matching sums come from the incomes alone, also
    in a relabelled ledger."""
    records = station()
    extra = [Payout(record_no="FF-10", item="医疗救助", fund=HELP, paid=date(2026, 2, 14), amount=D(9), row=10),
             Payout(record_no="FF-11", item="", fund=HELP, paid=date(2026, 3, 1), amount=D(8), row=11),
             Payout(record_no="FF-12", item="医疗救助", fund="没有的基金", paid=date(2026, 1, 2), amount=D(7), row=12),
             Payout(record_no="FF-13", item="医疗救助", fund=None, paid=date(2026, 1, 2), amount=D(6), row=13),
             Payout(record_no="FF-14", item="医疗救助", fund=MEDICAL, paid=None, amount=D(5), row=14),
             Payout(record_no="FF-15", item="医疗救助", fund=MEDICAL, paid=date(2026, 1, 3), amount=None, row=15),
             Payout(record_no="FF-16", item="医疗救助", fund=MEDICAL, paid=date(2026, 1, 3), amount=D(4), row=16,
                    state=sorted(schema.VOID_STATES)[0]),
             Payout(record_no="FF-17", item="生活救助", fund=MEDICAL, paid=TODAY, amount=D(3), row=17),
             Payout(record_no="FF-18", item="生活救助", fund=MEDICAL, paid=TODAY + timedelta(days=1), amount=D(2),
                    row=18),
             Payout(record_no="FF-19", item="生活救助", fund=MEDICAL, paid=date(2025, 12, 1), amount=D(1), row=19)]
    records = dataclasses.replace(records, payouts=records.payouts + extra)
    ledger = Ledger(records, TODAY, label=lambda text: f"[{text}]")
    got = {name: [(m.day, m.kind, m.label, m.amount, m.sheet, m.row) for m in moves if m.kind == PAYOUT]
           for name, moves in ledger.movements.items()}
    assert got == {
        HELP: [(date(2026, 3, 1), PAYOUT, "[其他]", D(8), "payouts", 11)],
        MEDICAL: [(date(2025, 12, 1), PAYOUT, "[生活救助]", D(1), "payouts", 19),
                  (date(2026, 1, 10), PAYOUT, "[医疗救助]", D(600), "payouts", 3),
                  (date(2026, 2, 1), PAYOUT, "[医疗救助]", D(50), "payouts", 4),
                  (date(2026, 3, 5), PAYOUT, "[生活救助]", D(3), "payouts", 17)]}
    # on 2025-12-01 the income comes before the payout
    medical = [(m.day, m.kind) for m in ledger.movements[MEDICAL]]
    assert medical.index((date(2025, 12, 1), "income")) < medical.index((date(2025, 12, 1), PAYOUT))
    for funds in (None, HELP, MEDICAL):
        for year in (2025, 2026):
            local = sum((i.amount for i in records.incomes if i.date.year == year and i.source in
                         schema.MATCHING_SOURCES and (funds is None or i.fund == funds)), D(0))
            assert ledger.matching(year, funds)[0] == local
    upper = ledger.matching(2025, MEDICAL)[1]
    assert upper == (D(100) if "上级拨款" in schema.MATCHED_SOURCES else D(0))
    relabelled = ledger.with_movements({name: [dataclasses.replace(m, label="上级拨款") for m in moves]
                                        for name, moves in ledger.movements.items()})
    assert ledger.matching(2025, MEDICAL)[1] == upper  # its incomes are its own, not the copy's
    assert relabelled.matching(2025, MEDICAL)[1] == (D(100) if "上级拨款" in schema.MATCHED_SOURCES else D(0))


def _fund_negative_row_by_row(records, today):
    """The fund-negative problems as found before the merged ledger: every movement in order."""
    from generator.checks.funds import _first_below_zero
    from generator.ledger import fund_movements

    return list(_first_below_zero(records, fund_movements(records, today)))


def test_the_fund_check_finds_each_overdraft_where_every_movement_does():
    """The fund check finds a balance below zero from the movements summed by day, kind and
    label, then the row from the movements of that fund: the same problems (row, day and
    balance) as going through every movement, on stations overdrawn on many days, several
    times on one day, by payouts and expenses of one day in either order, or not at all."""
    import random

    from generator.checks import Context, funds as fund_check

    rng = random.Random(17)
    days = [date(2025, 12, 20) + timedelta(days=k) for k in range(0, 90, 3)]
    checked = overdrawn = 0
    for _ in range(300):
        records = station()
        records.funds = [Fund(name=HELP, source="工会经费", allowed="全部", opened=rng.choice([None, days[3]]),
                              opening=D(rng.choice([0, 100, 1000])), row=2),
                         Fund(name=MEDICAL, source="上级拨款", allowed="全部", opened=None, opening=D(300), row=3)]
        records.incomes = [Income(date=rng.choice(days), fund=rng.choice([HELP, MEDICAL, "其他资金"]),
                                  source=rng.choice(["工会经费", "上级拨款", None]),
                                  amount=D(rng.randrange(0, 800, 50)), row=2 + k) for k in range(rng.randrange(0, 6))]
        records.payouts = [Payout(record_no=f"FF-{k}", item=rng.choice(["生活救助", "医疗救助", None]),
                                  fund=rng.choice([HELP, MEDICAL, None]), paid=rng.choice([*days, None]),
                                  amount=rng.choice([D(rng.randrange(0, 400, 10)), None]),
                                  state=rng.choice([None, None, "已撤销"]), row=2 + k)
                           for k in range(rng.randrange(0, 40))]
        records.expenses = [Expense(date=rng.choice(days), fund=rng.choice([HELP, MEDICAL]), purpose="慰问",
                                    amount=D(rng.randrange(0, 300, 25)), row=2 + k) for k in range(rng.randrange(0, 5))]
        today = rng.choice(days)
        got = [p for p in fund_check.check(records, Context(today)) if p.code == "fund-negative"]
        want = _fund_negative_row_by_row(records, today)
        assert [(p.cell, p.message) for p in got] == [(p.cell, p.message) for p in want]
        checked += 1
        overdrawn += bool(want)
    assert overdrawn > 50 and checked - overdrawn > 50  # both kinds of station were met
