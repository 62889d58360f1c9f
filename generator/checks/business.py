"""Rules on each payout: eligibility on the figures of its own date, amount within the
standard, frequency per unit and period, the item's own conditions, and disclosure
before approval (公示无异议后批准, re-disclosed after an objection).

Rejected and cancelled payouts (办理状态 不予批准/已撤销) were never approved or paid: they
count for nothing here, and must not carry a payout date.
"""

from __future__ import annotations

from datetime import date

from .. import lifecycle, schema
from ..money import CENT
from ..problems import problem
from ..standards import (
    describe,
    frequency_text,
    income_multiple,
    period,
    period_label,
    route_kind,
    routes,
    standard_amount,
    times_line,
    unit,
)
from .timeline import objection_problems, objections_of

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({
    "amount-base-missing", "amount-not-cash", "amount-over-standard", "amount-under-standard",
    "beneficiary-unknown", "date-order", "disclosure-missing", "disclosure-not-listed", "disclosure-not-over",
    "frequency", "ineligible-income", "ineligible-needs", "ineligible-status", "item-standard-incomplete",
    "money-zero", "route-unknown", "void-paid",
})
# the tables this check reads (checks.run_checks runs it on a view of exactly these, and
# keeps its problems while they do not change)
TABLES = ("settings", "workers", "members", "reviews", "payouts", "batches", "objections", "categories",
          "dibao_lines", "items", "calendar", "places")
# a payout's problems depend on the payouts of its own archive number only (the frequency is
# counted per worker), the policy's on no payout: after a payout changed, CheckCache runs the
# rules again on the payouts of the workers concerned only (checks.CheckCache.by_worker)
BY_WORKER = True


def check(records, ctx):
    yield from _items(records)
    if "payouts" not in records.places:
        return
    workers = records.worker_by_no
    items = records.item_by_name
    plans = {name: _Plan(item) for name, item in items.items()}
    seen: dict = {}
    member_names: dict = {}
    concerned: dict = {}  # batch number -> whom its objections concern (_disclosure)
    for p in sorted(records.payouts, key=lambda p: (p.applied or p.paid or ctx.today, p.row)):
        if p.state in schema.VOID_STATES:  # is_void, inline: once per payout
            if p.paid is not None:
                yield from _void(records, p)
            continue
        w = workers.get(p.archive_no)
        plan = plans.get(p.item)
        item = plan.item if plan is not None else None
        if w is not None and (plan.needs_file if plan is not None else True):
            given = p.approved or p.paid
            if given and (w.status in ("申请", "公示中") or (w.registered and given < w.registered)
                          or (w.closed and p.paid and p.paid > w.closed)):
                yield from _status(records, p, w)
            if p.beneficiary and p.beneficiary != w.name:
                yield from _beneficiary(records, p, w, member_names)
        if item is None:
            continue
        amount = p.amount
        # the amount the standard fixes, or a cap it stays within, nothing in kind, or within
        # the share of the base (比例封顶): nothing to report (fast path)
        if amount is not None and not (amount == plan.fixed or (plan.capped and 0 < amount <= plan.cap)
                                       or (plan.in_kind and amount == 0)
                                       or (plan.shares is not None and _within_share(plan, p.base_amount, amount))):
            yield from _amount(records, p, item)
        if plan.limits and (p.applied or p.paid) is not None:
            found = _frequency(records, p, item, seen, plan)
            if found is not None:
                yield found
        if w is not None:
            if plan.multiple is not None and p.applied is not None:
                found = _income(records, p, w, item, plan)
                if found is not None:
                    yield found
            if item.needs:
                yield from _needs(records, p, w, item)
        if plan.disclosed:
            found = _disclosure(records, p, item, concerned)
            if found:
                yield from found


