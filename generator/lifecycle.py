"""Facts about the life of a file and of a payout, stated once.

The checks (which report what is already wrong) and the work list (`todo.py`,
which says what falls due next) both judge records by these facts, so the two
never disagree: a review is overdue in `bangfu check` exactly when the work
list shows it past its due date.

    review_due(records, worker) # the day the yearly review (年度复核) falls due
    needs_receipt(payout)       # paid, not signed, and not a service
    rejected(records, payout)   # an upheld objection ended this application
    case_steps(records, payout, calendar)   # the 办结 summary of one case
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from weakref import WeakKeyDictionary

from . import schema
from .records import is_void

# 档案管理: review every file at least once a year; the national system lists
# files unchanged for a year and registered workers never helped after a year.
REVIEW_INTERVAL = timedelta(days=365)
NEVER_HELPED_AFTER = timedelta(days=365)
UNCHANGED_AFTER = timedelta(days=365)
# closed files are kept ten years (随时脱困随时撤档，结档档案保存 10 年)
KEEP_CLOSED_YEARS = 10
# 000 (小雅镇): 6 working days for investigation, verification and reporting;
# used where the policy names no limit (a file's application, an item without 办理时限).
DEFAULT_DEADLINE_DAYS = 6


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def last_review(records, worker) -> date | None:
    """The latest of the file's 最近复核日期, its 建档日期 and its last 年度复核 row."""
    history = records.reviews_by_worker.get(worker.archive_no, ())
    dates = [d for d in (worker.reviewed, worker.registered, history[-1].date if history else None)
             if d is not None]
    return max(dates) if dates else None


def review_due(records, worker) -> date | None:
    """The last day the file may go without its yearly review; overdue after it."""
    last = last_review(records, worker)
    return last + REVIEW_INTERVAL if last is not None else None


def never_helped_due(worker) -> date | None:
    """The day a registered worker without any payout joins the national 'never helped' list."""
    return worker.registered + NEVER_HELPED_AFTER if worker.registered is not None else None


# 000: legal aid and job help are for members, migrant workers and union officers whose rights
# were infringed — most have no hardship file; they come in through reception (接待登记).
NO_FILE_NEEDED = ("法律援助", "就业援助")


def needs_file(item) -> bool:
    """Whether the item is given only to a registered hardship file (先建档、后帮扶)."""
    return item is None or item.group not in NO_FILE_NEEDED


def helped(payouts) -> bool:
    """Some payout was actually given (a rejected or withdrawn one counts for nothing)."""
    return any(p.paid and not is_void(p) for p in payouts)


def needs_receipt(payout) -> bool:
    """有签收: every payout handed over (not a service) needs the worker's signature."""
    return payout.paid is not None and not payout.signed and payout.method != "服务" and not is_void(payout)


def is_active(worker) -> bool:
    return worker.status in schema.ACTIVE_STATUS


def is_closed(worker) -> bool:
    return worker.status in schema.CLOSED_STATUS


def keep_until(worker) -> date | None:
    """The end of a closed file's ten-year keeping period."""
    if not is_closed(worker) or worker.closed is None:
        return None
    return add_years(worker.closed, KEEP_CLOSED_YEARS)


def rejected(records, payout) -> bool:
    """The application ended without aid: 不予批准 or 已撤销, or an objection upheld against the
    worker in the payout's batch. It counts for nothing and needs no further step."""
    if is_void(payout):
        return True
    if not payout.batch:
        return False
    return any(o.result == "成立" and o.archive_no == payout.archive_no
               for o in records.objections_by_batch.get(payout.batch, ()))


def deadline_days(item) -> int:
    """The item's 办理时限 in working days, or the seed's general six."""
    return (item.deadline_days if item is not None and item.deadline_days else DEFAULT_DEADLINE_DAYS)


def finished(payout) -> bool:
    """办结: paid and signed for (a service needs no signature)."""
    return payout.paid is not None and (bool(payout.signed) or payout.method == "服务")


@dataclass(frozen=True, slots=True)  # slots: made for every step of every case a dossier shows
class Step:
    label: str  # 申请 / 核实 / 公示 / 批准 / 告知 / 发放 / 签收 / 回访
    day: date | None
    working_days: int | None  # working days since the application
    detail: str = ""


def case_steps(records, payout, calendar) -> list[Step]:
    """The 办结 summary of one case: each step with its date and the working days it took
    from the application (the 有时限 of the 五有). A step without a detail depends on its
    label, the application date and its own date alone: it is made once per calendar and
    shared by every case with the same dates (a 20,000-worker station has about 100,000 cases
    but a few tens of thousands of such steps), so a case costs dictionary lookups, not a
    working-day count per step. Steps are frozen: share them, never change them."""
    p = payout
    applied = p.applied
    shared = _shared_steps(calendar)

    def step(label, day):
        key = (label, applied, day)
        found = shared.get(key)
        if found is None:
            found = shared[key] = Step(label, day, days_since_applying(calendar, p, day))
        return found

    steps = [step("申请", applied), step("核实", p.verified)]
    batch = disclosed_in(records, p)
    if batch is not None:
        end = records.batch_end(batch)
        steps.append(Step("公示", end, days_since_applying(calendar, p, end),
                          f"{batch.batch_no}，{batch.start.isoformat()} 至 {end.isoformat()}"))
    steps += [step("批准", p.approved), step("告知", p.notified), step("发放", p.paid)]
    if p.method != "服务":
        steps.append(step("签收", p.signed_on if p.signed else None))
    steps.append(step("回访", p.followed_up))
    return steps


_STEPS: WeakKeyDictionary = WeakKeyDictionary()  # calendar -> {(label, applied, day): Step}


def _shared_steps(calendar) -> dict:
    """The steps made so far with this calendar (case_steps); a calendar's days never change
    once made (WorkCalendar), so neither do the working days of its steps."""
    found = _STEPS.get(calendar)
    if found is None:
        found = _STEPS[calendar] = {}
    return found


def days_since_applying(calendar, payout, day: date | None) -> int | None:
    """A step's working days since the application (None without either date): the 办结表
    asks this for a few steps of each of tens of thousands of cases, without case_steps."""
    applied = payout.applied
    return calendar.working_days_between(applied, day) if applied and day else None


def disclosed_in(records, payout):
    """The batch whose disclosure (公示) is a step of the case, or None (no batch, or no start)."""
    batch = records.batch_by_no.get(payout.batch) if payout.batch else None
    return batch if batch is not None and batch.start is not None else None
