"""Rules on each payout: eligibility, amount within the standard, frequency,
disclosure before approval (公示无异议后批准)."""

from __future__ import annotations

from decimal import Decimal

from ..periods import Quarter
from ..problems import problem
from ..standards import INCOME_MULTIPLE, describe, standard_amount
from .people import worker_income
from .timeline import objection_problems

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({
    "amount-base-missing", "amount-over-standard", "amount-under-standard", "date-order", "disclosure-missing",
    "disclosure-not-listed", "disclosure-not-over", "frequency", "ineligible-income", "ineligible-status",
    "money-zero",
})

_FREQUENCY_RULE = {"一次性": "只能领取一次", "每年": "每年最多领取 {n} 次", "每季度": "每季度最多领取 {n} 次"}


def check(records, ctx):
    if "payouts" not in records.places:
        return
    workers = records.worker_by_no
    items = records.item_by_name
    batches = records.batch_by_no
    objections = _objections_by_batch(records)
    incomes: dict = {}  # archive number -> per-capita income, computed once
    seen: dict = {}
    for p in sorted(records.payouts, key=lambda p: (p.applied or p.paid or ctx.today, p.row)):
        w = workers.get(p.archive_no)
        item = items.get(p.item)
        if w is not None:
            yield from _status(records, p, w)
        if item is None:
            continue
        yield from _amount(records, p, item)
        yield from _frequency(records, p, item, seen)
        if w is not None:
            yield from _income(records, p, w, item, incomes)
        yield from _disclosure(records, p, item, batches, objections)


def _status(records, p, w):
    given = p.approved or p.paid
    if w.status in ("申请", "公示中") and given:
        yield problem("ineligible-status", **records.place("payouts", p.row, "archive_no"),
                      archive=w.archive_no, status=w.status)
    elif w.registered and given and given < w.registered:
        yield problem("date-order", **records.place("payouts", p.row, "approved" if p.approved else "paid"),
                      later="批准日期" if p.approved else "发放日期", later_value=given.isoformat(),
                      earlier=f"档案 {w.archive_no} 的建档日期", earlier_value=w.registered.isoformat())
    elif w.closed and p.paid and p.paid > w.closed:
        yield problem("ineligible-status", **records.place("payouts", p.row, "paid"),
                      archive=w.archive_no, status=f"{w.status}（{w.closed.isoformat()} 结档）")


def _amount(records, p, item):
    if p.amount is None:
        return
    if item.standard == "比例封顶" and p.base_amount is None:
        yield problem("amount-base-missing", **records.place("payouts", p.row, "base_amount"),
                      item=item.name, column="医疗自付费用")
        return
    allowed = standard_amount(item, p.base_amount)
    if p.amount == 0 and item.standard != "非现金" and allowed != 0:
        yield problem("money-zero", **records.place("payouts", p.row, "amount"), column="金额")
        return
    if allowed is None:
        return
    if p.amount > allowed:
        yield problem("amount-over-standard", **records.place("payouts", p.row, "amount"),
                      item=item.name, amount=p.amount, standard=allowed, basis=describe(item))
    elif p.amount < allowed and item.standard == "固定金额":
        yield problem("amount-under-standard", **records.place("payouts", p.row, "amount"),
                      item=item.name, amount=p.amount, standard=allowed, basis=describe(item))


def _period(item, day):
    if item.frequency == "一次性":
        return "ever"
    if item.frequency == "每年":
        return day.year
    if item.frequency == "每季度":
        return Quarter.of(day)
    return None


def _frequency(records, p, item, seen):
    day = p.applied or p.paid
    if day is None or item.frequency in (None, "不限"):
        return
    period = _period(item, day)
    limit = 1 if item.frequency == "一次性" else (item.max_times or 1)
    key = (p.archive_no, item.name, period)
    earlier = seen.setdefault(key, [])
    if len(earlier) >= limit:
        others = "、".join(str(row) for row in earlier[-3:])
        yield problem("frequency", **records.place("payouts", p.row, "item"), item=item.name,
                      rule=_FREQUENCY_RULE[item.frequency].format(n=limit), archive=p.archive_no,
                      other=f"本表第 {others} 行")
    earlier.append(p.row)


def _income(records, p, w, item, incomes):
    multiple = INCOME_MULTIPLE.get(item.income_rule)
    if multiple is None or p.applied is None:
        return
    line = records.dibao_line(p.applied.year)
    if w.archive_no not in incomes:
        incomes[w.archive_no] = worker_income(w)
    income = incomes[w.archive_no]
    if line is None or income is None:
        return
    limit = (line * multiple).quantize(Decimal("0.01"))
    if income >= limit:
        yield problem("ineligible-income", **records.place("payouts", p.row, "item"), item=item.name,
                      limit=limit, basis=f"{p.applied.year} 年低保线 {line} 元的{item.income_rule[2:]}",
                      archive=w.archive_no, income=income)


def _objections_by_batch(records):
    out: dict = {}
    for o in records.objections:
        out.setdefault(o.batch, []).append(o)
    return out


def _disclosure(records, p, item, batches, objections):
    decided = p.approved or p.paid
    if not item.needs_disclosure:
        return
    if not p.batch:
        if decided:
            yield problem("disclosure-missing", **records.place("payouts", p.row, "batch"), item=item.name)
        return
    batch = batches.get(p.batch)
    if batch is None:
        return  # reported as a missing reference
    if batch.kind and batch.kind != "帮扶公示":
        yield problem("disclosure-not-listed", **records.place("payouts", p.row, "batch"),
                      batch=batch.batch_no, kind=batch.kind, what="帮扶发放")
        return
    if not decided or batch.start is None:
        return
    end = records.batch_end(batch)
    if decided <= end:
        yield problem("disclosure-not-over", **records.place("payouts", p.row, "approved" if p.approved else "paid"),
                      approved=decided.isoformat(), batch=batch.batch_no, start=batch.start.isoformat(),
                      end=end.isoformat())
    yield from objection_problems(objections.get(batch.batch_no, ()), batch.batch_no, p.archive_no, decided,
                                  records.place("payouts", p.row, "batch"),
                                  records.place("payouts", p.row, "approved" if p.approved else "paid"))
