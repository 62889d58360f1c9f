"""Dates in the order the procedure runs: 申请 → 核实 → 公示 → 批准 → 告知 → 发放 → 签收 →
回访; signed receipts (有签收); objections answered within the period; nothing done or
received in the future."""

from __future__ import annotations

from dataclasses import replace
from operator import attrgetter

from ..lifecycle import needs_receipt
from ..problems import ERROR, WARNING, problem
from ..records import is_void

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({
    "date-future", "date-order", "disclosure-not-listed", "disclosure-not-over", "notice-missing",
    "objection-late", "objection-open", "objection-unresolved", "objection-upheld", "objection-upheld-batch",
    "receipt-missing", "receipt-without-payout", "redisclosure-missing", "required",
})
# the tables this check reads (checks.run_checks runs it on a view of exactly these, and
# keeps its problems while they do not change)
TABLES = ("settings", "workers", "reviews", "payouts", "batches", "objections", "incomes", "expenses",
          "calendar", "places")
# a payout's dates are judged on that payout alone, and nothing else here reads a payout
# (checks.CheckCache.by_worker)
BY_WORKER = True

_PAYOUT_STEPS = (("applied", "申请日期"), ("verified", "核实日期"), ("approved", "批准日期"),
                 ("paid", "发放日期"), ("signed_on", "签收日期"), ("followed_up", "回访日期"))
_FUTURE = (("verified", "核实日期"), ("approved", "批准日期"), ("notified", "告知日期"), ("paid", "发放日期"),
           ("signed_on", "签收日期"), ("followed_up", "回访日期"))


def check(records, ctx):
    yield from _payouts(records, ctx)
    yield from _workers(records, ctx)
    yield from _objections(records, ctx)
    yield from _closures_and_reviews(records)
    yield from _money_dates(records, ctx)


def _in_order(values) -> bool:
    """Whether the present (not None) dates never go back: then _order finds nothing."""
    present = list(filter(None, values))  # dates are never false
    return present == sorted(present)


def _order(records, sheet, rec, steps) -> list:
    """Each present date is not earlier than the latest present date before it."""
    found = []
    last_label = last = None
    for key, label in steps:
        value = getattr(rec, key)
        if value is None:
            continue
        if last is not None and value < last:
            found.append(problem("date-order", **records.place(sheet, rec.row, key), later=label,
                                 later_value=value.isoformat(), earlier=last_label,
                                 earlier_value=last.isoformat()))
        else:
            last_label, last = label, value
    return found


_STEP_DATES = attrgetter(*(key for key, _ in _PAYOUT_STEPS))
_FUTURE_DATES = attrgetter(*(key for key, _ in _FUTURE))


def _payouts(records, ctx):
    batches = records.batch_by_no
    today = ctx.today
    for p in records.payouts:
        present = list(filter(None, _STEP_DATES(p)))  # _in_order, inline: once per payout
        in_order = present == sorted(present)
        if not in_order:
            yield from _order(records, "payouts", p, _PAYOUT_STEPS)
        decided = p.approved or p.verified
        if p.notified is not None and decided is not None and p.notified < decided:
            yield problem("date-order", **records.place("payouts", p.row, "notified"), later="告知日期",
                          later_value=p.notified.isoformat(), earlier="批准日期" if p.approved else "核实日期",
                          earlier_value=decided.isoformat())
        if p.state == "不予批准" and p.notified is None:
            yield problem("notice-missing", **records.place("payouts", p.row, "notified"))
        if p.signed and p.paid is None and not is_void(p):
            yield problem("receipt-without-payout", **records.place("payouts", p.row, "signed"))
        batch = batches.get(p.batch) if p.batch else None
        if batch is not None and batch.start is not None:
            for key, label in (("applied", "申请日期"), ("verified", "核实日期")):
                value = getattr(p, key)
                if value is not None and value > batch.start:
                    yield problem("date-order", **records.place("payouts", p.row, key),
                                  later=f"公示批次 {batch.batch_no} 的开始日期", later_value=batch.start.isoformat(),
                                  earlier=label, earlier_value=value.isoformat())
                    break
        if p.paid is not None and p.approved is None and not is_void(p):
            yield problem("required", **records.place("payouts", p.row, "approved"), column="批准日期",
                          hint="（已发放的记录须有批准日期）")
        if needs_receipt(p):
            yield problem("receipt-missing", **records.place("payouts", p.row, "signed"),
                          amount=p.amount, paid=p.paid.isoformat())
        if in_order and (not present or present[-1] <= today) and (p.notified is None or p.notified <= today):
            continue  # the latest step is not in the future, nor the notice: every date is not
        if max(filter(None, _FUTURE_DATES(p)), default=today) <= today:
            continue
        for key, label in _FUTURE:
            value = getattr(p, key)
            if value is not None and value > today:
                yield problem("date-future", **records.place("payouts", p.row, key), column=label,
                              value=value.isoformat(), today=today.isoformat())


_WORKER_STEPS = (("applied", "申请日期"), ("registered", "建档日期"), ("closed", "结档日期"))
_WORKER_DATES = attrgetter(*(key for key, _ in _WORKER_STEPS))


