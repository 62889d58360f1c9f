"""What the dossiers' contexts look up instead of working out again gives what working it out
gives: money.yuan's texts of amounts, a batch's part of a dossier shared by every worker in it
(but not one worker's objections), and a case's cells and a payout's dates worked out when a
template asks for them."""

from datetime import date
from decimal import Decimal, InvalidOperation

import pytest

from generator import disclosure, money
from generator.private.common import show
from generator.private.dossiers import CASE_LABELS, dossier_context
from generator.records import Batch, Objection, Payout, Records, Worker

from private_station import TODAY, read_station

AMOUNTS = ["0", "-0", "0.00", "-0.00", "1.5", "1.50", "1.500", "-1.5", "0.004", "-0.004", "0.005", "-0.005",
           "1234567.005", "1E+3", "1000", "999999999.995", "12345.675", "NaN", "-NaN"]


def _uncached(amount: Decimal) -> str:
    return f"{money.quantize(amount):,.2f}"


@pytest.mark.parametrize("order", [AMOUNTS, AMOUNTS[::-1]])
def test_yuan_prints_each_amount_as_working_it_out_does_whatever_came_before(order):
    money._YUAN.clear()
    for text in [*order, *order]:  # each twice: once worked out, once looked up
        amount = Decimal(text)
        assert money.yuan(amount) == _uncached(amount), text
    assert money.yuan(Decimal("-0")) == "-0.00" and money.yuan(Decimal("0")) == "0.00"
    assert money.yuan(Decimal("1.50")) is money.yuan(Decimal("1.5"))  # equal amounts share the text
    assert money.yuan(None) == "" and money.yuan(3) == "3.00"
    assert money.yuan(Decimal("2.5"), 0) == f"{money.quantize(Decimal('2.5')):,.0f}"


def test_yuan_refuses_what_it_refused():
    for text in ("sNaN", "Infinity", "-Infinity"):
        with pytest.raises(InvalidOperation):
            money.yuan(Decimal(text))
        with pytest.raises(InvalidOperation):
            money.yuan(Decimal(text))


def test_a_batch_shared_by_workers_shows_each_their_own_objections(tmp_path):
    batches = [Batch(batch_no="B1", title="一", start=date(2026, 11, 20), days=7),  # running on TODAY
               Batch(batch_no="B2", title="二", start=date(2026, 3, 2), days=5)]
    payouts = [Payout(record_no=f"P{i}", archive_no=no, item="临时救助", batch=b, amount=Decimal("100"))
               for i, (no, b) in enumerate((("A1", "B1"), ("A2", "B1"), ("A3", "B1"), ("A1", "B2"), ("A2", "B2")))]
    objections = [Objection(objection_no="O1", batch="B1", archive_no="A2", result="成立"),
                  Objection(objection_no="O2", batch="B2", archive_no="A1", result="处理中"),
                  Objection(objection_no="O3", batch="B1", archive_no="A3", result="不成立")]
    records = Records(folder=tmp_path, workers=[Worker(archive_no=no, name=no) for no in ("A1", "A2", "A3")],
                      payouts=payouts, batches=batches, objections=objections)
    periods = disclosure.periods(records, TODAY)
    shown = {}
    for no in ("A2", "A1", "A3", "A2"):  # one periods for all: the batches' parts shared
        d = dossier_context(records, records.worker_by_no[no], TODAY, periods=periods)
        shown[no] = {b.batch_no: b.outcome for b in d.batches}
        assert d == dossier_context(records, records.worker_by_no[no], TODAY)  # alone, nothing shared
    assert shown == {
        "A1": {"B1": "公示中（2026年11月26日结束）", "B2": "有异议，处理中"},
        "A2": {"B1": "异议成立", "B2": "公示期满无异议"},
        "A3": {"B1": "有异议，经复查不成立"},
    }


def test_case_cells_and_payout_dates_match_the_printed_lines(tmp_path):
    records = read_station(tmp_path / "records")
    seen_cases = seen_payouts = 0
    for w in records.workers:
        d = dossier_context(records, w, TODAY)
        for p in d.payouts:
            assert p.dates == [(label, show(v)) for label, v in
                               zip(("申请", "核实", "批准", "告知", "发放", "回访"), p.date_values) if v]
            assert p.date_lines == "\n".join(f"{label} {value}" for label, value in p.dates)
            seen_payouts += 1
        for c in d.cases:
            assert len(c.cells) == len(c.lines) == len(CASE_LABELS)
            for label, (day, days), line in zip(CASE_LABELS, c.cells, c.lines):
                step = c.steps.get(label)
                if step is None:
                    assert (day, days, line) == ("无需", None, "无需")
                elif step.day is None:
                    assert (day, days, line) == ("—", None, "—")
                else:
                    assert day == step.day.isoformat()
                    assert days == (None if label == "申请" else step.working_days)
                    assert line == (day if days is None else f"{day}\n（{days}）")
            seen_cases += 1
    assert seen_cases and seen_payouts