class _Plan:
    """What the rules need of one item, worked out once per check instead of per payout."""
    __slots__ = ("item", "needs_file", "limits", "per_person", "multiple", "routes", "route_set", "disclosed",
                 "fixed", "capped", "cap", "limit", "periods", "lines", "in_kind", "shares")

    def __init__(self, item):
        self.item = item
        self.needs_file = lifecycle.needs_file(item)
        self.limits = period(item, _ANY_DAY) is not None  # the kind decides, not the day
        self.per_person = unit(item) == "每名受助对象"
        self.multiple = income_multiple(item)
        self.routes = routes(item)
        self.route_set = frozenset(self.routes)
        self.disclosed = bool(item.needs_disclosure)
        self.limit = item.max_times or 1
        self.periods: dict = {}  # day -> the period it counts in (_frequency)
        self.lines: dict = {}  # year -> (低保 line, income limit) or None without a line (_income)
        # _amount finds nothing in an amount equal to a 固定金额 (over, under and zero all
        # need it to differ), nor in one above zero and within an 按实际 cap
        self.fixed = item.fixed if item.standard == "固定金额" and item.fixed is not None else _NO_AMOUNT
        self.cap = item.cap
        self.capped = item.standard == "按实际" and item.cap is not None
        # nor in a zero amount of a 非现金 item, nor in one of 比例封顶 equal to the share of
        # its base or above zero and within it (standard_amount, once per base: `shares`)
        self.in_kind = item.standard == "非现金"
        self.shares: dict | None = {} if item.standard == "比例封顶" else None


def _within_share(plan: _Plan, base, amount) -> bool:
    """Whether _amount finds nothing in a 比例封顶 amount: its base is there and the amount
    is the share the standard allows of it, or above zero and within it."""
    if base is None:
        return False
    shares = plan.shares
    assert shares is not None
    allowed = shares.get(base, _NO_AMOUNT)
    if allowed is _NO_AMOUNT:
        allowed = shares[base] = standard_amount(plan.item, base)
    return allowed is not None and (amount == allowed or 0 < amount <= allowed)


_ANY_DAY = date(2000, 1, 1)
_NO_AMOUNT = object()  # equal to no amount, and no period worked out yet


# --- the policy itself ------------------------------------------------------------------
def _items(records):
    if "items" not in records.places:
        return
    categories = records.category_by_name
    for item in records.items:
        for route in routes(item):
            if route_kind(route, categories) is None:
                yield problem("route-unknown", **records.place("items", item.row, "routes"), item=item.name,
                              value=route, categories="、".join(categories) or "（未填写）")
        missing = {"固定金额": ("fixed",), "比例封顶": ("rate",)}.get(item.standard or "", ())
        for key in missing:
            if getattr(item, key) is None:
                yield problem("item-standard-incomplete", **records.place("items", item.row, key),
                              item=item.name, standard=item.standard, column=schema.ITEMS.column(key).name)


# --- one payout -------------------------------------------------------------------------
def _void(records, p):
    if p.paid is not None:
        yield problem("void-paid", **records.place("payouts", p.row, "paid"), state=p.state,
                      paid=p.paid.isoformat())


def _status(records, p, w):
    given = p.approved or p.paid
    if w.status in ("申请", "公示中") and given:
        yield problem("ineligible-status", **records.place("payouts", p.row, "archive_no"),
                      archive=w.archive_no, status=w.status)
    elif w.registered and given and given < w.registered:
        yield problem("date-order", **records.place("payouts", p.row, "approved" if p.approved else "paid"),
                      later="批准日期" if p.approved else "发放日期", later_value=given.isoformat(),
                      earlier=f"档案 {w.archive_no} 的建档日期", earlier_value=w.registered.isoformat())
    elif w.closed and p.paid and p.paid > w.closed:
        yield problem("ineligible-status", **records.place("payouts", p.row, "paid"),
                      archive=w.archive_no, status=f"{w.status}（{w.closed.isoformat()} 结档）")


def _beneficiary(records, p, w, member_names: dict):
    name = p.beneficiary
    if not name or name == w.name:
        return
    names = member_names.get(w.archive_no)
    if names is None:  # each household's names once, not once per payout
        names = member_names[w.archive_no] = {m.name for m in records.members_by_worker.get(w.archive_no, ())}
    if name not in names:
        yield problem("beneficiary-unknown", **records.place("payouts", p.row, "beneficiary"), value=name,
                      archive=w.archive_no)


