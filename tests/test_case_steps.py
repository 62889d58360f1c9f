"""The 办结 steps of a case (lifecycle.case_steps) are shared between cases with the same dates,
per work calendar: the same steps and working days as counting day by day, whatever the order
the cases are asked in, and a calendar with another schedule never gets another's steps."""

import dataclasses
from datetime import date

import pytest

from generator import lifecycle
from generator.workdays import WorkCalendar

from private_station import read_station


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return read_station(tmp_path_factory.mktemp("steps") / "records")


def reference(records, p, calendar):
    """The steps as worked out without sharing: each working-day count day by day."""
    def days(day):
        return calendar._count(p.applied, day) if p.applied and day else None

    out = [("申请", p.applied, days(p.applied), ""), ("核实", p.verified, days(p.verified), "")]
    batch = lifecycle.disclosed_in(records, p)
    if batch is not None:
        end = records.batch_end(batch)
        out.append(("公示", end, days(end), f"{batch.batch_no}，{batch.start.isoformat()} 至 {end.isoformat()}"))
    out += [(label, day, days(day), "") for label, day in (("批准", p.approved), ("告知", p.notified),
                                                           ("发放", p.paid))]
    if p.method != "服务":
        day = p.signed_on if p.signed else None
        out.append(("签收", day, days(day), ""))
    out.append(("回访", p.followed_up, days(p.followed_up), ""))
    return out


def as_tuples(steps):
    return [(s.label, s.day, s.working_days, s.detail) for s in steps]


def test_steps_match_counting_day_by_day_in_any_order(records):
    payouts = [p for p in records.payouts if p.applied]
    assert len(payouts) >= 10
    calendar = WorkCalendar.from_records(records)
    forward = [as_tuples(lifecycle.case_steps(records, p, calendar)) for p in payouts]
    backward = [as_tuples(lifecycle.case_steps(records, p, WorkCalendar.from_records(records)))
                for p in reversed(payouts)][::-1]
    expected = [reference(records, p, WorkCalendar.from_records(records)) for p in payouts]
    assert forward == backward == expected
    assert any(s[2] for steps in expected for s in steps)  # some step took working days


def test_cases_with_the_same_dates_share_their_steps(records):
    calendar = WorkCalendar.from_records(records)
    p = next(p for p in records.payouts if p.applied and p.paid)
    twin = dataclasses.replace(p, record_no="FF-TWIN")
    first, second = lifecycle.case_steps(records, p, calendar), lifecycle.case_steps(records, twin, calendar)
    assert [s.label for s in first] == [s.label for s in second]
    shared = [(a is b) for a, b in zip(first, second) if a.label != "公示"]
    assert shared and all(shared)
    with pytest.raises(dataclasses.FrozenInstanceError):  # shared, so never changed
        first[0].working_days = 1


def test_another_calendar_gets_its_own_working_days(records):
    p = next(p for p in records.payouts if p.applied and p.paid and p.paid > p.applied)
    plain = WorkCalendar.from_records(records)
    paid = next(s for s in lifecycle.case_steps(records, p, plain) if s.label == "发放")
    # every day between applying and payment declared a rest day: no working days at all
    rest = {date.fromordinal(n): False for n in range(p.applied.toordinal() + 1, p.paid.toordinal() + 1)}
    other = WorkCalendar(rest)
    again = next(s for s in lifecycle.case_steps(records, p, other) if s.label == "发放")
    assert paid.working_days > 0
    assert again.working_days == 0
    assert next(s for s in lifecycle.case_steps(records, p, plain) if s.label == "发放") is paid
