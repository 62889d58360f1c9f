"""有时限: verification within the item's deadline in working days (official calendar),
for finished cases and, as of the check date, for open ones; the calendar of years the
holiday package does not know (调休安排 rows, else Monday–Friday with a warning)."""

from __future__ import annotations

from ..problems import problem
from ..records import is_void
from ..workdays import WorkCalendar

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"calendar-next-year", "calendar-unknown", "deadline", "deadline-open"})
# the tables this check reads (checks.run_checks runs it on a view of exactly these, and
# keeps its problems while they do not change)
TABLES = ("settings", "payouts", "items", "calendar", "places")
# the columns of the payouts it reads (CheckCache keeps its problems while these are unchanged)
COLUMNS = {"payouts": ("row", "item", "applied", "verified", "approved", "paid", "state")}


def check(records, ctx):
    calendar = WorkCalendar.from_records(records)
    if "payouts" in records.places:
        items = records.item_by_name
        for p in records.payouts:
            item = items.get(p.item)
            if item is None or not item.deadline_days or p.applied is None:
                continue
            if p.verified is not None:
                used = calendar.working_days_between(p.applied, p.verified)
                if used > item.deadline_days:
                    yield problem("deadline", **records.place("payouts", p.row, "verified"), item=item.name,
                                  days=item.deadline_days, applied=p.applied.isoformat(),
                                  verified=p.verified.isoformat(), used=used)
            elif not is_void(p) and p.approved is None and p.paid is None and p.applied <= ctx.today:
                used = calendar.working_days_between(p.applied, ctx.today)
                if used > item.deadline_days:
                    yield problem("deadline-open", **records.place("payouts", p.row, "verified"),
                                  item=item.name, days=item.deadline_days, applied=p.applied.isoformat(),
                                  today=ctx.today.isoformat(), used=used)
    for year in sorted(calendar.unknown_years):
        yield problem("calendar-unknown", **records.place("calendar"), year=year)
    coming = ctx.today.year + 1
    if ctx.today.month >= 11 and not calendar.knows(coming) and coming not in calendar.unknown_years:
        yield problem("calendar-next-year", **records.place("calendar"), year=coming)
