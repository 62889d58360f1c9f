"""一人一档: one printable dossier per worker, and the index in pinyin order (按音序).

A dossier holds the cover sheet, identity and contact, family members with
incomes and the per-capita figure against the 低保 line of the year the family
was last assessed, the history of yearly reviews (年度复核), the 六知一定 summary,
visits, every payout (rejected and cancelled ones shown as such, never counted as
given), and the disclosure batches and objections that concern the worker. Files are named by
the (sanitised) archive number: 档案/SF-0001.html.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from .. import disclosure, render, schema
from ..gcpause import gc_paused
from ..lifecycle import days_since_applying, deadline_days, disclosed_in
from ..money import capitals, total, yuan
from ..names import initial, name_key, pinyin_text, pinyin_version
from ..paths import FolderWriter
from ..record_views import _origin, table_digest
from ..records import Records, Worker, is_void
from ..render import Settled
from ..workdays import WorkCalendar
from .carry import child_paths
from .closing import LABELS as CASE_LABELS, case_summary, finished_of, on_time, work_calendar
from .common import Ctx, Doc, attrs, environment, fields, plain_digest, show, station, station_key, write_doc
from .dossier_slices import SLICES, Slices, _batch_parts, _payout_batches, shared_shown
from .paths import notice_slug, page_url, unique_names

FOLDER = "档案"
INDEX = "index.html"

COVER = ("archive_no", "name", "sex", "employer", "union_branch", "work_status", "category",
         "status", "cause", "applied", "batch", "registered", "reviewed")
CLOSED = ("closed", "exit_reason")
IDENTITY = ("id_number", "birth_date", "ethnicity", "political", "marital", "hukou",
            "model_worker", "joined", "phone", "community", "address", "bank", "bank_account")
MEMBER_KEYS = ("name", "relation", "sex", "birth_date", "id_number", "health", "role",
               "school_or_employer", "income")


# What a dossier template reads: plain objects with slots (an attribute lookup is all Jinja
# does for `d.name`, where a dict context cost a conversion per render); `d["name"]` in a
# station's own template still works (Jinja falls back to the attribute).
@dataclass(slots=True)
class MemberRow:
    name: str
    relation: str
    sex: str
    birth_date: str
    id_number: str
    health: str
    role: str
    school_or_employer: str
    income: str


@dataclass(slots=True)
class ReviewRow:
    date: date
    size: str
    income: str
    rigid: str
    per_capita: str
    line: str
    category: str
    reviewer: str
    conclusion: str


@dataclass(slots=True)
class PayoutRow:
    record_no: str
    item: str
    campaign: str
    beneficiary: str
    batch: str
    date_values: tuple  # the payout's dates, one per _PAYOUT_DATES label (None where not entered)
    date_lines: str  # the dates as printed, one "label date" a line
    amount: str
    fund: str
    method: str
    signed: str
    state: str
    void: bool
    given: bool
    signed_on: str
    number: int = 0  # its place in the dossier's list, from 1 (what `loop.index` gives, without a loop object)

    @property
    def dates(self) -> list[tuple[str, str]]:
        """(label, printed date) of each date entered, in _PAYOUT_DATES order."""
        return [(label, show(value)) for label, value in zip(_DATE_LABELS, self.date_values) if value]


@dataclass(slots=True)
class CaseRow:
    record_no: str
    item: str
    limit: int
    verified_days: int | None
    on_time: bool | None
    lines: list[str]  # each cell as printed: the date, and its working days on a line of their own
    payout: object  # the finished payout
    source: tuple = field(compare=False, repr=False)  # (records, work calendar), for `steps`

    @property
    def steps(self) -> dict:
        """Step label -> lifecycle step (closing.case_summary), worked out when a template asks
        for it: the package's dossier prints `lines` alone."""
        records, calendar = self.source
        return case_summary(records, self.payout, calendar)["steps"]

    @property
    def cells(self) -> list[tuple[str, int | None]]:
        """One (date, working days since applying) per step label (closing.LABELS), in that
        order, as printed: the date, or — when the step has none, 无需 when the case needs no
        such step; the working days when shown, else None."""
        out: list[tuple[str, int | None]] = []
        steps = self.steps
        for label in CASE_LABELS:
            s = steps.get(label)
            if s is None:
                out.append(("无需", None))
            elif s.day:
                out.append((s.day.isoformat(), s.working_days if label != "申请" else None))
            else:
                out.append(("—", None))
        return out


