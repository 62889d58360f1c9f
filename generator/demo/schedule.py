"""The demo's calendar: three years ending on `today`, with the station's
disclosure rounds (建档公示 and 帮扶公示) at the usual times of year.

Each round becomes one 公示批次. Dates are working days on the official
calendar (generator.workdays), so the deadline check sees realistic gaps. The
last round of each kind is running on `today` (started four days before).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from ..workdays import WorkCalendar

DAYS = 7  # disclosure period of every demo batch (the station setting)
CAL = WorkCalendar()

REG = "建档公示"
AID = "帮扶公示"

# (month, day, label) of the yearly rounds; the first year opens with an extra
# registration round so that assistance can start in January
REG_FIRST_YEAR = ((1, 10), (4, 15), (10, 14))
REG_YEARS = ((3, 16), (9, 14))
AID_ROUNDS = (("两节", 1, 15), ("春季", 5, 13), ("金秋", 8, 11), ("冬季", 11, 11))
FIRST_TWO_FESTIVALS = (1, 29)  # after the first registration round has ended


def is_workday(day: date) -> bool:
    return CAL.is_workday(day)


def next_workday(day: date) -> date:
    """`day` itself when it is a working day, else the next one."""
    while not CAL.is_workday(day):
        day += timedelta(days=1)
    return day


def prev_workday(day: date) -> date:
    while not CAL.is_workday(day):
        day -= timedelta(days=1)
    return day


def add_workdays(day: date, n: int) -> date:
    if n <= 0:
        return day
    return CAL.add_working_days(day, n)


def sub_workdays(day: date, n: int) -> date:
    while n > 0:
        day -= timedelta(days=1)
        if CAL.is_workday(day):
            n -= 1
    return day


@lru_cache(maxsize=4096)
def workdays_in(lo: date, hi: date) -> tuple[date, ...]:
    out, day = [], lo
    while day <= hi:
        if CAL.is_workday(day):
            out.append(day)
        day += timedelta(days=1)
    return tuple(out)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass
class Round:
    kind: str  # REG or AID
    label: str  # 两节 / 春季 / 金秋 / 冬季 / 建档 / 重新公示
    start: date
    running: bool = False
    approve: date | None = None  # the approval meeting after the period (None while running)
    batch_no: str = ""
    title: str = ""
    original: Round | None = None
    payouts: list = field(default_factory=list)
    workers: list = field(default_factory=list)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=DAYS - 1)

    @property
    def year(self) -> int:
        return self.start.year

    def window(self, earliest: date) -> tuple[date, date]:
        """Application dates for this round: same quarter, at least 2 working days before the start."""
        lo = max(self.start - timedelta(days=28), quarter_start(self.start), earliest)
        return next_workday(lo), sub_workdays(self.start, 2)


@dataclass
class Calendar:
    today: date
    first_year: int
    reg: list
    aid: list

    @property
    def data_start(self) -> date:
        return next_workday(date(self.first_year, 1, 2))

    def running(self, kind: str) -> Round | None:
        rounds = self.reg if kind == REG else self.aid
        return next((r for r in rounds if r.running), None)


def build_calendar(today: date) -> Calendar:
    first = today.year - 2
    running_start = prev_workday(today - timedelta(days=4))
    cutoff = running_start - timedelta(days=30)
    reg, aid = [], []
    for year in range(first, today.year + 1):
        for month, day in (REG_FIRST_YEAR if year == first else REG_YEARS):
            reg.append(Round(REG, "建档", next_workday(date(year, month, day))))
        for label, month, day in AID_ROUNDS:
            if year == first and label == "两节":
                month, day = FIRST_TWO_FESTIVALS
            aid.append(Round(AID, label, next_workday(date(year, month, day))))
    reg = [r for r in reg if r.start <= cutoff]
    aid = [r for r in aid if r.start <= cutoff]
    reg.append(Round(REG, "建档", running_start, running=True))
    aid.append(Round(AID, _season(running_start), running_start, running=True))
    for r in reg + aid:
        if not r.running:
            r.approve = add_workdays(r.end, 1)
    return Calendar(today, first, reg, aid)


def _season(day: date) -> str:
    return {1: "两节", 2: "春季", 3: "金秋", 4: "冬季"}[(day.month - 1) // 3 + 1]
