"""Demo payouts (帮扶发放): exactly the requested number, each one allowed.

Every payout is a candidate first: a worker, an item whose conditions the
household meets, and a disclosure round (or, for items without 公示, a day).
Required picks come first (each round and item used, the running round
filled, every file registered over a year ago helped at least once); the rest
are drawn by item weight. A pick is refused when it would break the item's
frequency (一次性 / 每年 / 每学年 / 每个节日季 / 每季度, per household or per student)
or give one worker two payouts in one round (a second student of the same family
excepted: two children in high school get two).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..checks.business import is_4050
from ..standards import period, routes, standard_amount
from ..workdays import WorkCalendar
from .family import school_stage, serious, years_in_stage
from .people import Worker
from .policy import ITEM_BY_NAME, STAFF
from .schedule import Calendar, Round, add_workdays, next_workday, workdays_in

CAL = WorkCalendar()

WEIGHTS = {"两节送温暖": 3.0, "生活救助": 1.2, "生活救助（残疾补助）": 1.5, "医疗救助（大病）": 2.0,
           "医疗救助（工伤）": 2.0, "大病救助": 0.7, "助学（高中）": 1.5, "助学（大学）": 2.0,
           "金秋助学（高中）": 2.5, "金秋助学（大学）": 2.5, "夏送清凉": 1.0, "法律援助": 0.6,
           "就业援助": 0.8}
INCOME_CATEGORIES = {"低于低保线": ("深度困难",), "低于2倍低保线": ("深度困难", "相对困难")}
MEDICAL = ("医疗救助（大病）", "大病救助", "医疗救助（工伤）", "生活救助（残疾补助）")
ROUND_ITEMS = {
    "两节": ("两节送温暖", "生活救助") + MEDICAL,
    "春季": ("生活救助",) + MEDICAL,
    "冬季": ("生活救助",) + MEDICAL,
    "金秋": ("金秋助学（高中）", "金秋助学（大学）", "助学（高中）", "助学（大学）", "生活救助"),
}
MARGIN = 25  # calendar days kept free after a service's application for its steps
CAMPAIGN = {"两节送温暖": "两节送温暖", "夏送清凉": "夏送清凉"}


@dataclass(eq=False)
class Payout:
    worker: Worker
    item: str
    round: Round | None
    applied: date
    verified: date | None = None
    approved: date | None = None
    paid: date | None = None
    amount: Decimal = Decimal(0)
    base_amount: Decimal | None = None
    fund: str = ""
    method: str = "银行卡"
    signed: bool = False
    signed_on: date | None = None
    followed_up: date | None = None
    follow_up: str | None = None
    campaign: str | None = None
    beneficiary: str | None = None
    state: str | None = None
    notified: date | None = None
    clerk: str = STAFF[0]
    note: str | None = None
    record_no: str = ""

    @property
    def archive_no(self) -> str:
        return self.worker.archive_no

    @property
    def name(self) -> str:
        return self.worker.name

    @property
    def batch(self) -> str | None:
        return self.round.batch_no if self.round else None


@dataclass(eq=False, slots=True)
class Candidate:
    worker: Worker
    item: str
    round: Round | None
    day: date | None  # the application day of a payout without disclosure
    period: object
    lo: date | None = None  # application window of a round payout
    hi: date | None = None
    beneficiary: str | None = None  # the student, for items counted per beneficiary


def eligible_items(w, round_label: str, year: int) -> list[str]:
    out = []
    stages = [(school_stage(c["birth_date"], year), years_in_stage(c["birth_date"], year)) for c in w.children]
    for name in ROUND_ITEMS.get(round_label, ()):
        item = ITEM_BY_NAME[name]
        cats = INCOME_CATEGORIES.get(item["income_rule"])
        if cats and w.category not in cats and w.category not in routes(_Item(item)):
            continue
        if _fits(w, name, stages):
            out.append(name)
    return out


def _fits(w, name: str, stages: list) -> bool:
    """Whether the household meets the item's 对象条件; stages: (stage, year in it) per child."""
    if name in ("医疗救助（大病）", "大病救助"):
        return serious(w)
    if name == "医疗救助（工伤）":
        return w.cause == "遭受意外事故" and w.work_status in ("在岗", "农民工", "病休")
    if name == "生活救助（残疾补助）":
        return w.disability != "无"
    if name in ("助学（高中）", "金秋助学（高中）"):
        return any(s == "高中" for s, _ in stages)
    if name == "金秋助学（大学）":
        return any(s == "大学" for s, _ in stages)
    if name == "助学（大学）":
        return any(s == "大学" and n == 1 for s, n in stages)
    return True


def _period(item: str, day: date):
    """The frequency period as the checker counts it; the demo keeps 一次性 to one per household."""
    if ITEM_BY_NAME[item]["frequency"] == "一次性":
        return "ever"
    return period(_Item(ITEM_BY_NAME[item]), day)


def students(w, name: str, year: int) -> list:
    """The children an item counted per student can be given for, in `year`'s school year."""
    out = []
    for c in w.children:
        stage, n = school_stage(c["birth_date"], year), years_in_stage(c["birth_date"], year)
        if _fits(w, name, [(stage, n)]):
            out.append(c["name"])
    return out