@dataclass(slots=True)
class BatchRow:
    batch_no: str
    title: str
    what: str
    start: date | None
    end: date | None
    outcome: str
    url: str | None
    sort: date


@dataclass(slots=True)
class Dossier:
    """The context of one dossier (dossier_context)."""
    archive_no: str
    name: str
    initial: str
    pinyin: str
    cover: list[tuple[str, str]]
    identity: list[tuple[str, str]]
    members: list[MemberRow]
    income: list[tuple[str, str]]
    income_verdict: str
    six: list[tuple[str, str]]
    visits: list
    payouts: list[PayoutRow]
    reviews: list[ReviewRow]
    given_count: int
    payout_total: Decimal
    payout_capitals: str  # the total in Chinese capitals (money.capitals)
    cases: list[CaseRow]
    case_labels: tuple[str, ...]
    batches: list[BatchRow]
    objections: list
    note: str
    registrar: str
    reviewer: str


@dataclass(frozen=True)
class Filed:
    """A worker's place in the filing order."""
    number: int
    worker: Worker
    stem: str  # file name without .html


def filing_order(records: Records) -> list[Filed]:
    """Workers in pinyin order of the name, ties by archive number, with safe file stems."""
    stems = unique_names(sorted(w.archive_no or "" for w in records.workers))
    ordered = sorted(records.workers, key=lambda w: name_key(w.name, w.archive_no or ""))
    return [Filed(i, w, stems[w.archive_no or ""]) for i, w in enumerate(ordered, 1)]


def _income(records: Records, w, today: date) -> tuple[list, str]:
    """The latest figures on file (the last review, else those at 建档) against the 低保
    line of the year they were assessed in."""
    fig = records.current_figures(w)
    year = (fig.date or w.reviewed or today).year
    line = records.dibao_line(year)
    computed = fig.per_capita
    rows = [
        ("认定依据", f"{fig.date.isoformat()} 年度复核" if fig.from_review else "建档时的情况"),
        ("家庭人口", f"{fig.household_size} 人" if fig.household_size else ""),
        ("家庭年收入", _money(fig.household_income)),
        ("刚性支出", _money(fig.rigid_spending)),
        ("家庭月人均收入", _money(computed)),
        ("低保情况", show(w.dibao)),
        (f"{year}年低保标准", f"{yuan(line)} 元/人/月" if line is not None else "未登记"),
    ]
    if fig.typed_per_capita is not None and computed is not None and fig.typed_per_capita != computed:
        rows.append(("工作簿中填写的月人均", _money(fig.typed_per_capita)))
    category = records.category_by_name.get(fig.category)
    if category is not None and category.multiple is not None and line is not None:
        limit = (line * category.multiple).quantize(Decimal("0.01"))
        rows.append((f"“{fig.category}”收入上限", f"{yuan(limit)} 元/人/月"))
    if computed is None:
        verdict = "家庭收入或人口未填写，无法计算月人均收入。"
    elif line is None or line == 0:
        verdict = f"帮扶政策中没有登记 {year} 年的低保标准，无法与低保线比较。"
    else:
        ratio = (computed / line).quantize(Decimal("0.01"))
        side = "低于" if computed < line else ("等于" if computed == line else "高于")
        verdict = (f"计算方法：（家庭年收入 − 刚性支出）÷ 12 ÷ 家庭人口 = {yuan(computed)} 元，"
                   f"为 {year} 年低保线 {yuan(line)} 元的 {ratio} 倍，{side}低保线。")
    return rows, verdict


def _money(amount) -> str:
    return f"{yuan(amount)} 元" if amount is not None else ""


def _six(w) -> list[tuple[str, str]]:
    disability = show(w.disability) if w.disability and w.disability != "无" else ""
    if disability and w.disability_grade:
        disability += f"（{w.disability_grade}）"
    return [
        ("知住址", "　".join(x for x in (show(w.address), show(w.community)) if x)),
        ("知生活状况", "；".join(x for x in (show(w.living), show(w.housing) and f"住房：{show(w.housing)}") if x)),
        ("知致困原因", show(w.cause) + (f"；次要：{show(w.causes_more)}" if w.causes_more else "")),
        ("知疾病（健康状况）", show(w.health) + (f"；残疾：{disability}" if disability else "")),
        ("知低保", show(w.dibao)),
        ("知子女就学", show(w.schooling)),
        ("定帮扶措施", show(w.measures)),
    ]