def _amount(records, p, item):
    if p.amount is None:
        return
    if item.standard == "比例封顶" and p.base_amount is None:
        yield problem("amount-base-missing", **records.place("payouts", p.row, "base_amount"),
                      item=item.name, column="医疗自付费用")
        return
    allowed = standard_amount(item, p.base_amount)
    if p.amount == 0 and item.standard != "非现金" and allowed != 0:
        yield problem("money-zero", **records.place("payouts", p.row, "amount"), column="金额")
        return
    if allowed is None:
        return
    if item.standard == "非现金" and p.amount > 0:
        yield problem("amount-not-cash", **records.place("payouts", p.row, "amount"), item=item.name,
                      amount=p.amount)
    elif p.amount > allowed:
        yield problem("amount-over-standard", **records.place("payouts", p.row, "amount"),
                      item=item.name, amount=p.amount, standard=allowed, basis=describe(item))
    elif p.amount < allowed and item.standard == "固定金额":
        yield problem("amount-under-standard", **records.place("payouts", p.row, "amount"),
                      item=item.name, amount=p.amount, standard=allowed, basis=describe(item))


def _frequency(records, p, item, seen, plan):
    """The frequency problem of one payout, or None; records it among the ones seen (a plain
    function, not a generator: it runs for most payouts and nearly always finds nothing)."""
    day = p.applied or p.paid
    if day is None:
        return None
    key_period = plan.periods.get(day, _NO_AMOUNT)
    if key_period is _NO_AMOUNT:  # each day's period once per item (Quarter.of is not cheap)
        key_period = plan.periods[day] = period(item, day)
    if key_period is None:
        return None  # 一次性 is per case, 不限 limits nothing
    per_person = plan.per_person
    who = (p.archive_no, p.beneficiary or "") if per_person else p.archive_no
    key = (who, item.name, key_period)
    earlier = seen.get(key)
    if earlier is None:
        earlier = seen[key] = []
    found = None
    if len(earlier) >= plan.limit:
        others = "、".join(str(row) for row in earlier[-3:])
        hint = ("如是家中不同的受助对象（如两个孩子），请在“受助对象”中分别填写姓名。"
                if per_person and not p.beneficiary else "")
        found = problem("frequency", **records.place("payouts", p.row, "item"), item=item.name,
                        rule=frequency_text(item), archive=p.archive_no,
                        period=period_label(item, key_period), other=f"本表第 {others} 行", hint=hint)
    earlier.append(p.row)
    return found


def _income(records, p, w, item, plan):
    """The income problem of one payout, or None (a plain function, not a generator: it runs
    for every payout of an item with an income condition and nearly always finds nothing)."""
    multiple = plan.multiple
    if multiple is None or p.applied is None:
        return None
    alternatives = plan.routes
    met = plan.route_set  # standards.route_met over every route, as one set lookup per value
    if met and (w.cause in met or w.dibao in met or not met.isdisjoint(w.causes_more or ())):
        return None  # met without the figures of the day
    figures = records.figures_at(w, p.applied)
    if met and figures.category in met:
        return None
    year = p.applied.year
    found = plan.lines.get(year, _NO_AMOUNT)
    if found is _NO_AMOUNT:  # each year's line and limit once per item
        line = records.dibao_line(year)
        found = plan.lines[year] = None if line is None else (line, (line * multiple).quantize(CENT))
    if found is None or figures.per_capita is None:
        return None  # a missing line is reported once, on the 低保标准 sheet
    line, limit = found
    if figures.per_capita >= limit:
        source = (f"{figures.date.isoformat()} 复核时" if figures.from_review else "建档时")
        also = f"，也不属于{'、'.join(alternatives)}" if alternatives else ""
        return problem("ineligible-income", **records.place("payouts", p.row, "item"), item=item.name,
                       limit=limit, basis=f"{year} 年低保线 {line} 元{times_line(multiple)}",
                       archive=w.archive_no, income=figures.per_capita, source=source, also=also)
    return None


def is_4050(worker, day: date) -> bool:
    """Women from 40, men from 50 (“4050”人员), on `day`."""
    if worker.birth_date is None or worker.sex is None:
        return False
    age = day.year - worker.birth_date.year - ((day.month, day.day) < (worker.birth_date.month,
                                                                       worker.birth_date.day))
    return age >= (40 if worker.sex == "女" else 50)


# School levels: the age on 1 September of the school year (with a year's slack for early or
# late starters), else the school's name when the birth date is not on file.
_LEVELS = {"有在学子女": (6, 25, ""), "有高中（中职）在学子女": (14, 19, "高中"), "有大学在学子女": (17, 26, "大学")}
_SCHOOL_WORDS = (("初中", ("小学", "初中", "初级中学")), ("大学", ("大学", "学院", "大专", "高职", "高校")),
                 ("高中", ("高中", "中学", "职高", "中职", "中专", "技校")))


