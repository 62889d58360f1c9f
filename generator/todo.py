"""The clerk's work list (待办): what falls due as of a day, most urgent first.

    entries = work_list(records, today)
    for e in entries: e.kind, e.subject, e.due, e.days_left, e.place, e.suggestion

Everything bangfu checks looks back; this looks ahead. Each entry names the
worker or batch, the rule and its source (seed file or regulation), the day it
falls due, the working (or calendar) days left — negative when overdue — and
the workbook cell the clerk updates when it is done. Suggestions (a child of
school-starting age, the 两节 season) are marked as such: they are hints, not
duties. Deadline facts shared with the checks live in `lifecycle.py`.

Records with errors still give a list (values that did not convert are None);
nothing here raises for user data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from . import lifecycle
from .records import Records
from .workdays import WorkCalendar, spring_festival

# sources, as a clerk knows them: the rule's own name (the seed documents in the project's
# domain notes cite them: 000 帮扶制度, 001 帮扶工作规范, 002 帮扶工作流程), never a file number
SRC_TIME = "帮扶程序“五有”：有时限（6 个工作日内完成调查、核实、报送；法律援助 7 个工作日）"
SRC_NOTIFY = "帮扶制度：将处理结果及时告知救助者（管理服务“五有”：有送达办理）"
SRC_SIGN = "帮扶程序“五有”：有签收"
SRC_APPROVE = "帮扶程序“五有”：有批准；经公示无异议后批准"
SRC_DISCLOSE = "帮扶工作规范：经公示无异议后方可建档、发放；公示期满及时公布结果"
SRC_RECEPTION = "管理服务“五有”：有接待登记、有送达办理、有办结报告"
SRC_FOLLOW = "帮扶工作流程：跟踪回访阶段（了解帮扶措施落实情况和效果）"
SRC_REVIEW = "档案管理：每份档案每年至少复核一次（动态管理）"
SRC_UNCHANGED = "全国工会帮扶工作系统：一年未更新的档案清单"
SRC_NEVER = "全国工会帮扶工作系统：建档后从未帮扶的人员清单"
SRC_CLOSE = "档案管理：随时脱困随时撤档"
SRC_CLOSE_NOTICE = "民政部门规定：终止救助须公示 7 天（站点设置“结档须公示”）"
SRC_KEEP = "档案管理：结档档案保存 10 年"
SRC_SCHOOL = "帮扶制度（助学救助）：高中每年、大学录取当年秋季开学之前"
SRC_FESTIVAL = "帮扶工作规范：两节送温暖（12 月下旬开始走访慰问，春节前完成）"
SRC_DIBAO = "低保标准由当地民政部门逐年公布，每笔帮扶按申请当年的低保标准认定"
SRC_CALENDAR = "工作日按国务院办公厅公布的当年放假安排（含调休）计算"
SRC_STANDARDS = "帮扶标准按本站现行政策（帮扶政策“帮扶项目”）执行"
SRC_ESCALATE = ("梯次帮扶：小额困难在镇（街道）解决，一般困难由县中心帮扶，较大困难市县共同帮扶"
                "（县中心帮扶政策“梯次帮扶”表）")

# kinds, in the order a tie on the due date is listed
KINDS = {
    "verify": "核实", "disclose": "列入公示", "approve": "审批", "register": "建档",
    "batch-ending": "公示将结束", "batch-ended": "公示已结束待办理", "notify": "告知", "pay": "发放",
    "receipt": "签收", "escalate": "上级审批（梯次帮扶）",
    "reception": "接待办结", "follow-up": "跟踪回访", "review": "年度复核", "unchanged": "一年未更新",
    "never-helped": "从未帮扶", "close": "办理结档", "close-notice": "结档公示", "archive": "档案保管期满",
    "year-end": "年底前录入", "suggest-school": "建议：助学", "suggest-festival": "建议：两节送温暖",
}
_ORDER = {k: i for i, k in enumerate(KINDS)}

SCHOOL_START = (9, 1)  # the autumn term
HIGH_SCHOOL_AGE = 15  # age on 1 September when starting 高中
UNIVERSITY_AGE = 18
SCHOOL_WINDOW = 120  # calendar days before the term when the suggestion appears
FESTIVAL_SEASON_START = (12, 1)  # 两节: visits from December to the Spring Festival
YEAR_END_FROM = (11, 1)  # what the next year needs, from November


@dataclass(frozen=True)
class Place:
    """Where to write when the entry is done (the same place a problem would name)."""
    file: str
    sheet: str
    cell: str  # A1 reference, "" for a whole sheet
    row: int = 0
    column_key: str = ""

    def __str__(self) -> str:
        return "/".join(x for x in (self.file, self.sheet, self.cell) if x)


@dataclass(frozen=True)
class Entry:
    kind: str  # a key of KINDS
    subject: str  # "SF-0001 张晓明" or "公示批次 GS-2026-07" (private: full names)
    action: str  # what to do, in Chinese
    rule: str  # the rule, in Chinese
    source: str  # the seed or regulation it comes from
    due: date
    days_left: int  # negative: overdue by that many
    working_days: bool  # days_left counts working days (else calendar days)
    place: Place  # the cell to update when done
    archive_no: str = ""
    batch_no: str = ""
    suggestion: bool = False
    people: tuple = ()  # grouped entries: the workers concerned
    estimated: bool = False  # working days counted Monday-Friday (calendar of that year unknown)

    @property
    def title(self) -> str:
        return KINDS[self.kind]

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def when(self) -> str:
        """还有 3 个工作日 / 今天到期 / 逾期 2 天."""
        unit = "个工作日" if self.working_days else "天"
        if self.days_left < 0:
            text = f"逾期 {-self.days_left} {unit}"
        elif self.days_left == 0:
            text = "今天到期"
        else:
            text = f"还有 {self.days_left} {unit}"
        return text + ("（按周一至周五估算）" if self.estimated else "")


@dataclass
class WorkList:
    today: date
    entries: list[Entry] = field(default_factory=list)

    @property
    def duties(self) -> list[Entry]:
        return [e for e in self.entries if not e.suggestion]

    @property
    def suggestions(self) -> list[Entry]:
        return [e for e in self.entries if e.suggestion]

    @property
    def overdue(self) -> list[Entry]:
        return [e for e in self.duties if e.overdue]

    def counts(self) -> str:
        line = f"待办 {len(self.duties)} 项，其中逾期 {len(self.overdue)} 项"
        if self.suggestions:
            line += f"（另有建议 {len(self.suggestions)} 项）"
        return line

    def summary_line(self, command: str = "bangfu todo") -> str:
        """The line `bangfu check` ends with."""
        return f"{self.counts()}：{command} 查看"


def work_list(records: Records, today: date) -> WorkList:
    builder = _Builder(records, today)
    for part in (_applications, _files, _batches, _payments, _reception, _follow_ups, _reviews,
                 _closing, _year_end, _suggest_school, _suggest_festival):
        part(builder)
    entries = sorted(builder.entries, key=lambda e: (e.suggestion, e.due, _ORDER[e.kind], e.subject))
    return WorkList(today, entries)


class _Builder:
    def __init__(self, records: Records, today: date):
        self.records = records
        self.today = today
        self.calendar = WorkCalendar.from_records(records)
        s = records.settings
        self.horizon = today + timedelta(days=s.todo_days)
        self.entries: list[Entry] = []
        self._known: dict[int, bool] = {}

    def place(self, sheet: str, row: int = 0, column: str = "") -> Place:
        return Place(**self.records.place(sheet, row, column))

    def add(self, kind: str, subject: str, action: str, rule: str, source: str, due: date, place: Place,
            *, working: bool = False, **extra) -> None:
        if working:
            left = self._working_left(due)
            first, last = sorted((self.today, due))
            estimated = not all(self._year_known(y) for y in range(first.year, last.year + 1))
        else:
            left, estimated = (due - self.today).days, False
        self.entries.append(Entry(kind, subject, action, rule, source, due, left, working, place,
                                  estimated=estimated, **extra))

    def add_working(self, start: date, days: int) -> date:
        return self.calendar.add_working_days(start, days)

    def _year_known(self, year: int) -> bool:
        if year not in self._known:
            self._known[year] = self.calendar.knows(year)
        return self._known[year]

    def _working_left(self, due: date) -> int:
        if due >= self.today:
            return self.calendar.working_days_between(self.today, due)
        return -self.calendar.working_days_between(due, self.today)

    def who(self, archive_no) -> str:
        w = self.records.worker_by_no.get(archive_no)
        name = w.name if w is not None and w.name else ""
        return f"{archive_no or '（无档案编号）'} {name}".strip()


# --- applications: verify, disclose, approve (有时限) ----------------------------------------
def _applications(b: _Builder) -> None:
    r = b.records
    items = r.item_by_name
    for p in r.payouts:
        if p.applied is None or p.approved or p.paid or lifecycle.rejected(r, p):
            continue
        item = items.get(p.item)
        limit = lifecycle.deadline_days(item)
        due = b.add_working(p.applied, limit)
        rule = f"{p.item or '帮扶'}：申请后 {limit} 个工作日内完成调查、核实、报送"
        no = p.archive_no or ""
        if p.verified is None:
            b.add("verify", b.who(p.archive_no), f"{p.record_no or ''} {p.item or ''}：入户调查核实，填写核实日期",
                  rule, SRC_TIME, due, b.place("payouts", p.row, "verified"), working=True, archive_no=no)
        elif item is not None and item.needs_disclosure and not p.batch:
            b.add("disclose", b.who(p.archive_no), f"{p.record_no or ''} {p.item}：已核实，列入下一批帮扶公示",
                  rule, SRC_TIME, due, b.place("payouts", p.row, "batch"), working=True, archive_no=no)
        elif item is not None and not item.needs_disclosure:
            b.add("approve", b.who(p.archive_no), f"{p.record_no or ''} {p.item}：已核实，报批并把结果告知本人",
                  rule, SRC_TIME, due, b.place("payouts", p.row, "approved"), working=True, archive_no=no)


def _files(b: _Builder) -> None:
    """File applications (申请) not yet put to a 建档公示."""
    for w in b.records.workers:
        if w.status != "申请" or w.applied is None or w.batch:
            continue
        due = b.add_working(w.applied, lifecycle.DEFAULT_DEADLINE_DAYS)
        b.add("register", b.who(w.archive_no), "建档申请：入户调查（三查一访）核实后列入建档公示",
              f"建档申请后 {lifecycle.DEFAULT_DEADLINE_DAYS} 个工作日内完成调查、核实、报送", SRC_TIME, due,
              b.place("workers", w.row, "batch"), working=True, archive_no=w.archive_no or "")


# --- disclosure batches (公示) -----------------------------------------------------------
def _batches(b: _Builder) -> None:
    r = b.records
    for batch in r.batches:
        if batch.start is None or not batch.batch_no:
            continue
        end = r.batch_end(batch)
        pending_pay = [p for p in r.payouts_by_batch.get(batch.batch_no, ())
                       if not p.approved and not p.paid and not lifecycle.rejected(r, p)]
        pending_files = [w for w in r.workers_by_batch.get(batch.batch_no, ())
                         if w.status in ("申请", "公示中") and batch.kind != "结档公示"]
        open_objections = [o for o in r.objections_by_batch.get(batch.batch_no, ()) if o.result == "处理中"]
        pending = len(pending_pay) + len(pending_files)
        if not pending and not open_objections:
            continue
        subject = f"公示批次 {batch.batch_no} {batch.title or ''}".strip()
        follow = _after_disclosure(len(pending_pay), len(pending_files), len(open_objections))
        first = (("payouts", pending_pay[0].row, "approved") if pending_pay else
                 ("workers", pending_files[0].row, "registered") if pending_files else
                 ("objections", open_objections[0].row, "result"))
        next_day = end + timedelta(days=1)
        if b.today < batch.start:
            continue
        if b.today <= end:
            b.add("batch-ending", subject, f"公示期至 {end.isoformat()}；期满后{follow}",
                  f"公示 {(end - batch.start).days + 1} 天，期满无异议后方可批准", SRC_DISCLOSE, next_day,
                  b.place(*first), batch_no=batch.batch_no)
        else:
            b.add("batch-ended", subject, f"公示期已于 {end.isoformat()} 结束：{follow}",
                  "公示期满后及时公布结果、批准或建档", SRC_DISCLOSE, next_day, b.place(*first),
                  working=True, batch_no=batch.batch_no)


def _after_disclosure(payouts: int, files: int, objections: int) -> str:
    parts = []
    if objections:
        parts.append(f"复查并登记 {objections} 条异议的处理结果")
    if payouts:
        parts.append(f"批准并发放 {payouts} 笔（填写批准日期）")
    if files:
        parts.append(f"为 {files} 户办理建档（档案状态改为在档，填写建档日期）")
    return "；".join(parts)


# --- payment and receipts (有签收) ----------------------------------------------------------
def _payments(b: _Builder) -> None:
    r = b.records
    days = r.settings.payment_days
    for p in r.payouts:
        subject = b.who(p.archive_no)
        no = p.archive_no or ""
        _notify(b, p, no)
        if p.approved and not p.paid and not lifecycle.rejected(r, p):
            due = b.add_working(p.approved, days)
            b.add("pay", subject, f"{p.record_no or ''} {p.item or ''} 已于 {p.approved.isoformat()} 批准，尚未发放",
                  f"批准后 {days} 个工作日内发放（站点设置“发放时限”）", SRC_TIME, due,
                  b.place("payouts", p.row, "paid"), working=True, archive_no=no)
        elif lifecycle.needs_receipt(p):
            b.add("receipt", subject,
                  f"{p.record_no or ''} {p.item or ''} 已于 {p.paid.isoformat()} 发放，未签收：打印签收单"
                  "（内部材料“签收单”），请本人签字后把“已签收”改为“是”并填写签收日期",
                  "每笔发放都要有本人签收", SRC_SIGN, p.paid, b.place("payouts", p.row, "signed"), archive_no=no)


def _notify(b: _Builder, p, no: str) -> None:
    """有送达办理: the result is told to the applicant promptly (000: 及时告知) — a refusal always,
    an approval until the payment itself brings the news."""
    if p.notified is not None:
        return
    if p.state == "不予批准":
        decided, what = p.verified or p.applied, "不予批准"
    elif p.approved and not p.paid and not lifecycle.rejected(b.records, p):
        decided, what = p.approved, "已批准"
    else:
        return
    if decided is None:
        return
    b.add("notify", b.who(p.archive_no),
          f"{p.record_no or ''} {p.item or ''} {what}：把办理结果告知申请人，填写告知日期",
          "办理结果及时告知申请人（决定后的下一个工作日内）", SRC_NOTIFY, b.add_working(decided, 1),
          b.place("payouts", p.row, "notified"), working=True, archive_no=no)


# --- reception log (接待登记) ---------------------------------------------------------------
def reception_limit(records: Records, kind: str | None) -> int:
    """Working days to settle a reception entry: the shortest 办理时限 of the policy's items of that
    group (法律援助 7), else the station setting (default 7)."""
    limits = [i.deadline_days for i in records.items if i.group == kind and i.deadline_days]
    return min(limits) if limits else records.settings.reception_days


def _reception(b: _Builder) -> None:
    r = b.records
    for e in r.reception:
        if e.closed is not None or e.received is None:
            continue
        limit = reception_limit(r, e.kind)
        due = b.add_working(e.received, limit)
        where = f"，已转 {e.transferred_to}" if e.transferred_to else ""
        b.add("reception", f"{e.reception_no or ''} {e.name or ''}".strip(),
              f"{e.received.isoformat()} 接待（{e.kind or '未分类'}{where}）："
              "办结后把结果告知本人，填写办理结果和办结日期",
              f"接待事项 {limit} 个工作日内办结", SRC_RECEPTION, due,
              b.place("reception", e.row, "closed"), working=True, archive_no=e.archive_no or "")


# --- follow-up visits (跟踪回访, seed 002) ---------------------------------------------------
def _follow_ups(b: _Builder) -> None:
    r = b.records
    days = r.settings.follow_up_days
    groups = set(r.settings.follow_up_groups)
    if days <= 0:
        return
    items = r.item_by_name
    visited = _visit_days(r, "跟踪回访")
    for p in r.payouts:
        item = items.get(p.item)
        if p.paid is None or p.followed_up or item is None or item.group not in groups:
            continue
        w = r.worker_by_no.get(p.archive_no)
        due = p.paid + timedelta(days=days)
        if w is None or (w.closed is not None and w.closed <= due) or due > b.horizon:
            continue
        if any(day >= p.paid for day in visited.get(p.archive_no, ())):
            continue
        b.add("follow-up", b.who(p.archive_no),
              f"{p.record_no or ''} {p.item}（{p.paid.isoformat()} 发放）：回访了解落实情况和效果，"
              "填写回访日期和回访情况，并在走访记录中登记",
              f"{'、'.join(sorted(groups))}发放后 {days} 天内回访（站点设置“回访天数”）", SRC_FOLLOW, due,
              b.place("payouts", p.row, "followed_up"), archive_no=p.archive_no or "")


def _visit_days(records: Records, kind: str) -> dict:
    out: dict = {}
    for v in records.visits:
        if v.kind == kind and v.date is not None:
            out.setdefault(v.archive_no, []).append(v.date)
    return out


# --- yearly review, files unchanged, never helped -------------------------------------------
def _last_change(records: Records, w) -> date | None:
    dates = [d for d in (w.applied, w.registered, w.reviewed, w.closed) if d is not None]
    dates += [v.date for v in records.visits_by_worker.get(w.archive_no, ()) if v.date]
    for p in records.payouts_by_worker.get(w.archive_no, ()):
        dates += [d for d in (p.applied, p.paid, p.signed_on, p.followed_up) if d]
    return max(dates) if dates else None


def _reviews(b: _Builder) -> None:
    r = b.records
    for w in r.workers:
        if not lifecycle.is_active(w) or w.registered is None:
            continue
        subject = b.who(w.archive_no)
        due = lifecycle.review_due(r, w)
        last = _last_change(r, w)
        if last is not None and b.today > last + lifecycle.UNCHANGED_AFTER:
            b.add("unchanged", subject,
                  f"档案自 {last.isoformat()} 起一年没有任何记录：入户复核家庭情况，更新档案或办理结档",
                  "档案一年未更新", SRC_UNCHANGED, last + lifecycle.UNCHANGED_AFTER,
                  b.place("workers", w.row, "reviewed"), archive_no=w.archive_no or "")
        elif due <= b.horizon:
            b.add("review", subject,
                  f"上次复核 {lifecycle.last_review(r, w).isoformat()}：入户复核家庭收入和困难情况，在走访记录登记"
                  "“年度复核”，更新最近复核日期",
                  "每年至少复核一次", SRC_REVIEW, due, b.place("workers", w.row, "reviewed"),
                  archive_no=w.archive_no or "")
        due = lifecycle.never_helped_due(w)
        if due <= b.horizon and not lifecycle.helped(r.payouts_by_worker.get(w.archive_no, ())):
            b.add("never-helped", subject,
                  f"{w.registered.isoformat()} 建档以来没有帮扶记录：了解需求，"
                  f"按帮扶措施（{w.measures or '未填写'}）落实帮扶",
                  "建档一年内应有帮扶", SRC_NEVER, due, b.place("workers", w.row, "measures"),
                  archive_no=w.archive_no or "")


# --- closing files ---------------------------------------------------------------------------
def _closing(b: _Builder) -> None:
    r = b.records
    notice = bool(r.settings.close_disclosure)
    for w in r.workers:
        subject = b.who(w.archive_no)
        if lifecycle.is_active(w):
            over = _over_limit(r, w, b.today)
            if over:
                b.add("close", subject, f"{over}：复核属实的，办理脱困（档案状态、结档日期、结档原因）",
                      "家庭情况好转的随时脱困撤档", SRC_CLOSE, b.today, b.place("workers", w.row, "status"),
                      archive_no=w.archive_no or "")
            continue
        if notice and w.status in ("脱困", "注销") and w.closed is not None and not w.close_batch:
            b.add("close-notice", subject,
                  f"{w.closed.isoformat()} {w.status}：列入结档公示批次，填写“结档公示批次”",
                  "结档须公示（站点设置）", SRC_CLOSE_NOTICE, w.closed,
                  b.place("workers", w.row, "close_batch"), archive_no=w.archive_no or "")
        until = lifecycle.keep_until(w)
        if until is not None and until <= b.horizon:
            b.add("archive", subject,
                  f"{w.closed.isoformat()} 结档，10 年保管期至 {until.isoformat()}：按档案管理规定报批销毁或移交"
                  "（bangfu 不会删除任何记录）",
                  "结档档案保存 10 年", SRC_KEEP, until, b.place("workers", w.row, "closed"),
                  archive_no=w.archive_no or "")


def _over_limit(records: Records, w, today: date) -> str:
    """Why an active file looks out of hardship: its latest figures (last 年度复核, else the
    register) at or above its category's limit against this year's 低保 line; '' when not."""
    fig = records.current_figures(w)
    cat = records.category_by_name.get(fig.category)
    line = records.dibao_line(today.year)
    income = fig.per_capita
    if cat is None or cat.multiple is None or line is None or income is None:
        return ""
    limit = (line * cat.multiple).quantize(Decimal("0.01"))
    if income < limit:
        return ""
    return (f"月人均收入 {income} 元已不低于 {today.year} 年“{fig.category}”上限 {limit} 元"
            f"（低保线 {line} 元 × {cat.multiple}）")


# --- before the year turns ---------------------------------------------------------------------
def _year_end(b: _Builder) -> None:
    r = b.records
    today = b.today
    if (today.month, today.day) < YEAR_END_FROM:
        return
    year = today.year + 1
    due = date(today.year, 12, 31)
    if not any(d.year == year for d in r.dibao_lines):
        b.add("year-end", f"{year} 年低保标准", f"在帮扶政策“低保标准”中录入 {year} 年本地低保标准（元/人/月）",
              "每个使用年度都要有当年的低保标准", SRC_DIBAO, due, b.place("dibao_lines"))
    if not b._year_known(year):
        b.add("year-end", f"{year} 年放假安排",
              f"国务院办公厅公布 {year} 年放假安排后，在帮扶政策“调休安排”中录入休息日和调休上班日",
              f"程序尚未收录 {year} 年的法定节假日，工作日会按周一至周五估算", SRC_CALENDAR, due, b.place("calendar"))
    b.add("year-end", f"{year} 年帮扶标准", f"核对帮扶政策“帮扶项目”中的标准是否适用于 {year} 年，有变化的及时修改",
          "新的一年开始前核对标准", SRC_STANDARDS, due, b.place("items"), suggestion=True)


# --- suggestions -----------------------------------------------------------------------------------
def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _next_term(today: date) -> date:
    term = date(today.year, *SCHOOL_START)
    return term if today <= term else date(today.year + 1, *SCHOOL_START)


def _suggest_school(b: _Builder) -> None:
    r = b.records
    groups = {i.group for i in r.items}
    if "助学" not in groups:
        return
    term = _next_term(b.today)
    if (term - b.today).days > SCHOOL_WINDOW:
        return
    season = date(term.year, 1, 1)
    for m in r.members:
        if m.relation != "子女" or m.birth_date is None:
            continue
        w = r.worker_by_no.get(m.archive_no)
        if w is None or not lifecycle.is_active(w):
            continue
        stage = _stage(m, _age_on(m.birth_date, term))
        if not stage:
            continue
        got = [p for p in r.payouts_by_worker.get(w.archive_no, ())
               if (r.item_by_name.get(p.item) and r.item_by_name[p.item].group == "助学")
               and (p.applied or p.paid or date.min) >= season]
        if got:
            continue
        b.add("suggest-school", b.who(w.archive_no),
              f"子女 {m.name or ''} {term.year} 年秋季{stage}：如家庭符合条件，提醒申请助学（需录取通知书或成绩册）",
              f"{'大学录取当年' if stage == '上大学' else '高中每年'}秋季开学前发放", SRC_SCHOOL, term,
              b.place("members", m.row, "school_or_employer"), archive_no=w.archive_no or "", suggestion=True)


def _stage(member, age: int) -> str:
    school = member.school_or_employer or ""
    if "大学" in school or "学院" in school:
        return "上大学" if age <= UNIVERSITY_AGE else ""
    if "高中" in school or "中学" in school or "职" in school:
        return "读高中" if HIGH_SCHOOL_AGE <= age < UNIVERSITY_AGE else ""
    if member.role not in (None, "学生"):
        return ""
    if age == UNIVERSITY_AGE:
        return "上大学"
    if age == HIGH_SCHOOL_AGE:
        return "上高中"
    return ""


def _suggest_festival(b: _Builder) -> None:
    """Active files not yet visited (送温暖) for the coming Spring Festival: one grouped entry."""
    r = b.records
    festival = spring_festival(b.today.year)
    if festival is None or b.today > festival:
        festival = spring_festival(b.today.year + 1)
    if festival is None:
        return
    start = date(festival.year - 1, *FESTIVAL_SEASON_START)
    if b.today < start - (b.horizon - b.today):
        return
    warm = {i.name for i in r.items if i.group == "送温暖"}
    done = {p.archive_no for p in r.payouts
            if (p.item in warm or p.campaign == "两节送温暖")
            and start <= (p.paid or p.applied or date.min) <= festival}
    done |= {v.archive_no for v in r.visits if v.kind == "送温暖走访" and v.date and start <= v.date <= festival}
    todo = [w for w in r.workers if lifecycle.is_active(w) and w.archive_no not in done]
    if not todo:
        return
    b.add("suggest-festival", f"{len(todo)} 户在档困难职工",
          f"{festival.year} 年春节（{festival.isoformat()}）前走访慰问：本季尚未送温暖的在档困难职工 {len(todo)} 户",
          "两节送温暖：元旦、春节前走访慰问困难职工", SRC_FESTIVAL, festival - timedelta(days=1),
          b.place("payouts"), suggestion=True,
          people=tuple(b.who(w.archive_no) for w in sorted(todo, key=lambda w: w.archive_no or "")))


# --- text ---------------------------------------------------------------------------------------
# --- the county centre (bangfu merge): cases the stations may not decide alone ----------
def escalation_entries(cases, county: Records, today: date) -> list[Entry]:
    """Open 梯次帮扶 cases (network.escalation) as the county's work-list entries, due
    within the usual time limit from the application (有时限), counted on the county's
    calendar. The place is the station's 上级批准日期 cell, filled when approved."""
    from .money import yuan

    b = _Builder(county, today)
    for c in cases:
        if not c.open:
            continue
        due = b.add_working(c.applied or c.paid or today, lifecycle.DEFAULT_DEADLINE_DAYS)
        whose = "站点" if c.level == "county" else "县级"
        action = (f"{c.station} {c.record_no} {c.item} {yuan(c.amount)} 元，超过{whose}审批上限 {yuan(c.limit)} 元："
                  + ("县中心审批" if c.level == "county" else "报市中心审批（市县共同帮扶）")
                  + f"，批准后请{c.station}填写“上级批准日期”")
        rule = f"单笔超过{whose}审批上限 {yuan(c.limit)} 元的由{c.level_zh}批准"
        b.add("escalate", f"{c.station} {c.archive_no}", action, rule, SRC_ESCALATE, due,
              Place(c.file, c.sheet, c.cell, c.row, "upper_approved"), working=True, archive_no=c.archive_no)
    return b.entries