def _reviews(records: Records, w) -> list[ReviewRow]:
    """The review history, oldest first, each against its own year's 低保 line."""
    out = []
    for r in records.reviews_by_worker.get(w.archive_no, ()):
        fig = records.figures_at(w, r.date)
        line = records.dibao_line(r.date.year)
        out.append(ReviewRow(r.date, f"{fig.household_size} 人" if fig.household_size else "",
                             yuan(fig.household_income), yuan(fig.rigid_spending), yuan(fig.per_capita),
                             yuan(line) if line is not None else "未登记", show(r.category), show(r.reviewer),
                             show(r.conclusion)))
    return out


def given(p) -> bool:
    """Paid and neither rejected nor cancelled: what a dossier counts as assistance given."""
    return p.paid is not None and not is_void(p)


_PAYOUT_DATES = (("申请", "applied"), ("核实", "verified"), ("批准", "approved"), ("告知", "notified"),
                 ("发放", "paid"), ("回访", "followed_up"))
_DATE_LABELS = tuple(label for label, _ in _PAYOUT_DATES)
_date_values = attrgetter(*(key for _, key in _PAYOUT_DATES))
_member_values = attrgetter(*MEMBER_KEYS)
_VOID_STATES = schema.VOID_STATES


def _payout_row(p, number: int = 0) -> PayoutRow:
    values = _date_values(p)
    known = _DATE_LINES.get  # looked up here: most dates printed are known already
    lines = "\n".join([known((label, value)) or _date_line(label, value)
                       for label, value in zip(_DATE_LABELS, values) if value])
    void = p.state in _VOID_STATES  # is_void
    state = p.state if void else ("已发放" if p.paid else "办理中")
    signed = "" if void or not p.paid else ("已签收" if p.signed else "未签收")
    campaign = p.campaign if p.campaign and p.campaign != p.item else ""
    return PayoutRow(p.record_no or "", p.item or "", campaign, p.beneficiary or "", p.batch or "", values, lines,
                     yuan(p.amount), p.fund or "", p.method or "", signed, state, void,
                     p.paid is not None and not void,  # given
                     show(p.signed_on) if p.signed and not void else "", number)


# (label, date) -> "label date" as a payout's dates print it: a few thousand, printed 500,000 times
_DATE_LINES: dict = {}


def _date_line(label: str, value) -> str:
    if value.__class__ is date:
        key = (label, value)
        found = _DATE_LINES.get(key)
        if found is None:
            found = f"{label} {show(value)}"
            if len(_DATE_LINES) < 100_000:
                _DATE_LINES[key] = found
        return found
    return f"{label} {show(value)}"


def _cases(records: Records, w, calendar: WorkCalendar) -> list[CaseRow]:
    """The worker's finished cases (closing.finished_of), each with the cells it prints, one
    per step label, as closing.case_summary's steps give them; worked out from the payout's
    dates without the summary (its steps and their details, which the dossier does not print)."""
    mine = finished_of(records, w)
    if not mine:
        return []
    lines_at = _case_lines(calendar)
    item_by_name, source, ends = records.item_by_name, (records, calendar), _disclosure_ends(records)
    out = []
    for p in mine:
        applied = p.applied
        end = ends.get(p.batch)
        if end is None:
            batch = disclosed_in(records, p)
            end = ends[p.batch] = records.batch_end(batch) if batch is not None else _NO_STEP
        days: tuple = (p.verified, end, p.approved, p.notified, p.paid,
                (p.signed_on if p.signed else None) if p.method != "服务" else _NO_STEP, p.followed_up)
        if applied:  # its date alone: the cell of any day for a case without an application date
            line = lines_at.get((None, applied))
            if line is None:
                line = lines_at[(None, applied)] = _cell_line(applied, None)
        else:
            line = "—"
        lines = [line]
        for day in days:
            if day is _NO_STEP:
                lines.append("无需")
            elif not day:
                lines.append("—")
            else:
                key = (applied, day)
                line = lines_at.get(key)
                if line is None:
                    line = lines_at[key] = _cell_line(day, days_since_applying(calendar, p, day))
                lines.append(line)
        verified = days_since_applying(calendar, p, p.verified)
        limit = deadline_days(item_by_name.get(p.item))
        out.append(CaseRow(p.record_no or "", p.item or "", limit, verified, on_time(verified, limit), lines, p,
                           source))
    return out