def test_case_cells_worked_out_from_the_payouts_are_the_case_summarys(tmp_path):
    """A dossier's case cells are worked out from each payout's dates, without closing.case_summary:
    every kind of step (none needed: a service's receipt, a payout without a disclosed batch; no
    date; no application date; across a year's end; a batch without a start) prints what the
    summary's steps print, and the limit, verified days and verdict are the summary's."""
    from generator.private.closing import case_summary, work_calendar
    from generator.records import Item

    day = date
    batches = [Batch(batch_no="B1", title="一", start=day(2025, 12, 29), days=5), Batch(batch_no="B0", title="零")]
    kinds = [  # (method, signed, signed_on, batch, applied, verified, approved, notified, followed_up, item)
        ("银行卡", True, day(2026, 1, 9), "B1", day(2025, 12, 22), day(2025, 12, 26), day(2026, 1, 5), None,
         day(2026, 2, 1), "临时救助"),
        ("服务", None, None, None, day(2026, 3, 2), None, day(2026, 3, 9), day(2026, 3, 10), None, "法律援助"),
        ("现金", True, None, "B0", None, day(2026, 4, 1), None, None, None, "无此项目"),
        ("现金", True, day(2026, 5, 8), "B9", day(2026, 5, 1), day(2026, 5, 20), day(2026, 5, 6), day(2026, 5, 7),
         day(2026, 6, 1), "临时救助"),
    ]
    payouts = [Payout(record_no=f"P{i}", archive_no="A1", item=item, method=method, signed=signed, signed_on=signed_on,
                      batch=batch, applied=applied, verified=verified, approved=approved, notified=notified,
                      paid=day(2026, 1, 8) + (day(2026, 1, 2) - day(2026, 1, 1)) * i, followed_up=followed_up,
                      amount=Decimal("100"))
               for i, (method, signed, signed_on, batch, applied, verified, approved, notified, followed_up, item)
               in enumerate(kinds)]
    records = Records(folder=tmp_path, workers=[Worker(archive_no="A1", name="甲")], payouts=payouts,
                      batches=batches, items=[Item(name="临时救助", deadline_days=3)])
    d = dossier_context(records, records.worker_by_no["A1"], TODAY)
    assert [c.record_no for c in d.cases] == ["P0", "P1", "P2", "P3"]
    calendar = work_calendar(records)
    for c, p in zip(d.cases, payouts):
        summary = case_summary(records, p, calendar)
        steps = summary["steps"]
        expected = []
        for label in CASE_LABELS:
            s = steps.get(label)
            if s is None:
                expected.append("无需")
            elif not s.day:
                expected.append("—")
            elif label == "申请" or s.working_days is None:
                expected.append(s.day.isoformat())
            else:
                expected.append(f"{s.day.isoformat()}\n（{s.working_days}）")
        assert c.lines == expected
        assert (c.limit, c.verified_days, c.on_time) == (summary["limit"], summary["verified_days"],
                                                        summary["on_time"])
        assert c.steps is steps  # a station's own template may still read the steps
    assert d.cases[0].lines[2] == "2026-01-02\n（7）"  # the disclosure's end, across the year's end
    assert d.cases[1].lines[2] == d.cases[1].lines[6] == "无需" and d.cases[2].lines[0] == "—"


def test_cases_with_the_same_dates_share_their_cells_but_not_their_item_or_limit(tmp_path):
    """A case's cells are kept per date (dossiers._case_lines): a second case with the same
    dates, of another worker and item, prints the same cells with its own record, item, limit and
    verdict, and equals what a process without the kept cells works out."""
    from generator.private import dossiers
    from generator.records import Item

    day = date
    dates = dict(method="现金", signed=True, signed_on=day(2026, 1, 9), applied=day(2025, 12, 22),
                 verified=day(2025, 12, 30), approved=day(2026, 1, 5), paid=day(2026, 1, 8), amount=Decimal("100"))
    payouts = [Payout(record_no="P1", archive_no="A1", item="临时救助", **dates),
               Payout(record_no="P2", archive_no="A2", item="医疗救助", **dates),
               Payout(record_no="P3", archive_no="A2", item="医疗救助", **{**dates, "verified": day(2025, 12, 23)})]
    records = Records(folder=tmp_path, workers=[Worker(archive_no=no, name=no) for no in ("A1", "A2")],
                      payouts=payouts, items=[Item(name="临时救助", deadline_days=3)])
    first = dossier_context(records, records.worker_by_no["A1"], TODAY).cases
    second = dossier_context(records, records.worker_by_no["A2"], TODAY).cases
    assert [c.record_no for c in second] == ["P2", "P3"]
    assert first[0].lines == second[0].lines != second[1].lines
    assert (first[0].item, first[0].limit, first[0].verified_days, first[0].on_time) == ("临时救助", 3, 6, False)
    assert (second[0].item, second[0].limit, second[0].verified_days, second[0].on_time) == ("医疗救助", 6, 6, True)
    assert second[1].verified_days == 1 and second[1].lines[1] == "2025-12-23\n（1）"
    dossiers._LINES_AT[:] = [None, {}]  # as a new process
    assert dossier_context(records, records.worker_by_no["A2"], TODAY).cases == second
