"""有时限: verification within the item's deadline in working days (official calendar)."""

from __future__ import annotations

from ..problems import problem
from ..workdays import WorkCalendar

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"calendar-unknown", "deadline"})


def check(records, ctx):
    if "payouts" not in records.places:
        return
    calendar = WorkCalendar.from_records(records)
    items = records.item_by_name
    for p in records.payouts:
        item = items.get(p.item)
        if item is None or not item.deadline_days or p.applied is None or p.verified is None:
            continue
        used = calendar.working_days_between(p.applied, p.verified)
        if used > item.deadline_days:
            yield problem("deadline", **records.place("payouts", p.row, "verified"), item=item.name,
                          days=item.deadline_days, applied=p.applied.isoformat(),
                          verified=p.verified.isoformat(), used=used)
    for year in sorted(calendar.unknown_years):
        yield problem("calendar-unknown", **records.place("calendar"), year=year)