_NO_STEP = object()  # a step the case does not have (无需): no disclosure batch, no receipt for a service
_LINES_AT: list = [None, {}]  # [work calendar, {(applied, day): printed cell}] (_case_lines)


def _disclosure_ends(records: Records) -> dict:
    """Batch number -> the day a case's disclosure step shows (lifecycle.disclosed_in's batch's
    end), or _NO_STEP where there is none; filled as asked, kept with the records (as
    closing.work_calendar): thousands of cases share a batch."""
    origin = _origin(records).__dict__
    found = origin.get("_disclosure_ends")
    if found is None or found[0] is not records:
        found = origin["_disclosure_ends"] = (records, {})
    return found[1]


def _case_lines(calendar: WorkCalendar) -> dict:
    """(applied, day) -> the cell printed for a step on `day` of a case applied for on `applied`,
    for this work calendar: the days between are counted once per pair, not once per case."""
    if _LINES_AT[0] is not calendar:
        _LINES_AT[:] = [calendar, {}]
    found = _LINES_AT[1]
    if len(found) > 200_000:
        found.clear()
    return found


# (day, working days) -> the printed cell: a few thousand, printed 800,000 times at 20,000 workers
_CELL_LINES: dict = {}


def _cell_line(day: date, days: int | None) -> str:
    key = (day, days)
    found = _CELL_LINES.get(key)
    if found is None:
        found = day.isoformat() if days is None else f"{day.isoformat()}\n（{days}）"
        if len(_CELL_LINES) < 100_000:
            _CELL_LINES[key] = found
    return found


def _payout_date(p) -> date:
    return p.paid or p.approved or p.applied or date.min


def _batches(records: Records, w, payouts, today: date, site_url: str | None,
             periods: dict | None = None) -> list[BatchRow]:
    """The disclosure batches a worker appeared in, each with its state on `today` and the
    worker's objections in it; `periods` (disclosure.periods) is worked out once per build."""
    if periods is None:
        periods = disclosure.periods(records, today)
    involved: dict[str, list[str]] = {}
    if w.batch:
        batch = records.batch_by_no.get(w.batch)
        involved.setdefault(w.batch, []).append(batch.kind if batch and batch.kind else "建档公示")
    for p in payouts:
        if p.batch:
            involved.setdefault(p.batch, []).append(p.item or "帮扶")
    out = []
    shown = _shown_batches(records, periods, site_url)
    for batch_no, what in involved.items():
        known = shown.get(batch_no)
        if known is None:
            known = shown[batch_no] = _shown_batch(records, periods, site_url, batch_no)
        if known[0] is None:
            out.append(BatchRow(batch_no, "（公示批次表中没有此批次）", "、".join(what), None, None, "", None,
                                date.min))
            continue
        v, title, outcome, url, objections = known
        mine = [o for o in objections if o.archive_no == w.archive_no] if objections else ()
        if mine:
            if any(o.result == "成立" for o in mine):
                outcome = "异议成立"
            elif any(o.result == "处理中" or not o.result for o in mine):
                outcome = "有异议，处理中"
            else:
                outcome = "有异议，经复查不成立"
        out.append(BatchRow(batch_no, title, "、".join(dict.fromkeys(what)), v.start, v.end, outcome, url, v.start))
    out.sort(key=lambda b: (b.sort, b.batch_no))
    return out


def _shown_batches(records: Records, periods: dict, site_url: str | None) -> dict:
    """What every dossier shows of each batch (_shown_batch), worked out once per batch for these
    records, disclosure periods (a build's) and site address, not once per worker in it; kept with
    the records (as closing.work_calendar), so it goes with them."""
    origin = _origin(records).__dict__
    kept = origin.get("_shown_batches")
    if kept is None or kept[0] is not records or kept[1] is not periods or kept[2] != site_url:
        kept = origin["_shown_batches"] = (records, periods, site_url, {})
    return kept[3]


def _shown_batch(records: Records, periods: dict, site_url: str | None, batch_no: str) -> tuple:
    """(disclosure period, title, outcome for a worker without objections in it, notice address,
    its objections), or (None,) for a batch not in the table or without a start."""
    batch = records.batch_by_no.get(batch_no)
    if batch is None or batch.start is None:
        return (None,)
    v = periods[batch_no]
    if v.state == disclosure.RUNNING:
        outcome = f"公示中（{render.zh_date(v.end)}结束）"
    elif v.state == disclosure.NOT_STARTED:
        outcome = "尚未开始"
    else:
        outcome = "公示期满无异议"
    return (v, batch.title or "", outcome, _notice_url(site_url, batch_no),
            records.objections_by_batch.get(batch_no, ()))