def _age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _school_level(name: str) -> str | None:
    """'高中' for 示范县第一中学, '初中' for 示范镇初级中学, None when the name does not say."""
    return next((level for level, words in _SCHOOL_WORDS if any(w in name for w in words)), None)


def _student(member, day: date | None, need: str = "有在学子女") -> bool:
    """A student at the item's level on the application date. 身份 says what is true today and
    a payout is judged by what was true then, so the birth date decides where it is on file."""
    low, high, level = _LEVELS[need]
    born = member.birth_date
    if born is not None and day is not None and member.relation in ("子女", "孙子女"):
        school_year = day.year if day.month >= 7 else day.year - 1
        return low <= _age(born, date(school_year, 9, 1)) <= high
    if member.role != "学生":
        return False
    named = _school_level(member.school_or_employer or "")
    return not level or named is None or named == level


def _needs(records, p, w, item):
    members = records.members_by_worker.get(w.archive_no, ())
    # the 受助对象 by name (all members of that name: two records of one child must not refuse it)
    named = [m for m in members if p.beneficiary and m.name == p.beneficiary]
    day = p.applied or p.paid
    for need in item.needs or ():
        if need == "持残疾证":
            ok = any(m.health == "残疾" for m in named) if named else w.disability not in (None, "无")
            missing = (f"家庭成员 {p.beneficiary} 的健康状况不是“残疾”" if named else "没有登记残疾类别")
        elif need in _LEVELS:
            ok = any(_student(m, day, need) for m in (named or members))
            level = need[1:-4] or "在学"
            missing = (f"受助对象 {p.beneficiary} 申请时不是{level}学生（按出生日期或学校）" if named
                       else f"家庭成员中没有{level}学生")
        elif need == "下岗失业或低保或4050人员":
            ok = (w.work_status in ("下岗", "失业") or w.dibao == "低保户"
                  or (day is not None and is_4050(w, day)))
            missing = f"工作状态为“{w.work_status}”、低保情况为“{w.dibao}”，也不是“4050”人员"
        else:
            continue
        if not ok:
            yield problem("ineligible-needs", **records.place("payouts", p.row, "item"), item=item.name,
                          need=need, archive=w.archive_no, missing=missing)


# --- disclosure --------------------------------------------------------------------------
def _disclosure(records, p, item, concerned: dict) -> list | tuple:
    """The disclosure problems of one payout (a plain function returning a list, not a
    generator: it runs for most payouts and nearly always finds nothing)."""
    decided = p.approved or p.paid
    if not item.needs_disclosure:
        return ()
    if not p.batch:
        if decided:
            return [problem("disclosure-missing", **records.place("payouts", p.row, "batch"), item=item.name)]
        return ()
    batch = records.batch_by_no.get(p.batch)
    if batch is None:
        return ()  # reported as a missing reference
    if batch.kind and batch.kind != "帮扶公示":
        return [problem("disclosure-not-listed", **records.place("payouts", p.row, "batch"),
                        batch=batch.batch_no, kind=batch.kind, what="帮扶发放")]
    if not decided or batch.start is None:
        return ()
    column = "approved" if p.approved else "paid"
    end = records.batch_end(batch)
    found = []
    if decided <= end:
        found.append(problem("disclosure-not-over", **records.place("payouts", p.row, column),
                             approved=decided.isoformat(), batch=batch.batch_no, start=batch.start.isoformat(),
                             end=end.isoformat()))
    if records.objections_by_batch.get(batch.batch_no) or batch.original:
        whom = concerned.get(batch.batch_no)
        if whom is None:  # once per batch: objection_problems passes over those about others
            whom = concerned[batch.batch_no] = _concerned(records, batch)
        if whom is _EVERYONE or p.archive_no in whom:
            found.extend(objection_problems(records, batch, p.archive_no, decided, "payouts", p.row, column,
                                            "batch"))
    return found  # else no objection to this list nor to one it discloses again


_EVERYONE = frozenset({None})


def _concerned(records, batch) -> frozenset:
    """The archive numbers the objections to `batch` (and to the lists it discloses again)
    name; _EVERYONE when one of them names no one (it is about the whole list)."""
    names = [o.archive_no for o, _ in objections_of(records, batch)]
    return _EVERYONE if not all(names) else frozenset(names)
