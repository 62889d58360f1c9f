"""Rules about one worker's file: identity, household, category, status, reviews."""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from .. import idcard, lifecycle, schema
from ..problems import problem
from ..records import per_capita
from ..standards import income_multiple

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({
    "close-disclosure-missing", "dibao-line-missing", "exit-missing-date", "household-size", "idno-birth-mismatch",
    "idno-sex-mismatch", "ineligible-category", "ineligible-migrant", "never-helped", "per-capita-mismatch",
    "register-disclosure-missing", "required", "review-overdue",
})
# the tables this check reads (checks.run_checks runs it on a view of exactly these, and
# keeps its problems while they do not change)
TABLES = ("settings", "workers", "members", "reviews", "payouts", "batches", "categories", "dibao_lines",
          "items", "calendar", "places")
# the columns of the payouts it reads (lines_in_use; lifecycle.helped): CheckCache keeps its
# problems while these are unchanged, so an edited payout amount does not run it again
COLUMNS = {"payouts": ("row", "archive_no", "item", "applied", "state", "paid")}

TOLERANCE = Decimal("1.00")  # clerks round the per-capita figure to whole yuan


def check(records, ctx):
    if "workers" not in records.places:
        return
    yield from _identity(records, "workers", records.workers)
    yield from _identity(records, "members", records.members)
    helped = records.payouts_by_worker
    members = records.members_by_worker
    for w in records.workers:
        computed = per_capita(w)
        yield from _household(records, w, members.get(w.archive_no, ()), computed)
        yield from _category_at(records, "workers", w.row, w.archive_no, w.category, w.applied,
                                computed if computed is not None else w.per_capita)
        yield from _status(records, w, ctx, helped)
        yield from _migrant(records, w)
        yield from _disclosed(records, w)
    yield from _reviews(records)
    yield from _lines(records)


def _identity(records, key, rows):
    for rec in rows:
        number = rec.id_number
        if not number:
            continue
        born = idcard.birth_date(number)
        if born and rec.birth_date and born != rec.birth_date:
            yield problem("idno-birth-mismatch", **records.place(key, rec.row, "birth_date"),
                          value=rec.birth_date.isoformat(), expected=born.isoformat())
        sex = idcard.sex(number)
        if sex and rec.sex and sex != rec.sex:
            yield problem("idno-sex-mismatch", **records.place(key, rec.row, "sex"),
                          value=rec.sex, expected=sex)


def _household(records, w, members, computed):
    if "members" in records.places and w.household_size and members:
        if w.household_size != len(members) + 1:
            yield problem("household-size", **records.place("workers", w.row, "household_size"),
                          archive=w.archive_no, value=w.household_size, members=len(members),
                          expected=len(members) + 1)
    if computed is not None and w.per_capita is not None and abs(computed - w.per_capita) > TOLERANCE:
        yield problem("per-capita-mismatch", **records.place("workers", w.row, "per_capita"),
                      value=w.per_capita, expected=computed)


def _category_at(records, sheet, row, archive, category, day, income):
    """The category's income limit with the 低保 line of the assessment's own year."""
    cat = records.category_by_name.get(category)
    if cat is None or cat.multiple is None or day is None:
        return
    line = records.dibao_line(day.year)
    if line is None or income is None:
        return
    limit = (line * cat.multiple).quantize(Decimal("0.01"))
    if income >= limit:
        yield problem("ineligible-category", **records.place(sheet, row, "category"),
                      archive=archive, category=category, limit=limit, income=income)


def _reviews(records):
    """Each 年度复核 row: its per-capita figure and its category, with that year's line."""
    for r in records.reviews:
        computed = per_capita(r)
        if computed is not None and r.per_capita is not None and abs(computed - r.per_capita) > TOLERANCE:
            yield problem("per-capita-mismatch", **records.place("reviews", r.row, "per_capita"),
                          value=r.per_capita, expected=computed)
        yield from _category_at(records, "reviews", r.row, r.archive_no, r.category, r.date,
                                computed if computed is not None else r.per_capita)


def lines_in_use(records) -> dict[int, set[str]]:
    """year -> what needs that year's 低保 line (income conditions, categories)."""
    years: dict[int, set[str]] = {}
    items = records.item_by_name
    payouts = records.payouts
    # each distinct (item, date, state) once: a station has far fewer of them than payouts
    for name, applied, state in set(zip(map(attrgetter("item"), payouts), map(attrgetter("applied"), payouts),
                                        map(attrgetter("state"), payouts))):
        item = items.get(name)
        if item is not None and applied and state not in schema.VOID_STATES and income_multiple(item) is not None:
            years.setdefault(applied.year, set()).add("帮扶发放")
    categories = records.category_by_name
    for sheet, rows, when in (("困难职工", records.workers, "applied"), ("年度复核", records.reviews, "date")):
        for rec in rows:
            cat = categories.get(rec.category)
            day = getattr(rec, when)
            if cat is not None and cat.multiple is not None and day is not None:
                years.setdefault(day.year, set()).add(sheet)
    return years


def _lines(records):
    if "dibao_lines" not in records.places:
        return
    for year, usage in sorted(lines_in_use(records).items()):
        if records.dibao_line(year) is None:
            yield problem("dibao-line-missing", **records.place("dibao_lines"), year=year,
                          usage="、".join(f"“{u}”记录" for u in sorted(usage)))


def _disclosed(records, w):
    """建档公示 and 结档公示, where the station's procedure requires them."""
    s = records.settings
    if s.register_disclosure and w.registered and not w.batch:
        yield problem("register-disclosure-missing", **records.place("workers", w.row, "batch"),
                      archive=w.archive_no)
    if s.close_disclosure and w.status in ("脱困", "注销") and not w.close_batch:
        yield problem("close-disclosure-missing", **records.place("workers", w.row, "close_batch"),
                      archive=w.archive_no, status=w.status)


def _status(records, w, ctx, helped):
    if w.status in schema.CLOSED_STATUS:
        for key in ("closed", "exit_reason"):
            if getattr(w, key) is None:
                yield problem("exit-missing-date", **records.place("workers", w.row, key),
                              status=w.status, column=schema.WORKERS.column(key).name)
    if w.status in schema.ACTIVE_STATUS:
        if w.registered is None:
            yield problem("exit-missing-date", **records.place("workers", w.row, "registered"),
                          status=w.status, column="建档日期")
            return
        if ctx.today > lifecycle.review_due(records, w):
            yield problem("review-overdue", **records.place("workers", w.row, "reviewed"),
                          archive=w.archive_no, last=lifecycle.last_review(records, w).isoformat())
        if ctx.today > lifecycle.never_helped_due(w) and not lifecycle.helped(helped.get(w.archive_no, ())):
            yield problem("never-helped", **records.place("workers", w.row, "archive_no"),
                          archive=w.archive_no, since=w.registered.isoformat())


def _migrant(records, w):
    if w.work_status != "农民工":
        return
    if w.joined is None:
        yield problem("required", **records.place("workers", w.row, "joined"), column="入职日期",
                      hint="（农民工须填写入职日期，满一年方可认定）")
        return
    if w.applied and lifecycle.add_years(w.joined, 1) > w.applied:
        yield problem("ineligible-migrant", **records.place("workers", w.row, "joined"),
                      archive=w.archive_no, joined=w.joined.isoformat(), applied=w.applied.isoformat())