def with_entries(wl: WorkList, entries: list[Entry]) -> WorkList:
    """A work list with more entries, in the list's order (most urgent first)."""
    merged = sorted([*wl.entries, *entries], key=lambda e: (e.suggestion, e.due, _ORDER[e.kind], e.subject))
    return WorkList(wl.today, merged)


def render_text(wl: WorkList) -> str:
    """The `bangfu todo` report: duties most urgent first, then the suggestions."""
    lines = [f"截至 {wl.today.isoformat()}：{wl.counts()}。"]
    if not wl.entries:
        lines.append("没有待办事项。")
        return "\n".join(lines)
    sections = (("待办（最紧急的在前）", wl.duties), ("建议（供参考，不是必须办理的事项）", wl.suggestions))
    for heading, entries in sections:
        if not entries:
            continue
        lines += ["", heading]
        for n, e in enumerate(entries, 1):
            lines.append(f"{n:3d}. 【{e.when}】{e.due.isoformat()} {e.title}：{e.subject}")
            lines.append(f"     {e.action}")
            if e.people:
                shown = "、".join(e.people[:12]) + ("等" if len(e.people) > 12 else "")
                lines.append(f"     名单：{shown}")
            lines.append(f"     依据：{e.rule}（{e.source}）")
            lines.append(f"     办完后更新：{e.place}")
    return "\n".join(lines)


__all__ = ["render_text", "Entry", "Place", "WorkList", "work_list", "KINDS", "reception_limit",
           "escalation_entries", "with_entries"]