def candidates(rng, workers: list, cal: Calendar) -> list[Candidate]:
    out = []
    for r in cal.aid:
        lo, hi = r.window(cal.data_start)
        if lo > hi:
            continue
        latest_pay = add_workdays(r.approve, 4) if r.approve else None
        for w in workers:
            if w.registered is None or w.registered >= hi:
                continue
            if w.closed and (r.running or w.closed < latest_pay):
                continue
            first = max(lo, next_workday(w.registered + timedelta(days=1)))
            if first > hi:
                continue
            for item in eligible_items(w, r.label, r.year):
                if ITEM_BY_NAME[item]["frequency_unit"] == "每名受助对象":
                    for child in students(w, item, r.year):
                        out.append(Candidate(w, item, r, None, _period(item, lo), first, hi, child))
                else:
                    out.append(Candidate(w, item, r, None, _period(item, lo), first, hi))
    out.extend(_without_disclosure(rng, workers, cal))
    return out


def _without_disclosure(rng, workers: list, cal: Calendar) -> list[Candidate]:
    """夏送清凉 in July; 法律援助 and 就业援助 on any working day."""
    out = []
    last = cal.today - timedelta(days=MARGIN)
    for year in range(cal.first_year, cal.today.year + 1):
        summer = workdays_in(date(year, 7, 1), date(year, 7, 15))
        for w in workers:
            if w.registered is None:
                continue
            end = min(w.closed - timedelta(days=MARGIN), last) if w.closed else last
            if w.work_status in ("在岗", "农民工"):
                day = rng.choice(summer)
                if w.registered < day <= end:
                    out.append(Candidate(w, "夏送清凉", None, day, year))
            lo = max(w.registered + timedelta(days=1), date(year, 1, 1))
            hi = min(end, date(year, 12, 31))
            if lo >= hi:
                continue
            day = next_workday(lo + timedelta(days=rng.randrange((hi - lo).days)))
            if day > hi:
                continue
            if _jobseeker(w, day):
                out.append(Candidate(w, "就业援助", None, day, None))
            elif w.work_status == "农民工" or rng.random() < 0.3:
                out.append(Candidate(w, "法律援助", None, day, None))
    return out


def _jobseeker(w, day: date) -> bool:
    return w.work_status in ("下岗", "失业") or (w.work_status not in ("退休", "内退") and is_4050(w, day))


class Picker:
    """Takes candidates while the frequency and one-per-round rules allow."""

    def __init__(self):
        self.taken: list[Candidate] = []
        self.count: dict = {}
        self.rounds: set = set()
        self.ids: set = set()

    def take(self, c: Candidate) -> bool:
        if id(c) in self.ids:
            return False
        item = ITEM_BY_NAME[c.item]
        if c.round is not None and (c.worker.index, id(c.round), c.beneficiary) in self.rounds:
            return False
        key = (c.worker.index, c.item, c.period, c.beneficiary)
        limit = 1 if item["frequency"] == "一次性" else item["max_times"]
        if c.period is not None and limit is not None and self.count.get(key, 0) >= limit:
            return False
        self.count[key] = self.count.get(key, 0) + 1
        if c.round is not None:
            self.rounds.add((c.worker.index, id(c.round), c.beneficiary))
        self.ids.add(id(c))
        self.taken.append(c)
        return True


def select(rng, pool: list[Candidate], wanted: int, cal: Calendar, workers: list,
           objection_round: Round | None) -> list[Candidate]:
    picker = Picker()
    by_round: dict[int, list[Candidate]] = {}
    by_item: dict[str, list[Candidate]] = {}
    by_worker: dict[int, list[Candidate]] = {}
    for c in pool:
        by_round.setdefault(id(c.round), []).append(c)
        by_item.setdefault(c.item, []).append(c)
        by_worker.setdefault(c.worker.index, []).append(c)
    required: list[list[Candidate]] = []  # each inner list: take one (or more) of these
    if objection_round is not None:
        in_round = by_round.get(id(objection_round), [])
        required.append([c for c in in_round if c.item.startswith("金秋助学")])
        required += [in_round] * 3
    siblings: dict = {}  # two students of one family in one round: each gets their own
    for c in pool:
        if c.beneficiary and c.round is not None and not c.round.running:
            siblings.setdefault((c.worker.index, id(c.round), c.item), []).append(c)
    pair = next((cs for _, cs in sorted(siblings.items(), key=lambda kv: kv[0][0]) if len(cs) >= 2), None)
    if pair is not None:
        required += [[pair[0]], [pair[1]]]
    running = cal.running("帮扶公示")
    if running is not None:
        required += [by_round.get(id(running), [])] * 3
    required += [by_item[name] for name in ITEM_BY_NAME if name in by_item]
    required += [by_round.get(id(r), []) for r in cal.aid if not r.running]
    old = cal.today - timedelta(days=366)
    for w in workers:
        if w.status == "在档" and w.registered and w.registered < old:
            required.append([c for c in by_worker.get(w.index, []) if not (c.round and c.round.running)])
    for options in required:
        if len(picker.taken) >= wanted:
            break
        options = list(options)
        rng.shuffle(options)
        for c in options:
            if picker.take(c):
                break
    keyed = sorted(((-math.log(1.0 - rng.random()) / WEIGHTS[c.item], i) for i, c in enumerate(pool)))
    for _, i in keyed:
        if len(picker.taken) >= wanted:
            break
        picker.take(pool[i])
    _top_up(rng, picker, wanted, workers, cal)
    return picker.taken