@lru_cache(maxsize=4096)
def _capitals(amount: Decimal) -> str:
    """money.capitals of a dossier's total: cn2an takes about as long as a tenth of the rest of a
    dossier's context, and thousands of dossiers share a handful of totals."""
    return capitals(amount)


@lru_cache(maxsize=4096)
def _notice_url(site_url: str | None, batch_no: str) -> str | None:
    """The notice page of a batch on the site (the same for every worker in it)."""
    return page_url(site_url, "notices", notice_slug(batch_no))


def dossier_context(records: Records, worker, today: date, site_url: str | None = None,
                    periods: dict | None = None, calendar: WorkCalendar | None = None) -> Dossier:
    w = worker
    calendar = calendar or work_calendar(records)
    payouts = sorted(records.payouts_by_worker.get(w.archive_no, []),
                     key=lambda p: (_payout_date(p), p.record_no or ""))
    paid = [p for p in payouts if given(p)]
    payout_total = total(p.amount for p in paid)
    visits = sorted(records.visits_by_worker.get(w.archive_no, []),
                    key=lambda v: (v.date or date.min, v.row))
    members = [MemberRow(*[v if v.__class__ is str else show(v) for v in _member_values(m)])
               for m in records.members_by_worker.get(w.archive_no, ())]  # show() of a str is the str
    cover = fields(schema.WORKERS, w, COVER)
    if w.relapsed:
        cover.append(("返困", "是"))
    if w.status in schema.CLOSED_STATUS or w.closed:
        cover += fields(schema.WORKERS, w, CLOSED)
    income, verdict = _income(records, w, today)
    objections = records.objections_by_worker.get(w.archive_no, ()) if w.archive_no else \
        [o for o in records.objections if o.archive_no == w.archive_no]
    return Dossier(
        archive_no=w.archive_no or "", name=w.name or "", initial=initial(w.name),
        pinyin=pinyin_text(w.name or ""),
        cover=cover, identity=fields(schema.WORKERS, w, IDENTITY),
        members=members, income=income, income_verdict=verdict, six=_six(w),
        visits=visits, payouts=[_payout_row(p, n) for n, p in enumerate(payouts, 1)], reviews=_reviews(records, w),
        given_count=len(paid), payout_total=payout_total, payout_capitals=_capitals(payout_total),
        cases=_cases(records, w, calendar), case_labels=CASE_LABELS,
        batches=_batches(records, w, payouts, today, site_url, periods),
        objections=sorted(objections, key=lambda o: (o.received or date.min, o.objection_no or "")),
        note=w.note or "", registrar=w.registrar or "", reviewer=w.reviewer or "",
    )


def write_dossiers(records: Records, out_dir: Path, *, today: date, site_url: str | None = None,
                   only: set[str] | None = None, carry=None, order: list[Filed] | None = None) -> list[Doc]:
    """Write 档案/<archive no>.html for every worker (or those in `only`), in filing order;
    with a `carry` (carry.Carry), a dossier whose content did not change is carried over."""
    env = environment(records)
    template = Settled(env.get_template("private/dossier.html"))
    folder = Path(out_dir) / FOLDER
    # a build writes into a new staging folder (carry, not in place); `bangfu dossier` into the live one
    writer = FolderWriter(out_dir, folder, fresh=carry is not None and not carry.in_place)
    st = station(records, today)
    key = station_key(st)
    shown_station = attrs(st)
    written: list = []
    # batch number -> its disclosure period and state (what a dossier shows of a batch and its
    # fingerprint takes), worked out once, before the renders are shared out among processes
    periods = disclosure.periods(records, today)

    def render(w, path: Path) -> Doc:
        d = dossier_context(records, w, today, site_url, periods, calendar)
        return write_doc(out_dir, path, template.render(d=d, station=shown_station), today, writer)

    calendar = work_calendar(records)
    shared = carry.fingerprint("dossier-shared", shared_shown(records, today, site_url), key) if carry else ""
    wanted: list = []  # of a build (carry): (file name, fingerprint, its slices), worker, in filing order
    # a build's 20,000 fingerprints, slices and queued renders are kept to the end: with the collector
    # on, each of its passes walked all those made so far (most of a CPU-second of the private writer,
    # on the path the build waits on); nothing made here forms a cycle, reference counting frees it
    with gc_paused() if carry is not None and carry.queue is not None else nullcontext():
        slices = Slices(records, carry) if carry is not None else None
        _queue(records, carry, order, only, folder, periods, render, shared, slices, written, wanted)
        if slices is not None:
            slices.save()
    return written


