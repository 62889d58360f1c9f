"""Dates in the order the procedure runs: 申请 → 核实 → 公示 → 批准 → 发放 → 签收;
signed receipts (有签收); objections answered; nothing done in the future."""

from __future__ import annotations

from ..problems import problem

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({
    "date-future", "date-order", "disclosure-not-listed", "disclosure-not-over", "objection-open",
    "objection-unresolved", "objection-upheld", "receipt-missing", "required",
})

_PAYOUT_STEPS = (("applied", "申请日期"), ("verified", "核实日期"), ("approved", "批准日期"),
                 ("paid", "发放日期"), ("signed_on", "签收日期"))
_FUTURE = (("verified", "核实日期"), ("approved", "批准日期"), ("paid", "发放日期"), ("signed_on", "签收日期"))


def check(records, ctx):
    yield from _payouts(records, ctx)
    yield from _workers(records, ctx)
    yield from _objections(records)


def _order(records, sheet, rec, steps):
    """Each present date is not earlier than the latest present date before it."""
    last_label = last = None
    for key, label in steps:
        value = getattr(rec, key)
        if value is None:
            continue
        if last is not None and value < last:
            yield problem("date-order", **records.place(sheet, rec.row, key), later=label,
                          later_value=value.isoformat(), earlier=last_label, earlier_value=last.isoformat())
        else:
            last_label, last = label, value


def _payouts(records, ctx):
    batches = records.batch_by_no
    today = ctx.today
    for p in records.payouts:
        yield from _order(records, "payouts", p, _PAYOUT_STEPS)
        batch = batches.get(p.batch) if p.batch else None
        if batch is not None and batch.start is not None:
            for key, label in (("applied", "申请日期"), ("verified", "核实日期")):
                value = getattr(p, key)
                if value is not None and value > batch.start:
                    yield problem("date-order", **records.place("payouts", p.row, key),
                                  later=f"公示批次 {batch.batch_no} 的开始日期", later_value=batch.start.isoformat(),
                                  earlier=label, earlier_value=value.isoformat())
                    break
        if p.paid is not None and p.approved is None:
            yield problem("required", **records.place("payouts", p.row, "approved"), column="批准日期",
                          hint="（已发放的记录须有批准日期）")
        if p.paid is not None and not p.signed and p.method != "服务":
            yield problem("receipt-missing", **records.place("payouts", p.row, "signed"),
                          amount=p.amount, paid=p.paid.isoformat())
        for key, label in _FUTURE:
            value = getattr(p, key)
            if value is not None and value > today:
                yield problem("date-future", **records.place("payouts", p.row, key), column=label,
                              value=value.isoformat(), today=today.isoformat())


def _workers(records, ctx):
    batches = records.batch_by_no
    for w in records.workers:
        yield from _order(records, "workers", w, (("applied", "申请日期"), ("registered", "建档日期"),
                                                  ("closed", "结档日期")))
        batch = batches.get(w.batch) if w.batch else None
        if batch is None or batch.start is None:
            continue
        if batch.kind and batch.kind not in ("建档公示", "结档公示"):
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
            yield from _registration_objections(records, w, batch)


def _registration_objections(records, w, batch):
    """建档 only after the batch's objections about this worker (or the whole batch) are settled."""
    here = records.place("workers", w.row, "registered")
    mine = [o for o in records.objections if o.batch == batch.batch_no]
    yield from objection_problems(mine, batch.batch_no, w.archive_no, w.registered, here, here)


def objection_problems(objections, batch_no: str, archive_no: str, decided, upheld_at: dict, open_at: dict):
    """The verdict, once, on a decision about a worker taken on `decided` (建档 or a payout's
    approval) while the objections to its 公示 stand: an objection upheld against this worker
    stops it; one about this worker or the whole batch not settled by that day is premature."""
    for o in objections:
        if o.archive_no and o.archive_no != archive_no:
            continue
        if o.result == "成立" and o.archive_no == archive_no:
            yield problem("objection-upheld", **upheld_at, batch=batch_no, archive=archive_no,
                          objection=o.objection_no)
        elif o.result == "处理中" or o.resolved is None or o.resolved > decided:
            yield problem("objection-unresolved", **open_at, batch=batch_no, objection=o.objection_no,
                          approved=decided.isoformat())


def _objections(records):
    for o in records.objections:
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