def _top_up(rng, picker: Picker, wanted: int, workers: list, cal: Calendar) -> None:
    """More services (不限 frequency) when the drawn candidates run out."""
    helped = [w for w in workers if w.registered and w.registered < cal.today - timedelta(days=20)]
    tries = 0
    while len(picker.taken) < wanted and helped and tries < 50 * wanted:
        tries += 1
        w = rng.choice(helped)
        last = cal.today - timedelta(days=MARGIN)
        end = min(w.closed - timedelta(days=MARGIN), last) if w.closed else last
        if end <= w.registered:
            continue
        day = next_workday(w.registered + timedelta(days=1 + rng.randrange((end - w.registered).days)))
        if day <= end:
            picker.take(Candidate(w, "就业援助" if _jobseeker(w, day) else "法律援助", None, day, None))


def make_payouts(rng, workers: list, cal: Calendar, wanted: int, objection_round: Round | None) -> list[Payout]:
    pool = candidates(rng, workers, cal)
    chosen = select(rng, pool, wanted, cal, workers, objection_round)
    payouts = [_dated(rng, c, cal.today) for c in chosen]
    payouts.sort(key=lambda p: (p.applied, p.worker.archive_no, p.item))
    _number(payouts)
    for p in payouts:
        if p.round is not None:
            p.round.payouts.append(p)
    return payouts


def _dated(rng, c: Candidate, today: date) -> Payout:
    item = ITEM_BY_NAME[c.item]
    if c.round is not None:  # within the window and the frequency period the pick was made for
        applied = rng.choice([d for d in workdays_in(c.lo, c.hi) if _period(c.item, d) == c.period])
        room = CAL.working_days_between(applied, c.round.start)
        verified = add_workdays(applied, rng.randint(1, min(4, room)))
    else:
        applied = c.day
        verified = add_workdays(applied, rng.randint(1, 4 if item["deadline_days"] >= 6 else 5))
    p = Payout(c.worker, c.item, c.round, applied, verified, campaign=_campaign(c), beneficiary=c.beneficiary)
    p.amount, p.base_amount = _amount(rng, item)
    p.clerk = rng.choice(STAFF[::2])
    if c.round is not None and c.round.running:
        return p
    approved = c.round.approve if c.round is not None else add_workdays(verified, rng.randint(1, 2))
    settle(rng, p, approved, today)
    return p


def settle(rng, p: Payout, approved: date, today: date) -> None:
    """Approval, payment and receipt on or after `approved`, never after today or the file's closing."""
    item = ITEM_BY_NAME[p.item]
    limit = min(today, p.worker.closed) if p.worker.closed else today
    p.approved = approved
    p.paid = min(add_workdays(approved, rng.randint(0, 3)), limit)
    if p.paid < approved:
        p.paid = approved
    if item["standard"] == "非现金":
        p.method = "服务"
    elif p.item == "夏送清凉":
        p.method = "实物"
    elif p.item == "两节送温暖" and rng.random() < 0.3:
        p.method = "现金"
    else:
        p.method = "银行卡"
    p.signed = True
    p.signed_on = min(p.paid + timedelta(days=rng.choice((0, 0, 0, 1, 2))), limit) \
        if p.method == "银行卡" else p.paid
    if p.signed_on < p.paid:
        p.signed_on = p.paid


def _campaign(c: Candidate) -> str | None:
    if c.item in CAMPAIGN:
        return CAMPAIGN[c.item]
    if c.round is not None and c.round.label == "金秋" and ITEM_BY_NAME[c.item]["group"] == "助学":
        return "金秋助学"
    if c.item == "就业援助" and c.day is not None and c.day.month in (2, 3):
        return "春风行动"
    return None


def _amount(rng, item: dict) -> tuple[Decimal, Decimal | None]:
    if item["standard"] == "比例封顶":
        base = Decimal(rng.randint(6000, 20000)) + Decimal(rng.randrange(0, 100, 5)) / 100
        return standard_amount(_Item(item), base), base
    if item["standard"] == "非现金":
        return Decimal(0), None
    return item["fixed"], None


class _Item:
    """The attribute view of an item dict that generator.standards expects."""

    def __init__(self, item: dict):
        self.__dict__.update(item)


def _number(payouts: list[Payout]) -> None:
    per_year: dict = {}
    for p in payouts:
        per_year[p.applied.year] = per_year.get(p.applied.year, 0) + 1
    width = max(4, len(str(max(per_year.values(), default=1))))
    seen: dict = {}
    for p in payouts:
        seen[p.applied.year] = seen.get(p.applied.year, 0) + 1
        p.record_no = f"FF-{p.applied.year}-{seen[p.applied.year]:0{width}d}"