def _queue(records: Records, carry, order, only, folder: Path, periods: dict, render, shared: str,
           slices: Slices | None, written: list, wanted: list) -> None:
    """write_dossiers' loop: each dossier rendered now (no carry), or carried or queued."""
    batch_parts: dict = {}
    payout_batches = _payout_batches(records) if carry is not None else {}
    for filed in order if order is not None else filing_order(records):
        if only is not None and filed.worker.archive_no not in only:
            continue
        name = f"{filed.stem}.html"
        if carry is None:
            written.append(render(filed.worker, folder / name))
            continue
        assert slices is not None
        own = slices.of(filed.worker, f"{FOLDER}/{name}")
        fp = carry.plain_fingerprint("dossier", own, _batch_parts(records, filed.worker, periods, batch_parts,
                                                                  payout_batches), shared)
        wanted.append(((name, fp, {SLICES: own}), filed.worker))
    if carry is not None:
        # the unchanged ones carried all at once; the others rendered (queued after carry.defer())
        child = child_paths(folder)  # folder / name, without parsing the name again (20,000 times)
        for ((name, fp, extra), w), doc in zip(wanted, carry.reuse_many(folder, [item for item, _ in wanted])):
            if doc is None:
                path = child(name)
                doc = carry.document(path, fp, lambda w=w, path=path: render(w, path), extra=extra)
            written.append(doc)


def write_index(records: Records, out_dir: Path, *, today: date, volumes=(), index_pdf: str | None = None,
                carry=None, order: list[Filed] | None = None) -> Doc:
    """档案/index.html: every dossier in filing order with its status, linked. With a `carry`,
    an index whose inputs (the register, the payouts, the header, the volumes and the pinyin
    package: the filing order is worked out from them) are the last build's is carried
    without its 20,000 rows being gathered."""
    env = environment(records)
    st = station(records, today)
    path = Path(out_dir) / FOLDER / INDEX
    worked: list = []  # (rows, status counts), once asked for

    def rows_and_counts():
        if not worked:
            rows = []
            by_worker, no_payouts = records.payouts_by_worker, ()
            readings: dict = {}  # name -> (initial, pinyin): names recur
            for filed in order if order is not None else filing_order(records):
                w = filed.worker
                payouts = [p for p in by_worker.get(w.archive_no, no_payouts) if given(p)]
                name = w.name or ""
                read = readings.get(name)
                if read is None:
                    read = readings[name] = (initial(w.name), pinyin_text(name))
                # template contexts at once (common.Ctx), not dicts made over by attrs()
                rows.append(Ctx(number=filed.number, initial=read[0], archive_no=w.archive_no or "",
                                name=name, pinyin=read[1], employer=w.employer or "", category=w.category or "",
                                status=w.status or "", registered=w.registered, count=len(payouts),
                                amount=total(p.amount for p in payouts), href=f"{filed.stem}.html"))
            counts: dict[str, int] = {}
            for r in rows:
                status = str(r["status"] or "未填")
                counts[status] = counts.get(status, 0) + 1
            worked.append((rows, [(s, counts[s]) for s in (*schema.FILE_STATUS, "未填") if s in counts]))
        return worked[0]

    def render():
        rows, status_counts = rows_and_counts()
        html = env.get_template("private/dossier_index.html").render(
            rows=rows, status_counts=status_counts, station=attrs(st), volumes=volumes, index_pdf=index_pdf)
        return write_doc(out_dir, path, html, today)

    if carry is None:
        return render()

    def fingerprint():
        rows, status_counts = rows_and_counts()
        return carry.fingerprint("dossier-index", plain_digest(rows), status_counts, station_key(st), list(volumes),
                                 index_pdf)

    inputs = carry.fingerprint("dossier-index-inputs", table_digest(records, "workers"),
                               table_digest(records, "payouts"), station_key(st), list(volumes), index_pdf,
                               pinyin_version())
    return carry.document(path, fingerprint, render, inputs=inputs)