def _workers(records, ctx):
    batches = records.batch_by_no
    for w in records.workers:
        if not _in_order(_WORKER_DATES(w)):
            yield from _order(records, "workers", w, _WORKER_STEPS)
        batch = batches.get(w.batch) if w.batch else None
        if batch is None or batch.start is None:
            continue
        if batch.kind and batch.kind != "建档公示":
            yield problem("disclosure-not-listed", **records.place("workers", w.row, "batch"),
                          batch=batch.batch_no, kind=batch.kind, what="建档")
            continue
        if w.applied and w.applied > batch.start:
            yield problem("date-order", **records.place("workers", w.row, "applied"),
                          later=f"公示批次 {batch.batch_no} 的开始日期", later_value=batch.start.isoformat(),
                          earlier="申请日期", earlier_value=w.applied.isoformat())
        end = records.batch_end(batch)
        if w.registered and batch.kind == "建档公示" and w.registered <= end:
            yield problem("disclosure-not-over", **records.place("workers", w.row, "registered"),
                          approved=w.registered.isoformat(), batch=batch.batch_no,
                          start=batch.start.isoformat(), end=end.isoformat())
        if w.registered and batch.kind == "建档公示":
            yield from objection_problems(records, batch, w.archive_no, w.registered, "workers", w.row,
                                          "registered", "registered")


def objection_problems(records, batch, archive, decided, sheet: str, row: int, date_column: str,
                       batch_column: str):
    """What the batch's objections say about approving `archive` on `decided` (the record at
    `row` of `sheet`; problems name its `date_column` or `batch_column`): an upheld objection
    about the person or the whole batch blocks it; an open one must be settled first; an
    objection about the person needs a new 公示 (重新公示) that ended before."""
    for o, inherited in objections_of(records, batch):
        if o.archive_no and o.archive_no != archive:
            continue
        at_date = records.place(sheet, row, date_column)
        at_batch = records.place(sheet, row, batch_column)
        if inherited and o.result == "成立":
            continue  # this batch is the corrected list disclosed again: the remedy itself
        if o.result == "成立" and o.archive_no:
            yield problem("objection-upheld", **at_batch, batch=batch.batch_no, archive=archive,
                          objection=o.objection_no)
        elif o.result == "成立":
            yield problem("objection-upheld-batch", **at_batch, batch=batch.batch_no, objection=o.objection_no)
        elif o.result == "处理中" or o.resolved is None or o.resolved > decided:
            yield problem("objection-unresolved", **at_date, batch=batch.batch_no, objection=o.objection_no,
                          approved=decided.isoformat())
        elif o.archive_no:
            yield from _redisclosure(records, o, archive, decided, at_date)


def objections_of(records, batch):
    """The batch's own objections, then (inherited) those of the batches it discloses again:
    an objection still open there, or one about the person, still holds for this list."""
    seen = {batch.batch_no}
    inherited = False
    while batch is not None:
        for o in records.objections_by_batch.get(batch.batch_no, ()):
            yield o, inherited
        batch = records.batch_by_no.get(batch.original) if batch.original else None
        if batch is None or batch.batch_no in seen:
            return
        seen.add(batch.batch_no)
        inherited = True


def _redisclosure(records, o, archive, decided, at_date):
    again = records.batch_by_no.get(o.redisclosed_in) if o.redisclosed_in else None
    end = records.batch_end(again) if again is not None else None
    if end is not None and end < decided:
        return
    found = problem("redisclosure-missing", **at_date, objection=o.objection_no, archive=archive,
                    approved=decided.isoformat(),
                    detail=(f"重新公示批次 {again.batch_no} 到 {end.isoformat()} 才结束" if end is not None
                            else "“异议处理”中没有填写重新公示批次"))
    severity = ERROR if records.settings.redisclosure_severity == "错误" else WARNING
    yield replace(found, severity=severity)


def _closures_and_reviews(records):
    """A closure announced in a 结档公示 batch; a review no earlier than the application."""
    batches = records.batch_by_no
    for w in records.workers:
        batch = batches.get(w.close_batch) if w.close_batch else None
        if batch is not None and batch.kind and batch.kind != "结档公示":
            yield problem("disclosure-not-listed", **records.place("workers", w.row, "close_batch"),
                          batch=batch.batch_no, kind=batch.kind, what="结档")
    workers = records.worker_by_no
    for r in records.reviews:
        w = workers.get(r.archive_no)
        if w is not None and r.date and w.applied and r.date < w.applied:
            yield problem("date-order", **records.place("reviews", r.row, "date"), later="复核日期",
                          later_value=r.date.isoformat(), earlier=f"档案 {w.archive_no} 的申请日期",
                          earlier_value=w.applied.isoformat())


def _objections(records, ctx):
    batches = records.batch_by_no
    for o in records.objections:
        batch = batches.get(o.batch)
        end = records.batch_end(batch) if batch is not None else None
        if o.received and end is not None and o.received > end:
            yield problem("objection-late", **records.place("objections", o.row, "received"),
                          objection=o.objection_no, received=o.received.isoformat(), batch=batch.batch_no,
                          end=end.isoformat())
        if o.received and o.received > ctx.today:
            yield problem("date-future", **records.place("objections", o.row, "received"), column="收到日期",
                          value=o.received.isoformat(), today=ctx.today.isoformat())
        if o.result == "处理中":
            yield problem("objection-open", **records.place("objections", o.row, "result"),
                          objection=o.objection_no, received=o.received.isoformat() if o.received else "")
        elif o.result and o.resolved is None:
            yield problem("required", **records.place("objections", o.row, "resolved"), column="处理日期",
                          hint="（已有处理结果的异议须填写处理日期）")
        if o.received and o.resolved and o.resolved < o.received:
            yield problem("date-order", **records.place("objections", o.row, "resolved"), later="处理日期",
                          later_value=o.resolved.isoformat(), earlier="收到日期",
                          earlier_value=o.received.isoformat())


def _money_dates(records, ctx):
    """Income received and money spent cannot be dated after the check date."""
    for sheet, rows in (("incomes", records.incomes), ("expenses", records.expenses)):
        for rec in rows:
            if rec.date is not None and rec.date > ctx.today:
                yield problem("date-future", **records.place(sheet, rec.row, "date"), column="日期",
                              value=rec.date.isoformat(), today=ctx.today.isoformat())
