"""资金公开 pages: the total and each fund, per year and period, with SVG charts and a
downloadable summary workbook. Figures come from generator.ledger.Ledger (as the checks' and
the quarterly report's do).

Disclosure control (disclosure_control.Plan): the periods are the year's reporting
periods (quarters, half-years or the year; each fund its own), assistance payouts
appear on the total pages by the statistics' category rows with the statistics'
hidden cells hidden, and on a fund's own page as one 帮扶发放 line."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .. import record_views
from ..ledger import EXPENSE, OPENING_LABEL, PAYOUT, Flow, Ledger, Movement, Period, ratio_text
from ..outputs import stable_xlsx
from ..paths import safe_filename, unique_names
from ..periods import Quarter
from ..records import maker
from ..station import StationInfo
from . import charts
from .common import Docs, front_matter, public_text
from .disclosure_control import MERGED_SPENDING, PAYOUT_PREFIX, SCHEMES, Plan

SECTION = "funds"
RESERVED = {"index", "years", "charts", "downloads", "total"}  # total: the all-funds charts
DOWNLOAD = f"{SECTION}/downloads/funds-summary.xlsx"
DOWNLOAD_NAME = "资金公开汇总.xlsx"


@dataclass
class Breakdown:
    """Rows of (label, [amount per period], year total, [hidden per period]), largest
    year total first. A hidden amount is in the totals but not shown."""
    rows: list

    @property
    def totals(self) -> list:
        if not self.rows:
            return []
        n = len(self.rows[0][1])
        return [sum((r[1][i] for r in self.rows), Decimal(0)) for i in range(n)]

    @property
    def total(self) -> Decimal:
        return sum((r[2] for r in self.rows), Decimal(0))


@dataclass
class YearView:
    year: int
    quarters: list  # (label, Flow)
    whole: Flow
    sources: Breakdown
    uses: Breakdown
    chart_quarters: str  # docs path
    chart_uses: str
    local: Decimal = Decimal(0)
    upper: Decimal = Decimal(0)
    ratio: str = ""  # only where the station declares a matching requirement
    required: str = ""  # '1 : 1'
    funds: list = field(default_factory=list)  # (FundPage, Flow) for the total's year page


@dataclass
class FundPage:
    slug: str
    name: str
    source: str
    allowed: str
    opened: date | None
    opening: Decimal
    note: str
    balance: Decimal
    years: list = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{SECTION}/{self.slug}.md"


@dataclass
class FundsView:
    """Everything the 资金公开 pages show: each fund's page, the total per year, the sums."""
    ledger: Ledger
    funds: list[FundPage]
    years: list[YearView]  # the total of all funds, newest year first
    balance: Decimal
    income: Decimal
    spending: Decimal
    matching: bool = False  # the station declares a matching requirement (财政配套比例)


def _breakdown(flows: list[Flow], whole: Flow, attr: str, hidden=None) -> Breakdown:
    """`hidden(label, period index)`: whether the statistics hide that cell."""
    labels = {label for label, amount in getattr(whole, attr).items() if amount}
    rows = [(label, [getattr(f, attr).get(label, Decimal(0)) for f in flows], getattr(whole, attr)[label],
             [bool(hidden and len(flows) > 1 and hidden(label, i)) for i in range(len(flows))])
            for label in labels]
    rows.sort(key=lambda r: (r[0] != OPENING_LABEL, -r[2], r[0]))
    return Breakdown(rows)


def _year_view(ledger: Ledger, year: int, funds, scope: str, docs: Docs, title: str,
               required: Decimal | None = None, spans=SCHEMES[0], hidden=None) -> YearView:
    periods = _periods(ledger, year, spans)
    flows = [ledger.flow(p, funds) for p in periods]
    whole = ledger.flow(ledger.year(year), funds)
    labels = [s.label for s in spans][:len(periods)]
    qpath = f"{SECTION}/charts/{scope}-{year}-quarters.svg"
    upath = f"{SECTION}/charts/{scope}-{year}-uses.svg"
    docs.add(qpath, charts.quarter_columns(f"{title}{year} 年各季度收入和支出", labels,
                                           [f.income_total for f in flows],
                                           [f.spending_total for f in flows]), kind="charts")
    uses = _breakdown(flows, whole, "spending", hidden)
    docs.add(upath, charts.horizontal_bars(f"{title}{year} 年支出用途",
                                           [(r[0], r[2]) for r in uses.rows]), kind="charts")
    view = YearView(year, list(zip(labels, flows)), whole, _breakdown(flows, whole, "income"), uses,
                    qpath, upath)
    if required is not None:  # the ratio is shown only where the station declares the rule
        view.local, view.upper = ledger.matching(year, funds)
        view.ratio = ratio_text(view.local, view.upper)
        view.required = f"{required.normalize():f} : 1"
    return view


def _slug(name: str) -> str:
    slug = safe_filename(name, "fund")
    return slug + "-zh" if slug.casefold() in RESERVED else slug


def _relabel(ledger: Ledger, label) -> Ledger:
    """The same ledger with every movement published under `label(movement)`: a movement whose
    label stays is kept as it is (it is frozen), the others made through `records.maker`
    (build_funds relabels a merged ledger: 2,100 movements at 20,000 workers, not 100,000)."""
    make = maker(Movement)

    def relabelled(m: Movement) -> Movement:
        new = label(m)
        return m if new == m.label else make(m.fund, m.day, m.kind, new, m.amount, m.sheet, m.row)

    return ledger.with_movements({fund: [relabelled(m) for m in moves] for fund, moves in ledger.movements.items()})


def _periods(ledger: Ledger, year: int, spans) -> list[Period]:
    """The ledger periods of a year's reporting periods (disclosure_control.Span), cut at today."""
    out = []
    for s in spans:
        first, last = Quarter(year, s.quarters[0]), Quarter(year, s.quarters[-1])
        if first.start > ledger.today:
            break
        out.append(Period(year, first.number if first == last else None, first.start, min(last.end, ledger.today)))
    return out


def _row_label(plan, m) -> str:
    """The use a movement is published under on the total pages: a payout under its
    statistics row; in a year with fewer people than the minimum, payouts and other
    spending together on one line."""
    if m.kind not in (PAYOUT, EXPENSE):
        return m.label
    yp = plan.years.get(m.day.year)
    if yp is not None and yp.small:
        return MERGED_SPENDING
    if m.kind == EXPENSE:
        return m.label
    if yp is None:
        return PAYOUT_PREFIX
    return f"{PAYOUT_PREFIX}：{yp.row_of.get(m.label or '未填写', '未填写')}"


def _fund_label(plan, m) -> str:
    """On a fund's own page: one 帮扶发放 line, merged with the fund's other spending in a
    year its payouts reached fewer people than the minimum."""
    if m.kind not in (PAYOUT, EXPENSE):
        return m.label
    if (m.fund, m.day.year) in plan.small_fund_years:
        return MERGED_SPENDING
    return PAYOUT_PREFIX if m.kind == PAYOUT else m.label


def _hidden_in_stats(plan, year: int):
    yp = plan.years.get(year)
    if yp is None:
        return None
    prefix = PAYOUT_PREFIX + "："

    def hidden(label: str, index: int) -> bool:
        return label.startswith(prefix) and yp.cell(label[len(prefix):], index).hidden
    return hidden


def build_funds(records, today: date, docs: Docs, plan: Plan | None = None, *,
                by_category: bool = True) -> FundsView:
    """Views for every fund page, the total and the year pages; writes the charts into docs.
    `plan`: the build's disclosure decision (made here when not given). `by_category=False`:
    the total pages show payouts as the fund pages do (one 帮扶发放 line), for a site whose
    statistics are not these records' (the county site: the network's statistics)."""
    plan = plan or Plan(records, today)
    base = Ledger(records, today, label=public_text, merged=True)  # the pages show only sums
    ledger = _relabel(base, lambda m: _row_label(plan, m) if by_category else _fund_label(plan, m))
    per_fund = _relabel(base, lambda m: _fund_label(plan, m))
    slugs = unique_names(list(ledger.funds), stem=_slug)
    years = ledger.years()
    pages = []
    for name, f in ledger.funds.items():
        page = FundPage(slugs[name], public_text(name), public_text(f.source), public_text(f.allowed),
                        f.opened, f.opening or Decimal(0), public_text(f.note), ledger.balance(name))
        page.years = [_year_view(per_fund, y, name, slugs[name], docs, "", spans=_spans(plan, y, name))
                      for y in reversed(years) if not f.opened or f.opened.year <= y]
        pages.append(page)
    total_years = []
    for y in reversed(years):
        view = _year_view(ledger, y, None, "total", docs, "全部资金", records.settings.matching_ratio,
                          _spans(plan, y), _hidden_in_stats(plan, y) if by_category else None)
        view.funds = [(p, ledger.flow(ledger.year(y), p_name))
                      for p, p_name in zip(pages, ledger.funds) if any(v.year == y for v in p.years)]
        total_years.append(view)
    return FundsView(ledger, pages, total_years, ledger.balance(),
                     sum((v.whole.income_total for v in total_years), Decimal(0)),
                     sum((v.whole.spending_total for v in total_years), Decimal(0)),
                     records.settings.matching_ratio is not None)


# the tables build_funds reads (of the settings only matching_ratio) besides the Plan:
# tests/test_disclosure_plan_memo.py builds the view from exactly these
FUNDS_TABLES = ("settings", "funds", "incomes", "expenses", "payouts")
_LAST: list = []  # [(key, plan, view, charts)]: this process's last fund views (`bangfu serve`)


def funds_for(records, today: date, docs: Docs, plan: Plan) -> FundsView:
    """`build_funds(records, today, docs, plan)`, or the views (and charts) this process built
    last when made from the very same Plan (site.disclosure_control.plan_for keeps it) and
    tables of the same digests, the same ratio and date: a serve save of the station's name
    builds no ledger again (20,000 workers: about 1.3 CPU-s)."""
    key = (record_views.digest(records, FUNDS_TABLES[1:]), records.settings.matching_ratio, today)
    if _LAST and _LAST[0][0] == key and _LAST[0][1] is plan:
        _, _, view, charts = _LAST[0]
    else:
        made = Docs()
        view = build_funds(records, today, made, plan)
        charts = list(made.files.items())  # only charts (tests/test_disclosure_plan_memo.py)
        _LAST[:] = [(key, plan, view, charts)]
    for path, content in charts:
        docs.add(path, content, kind="charts")
    return view


def _spans(plan, year: int, fund: str | None = None):
    yp = plan.years.get(year)
    if yp is None:
        return SCHEMES[0]
    if fund is None:
        return yp.spans
    return yp.fund_spans.get(fund, SCHEMES[0])


# the last summary workbook written in this process, by its sheets and day (repr)
_SUMMARY: dict[str, bytes] = {}


def render_funds(env, docs: Docs, view: FundsView, site: StationInfo) -> None:
    sheets = summary_rows(view, site)
    key = repr((sheets, view.ledger.today))
    data = _SUMMARY.get(key)
    if data is None:  # `bangfu serve` builds again and again: the workbook is written once per content
        data = _summary_bytes(sheets, view.ledger.today)
        _SUMMARY.clear()
        _SUMMARY[key] = data
    docs.add(DOWNLOAD, data, kind="downloads", key=key)
    fund_tpl = env.get_template("site/fund.md.j2")
    for page in view.funds:
        docs.add(page.path, front_matter(page.name) + fund_tpl.render(site=site, f=page), kind="funds")
    year_tpl = env.get_template("site/funds_year.md.j2")
    for y in view.years:
        docs.add(f"{SECTION}/years/{y.year}.md", front_matter(f"{y.year} 年资金收支") + year_tpl.render(
            site=site, y=y), kind="funds")
    docs.add(f"{SECTION}/index.md", front_matter("资金公开") + env.get_template("site/funds.md.j2").render(
        site=site, v=view, latest=view.years[0] if view.years else None, download=DOWNLOAD,
        download_name=DOWNLOAD_NAME), kind="index")


def summary_rows(view: FundsView, site: StationInfo) -> list[tuple[str, list]]:
    """The summary workbook's sheets as (title, rows)."""
    scopes = [("全部账户", view.years)] + [(p.name, p.years) for p in view.funds]
    quarterly = [["资金账户", "年度", "期间", "期初余额", "收入", "支出", "期末余额"]]  # periods as published
    for name, years in scopes:
        for y in sorted(years, key=lambda v: v.year):
            for label, flow in [*y.quarters, ("全年", y.whole)]:
                quarterly.append([name, y.year, label, flow.opening, flow.income_total,
                                  flow.spending_total, flow.closing])
    sheets = [("季度收支", quarterly)]
    for title, attr, column in (("收入来源", "sources", "来源"), ("支出用途", "uses", "用途")):
        rows = [["资金账户", "年度", column, "期间", "金额"]]
        for name, years in scopes:
            for y in sorted(years, key=lambda v: v.year):
                labels = [label for label, _ in y.quarters]
                for label, amounts, total, hidden in getattr(y, attr).rows:
                    if len(amounts) > 1:
                        for period, amount, h in zip(labels, amounts, hidden):
                            rows.append([name, y.year, label, period, "—" if h else amount])
                    rows.append([name, y.year, label, "全年", total])
        sheets.append((title, rows))
    sheets.append(("说明", [[f"{site.name} 帮扶资金公开汇总"],
                            [f"数据截至 {site.today.isoformat()}，单位：元。"],
                            ["帮扶发放按项目汇总，不含个人信息；尚未发放的款项不计入支出。"]]))
    return sheets


def summary_workbook(sheets: list[tuple[str, list]], stamp: date) -> bytes:
    """Write the summary; strings go through safe_cells, so no cell can run as a formula. Its
    document dates are the day of the figures (`stamp`): the same figures give the same bytes,
    so a build that is run again publishes the very same file."""
    return stable_xlsx(_summary_raw(sheets), stamp)


# A saved station name changes only the title on the 说明 sheet; writing the figures' rows
# again (openpyxl, cell by cell) was most of the summary's cost in a `bangfu serve` save.
# The workbook as openpyxl writes it is kept with TITLE_SLOT for a plain title (Han
# characters, letters, digits, inner spaces: no escaping, no quote prefix, no space kept
# apart) that no other cell holds, and the title is put into its cell's text: the same
# parts, so the same bytes as writing it anew (tests/test_site_funds_summary.py).
TITLE_SLOT = "bfsummarytitleslotq"
_PLAIN_TITLE = re.compile(r"[\u4e00-\u9fff0-9A-Za-z](?:[\u4e00-\u9fff0-9A-Za-z ]*[\u4e00-\u9fff0-9A-Za-z])?")
_RAW: dict[str, bytes] = {}  # the last workbook written with TITLE_SLOT, by its rows


def _summary_bytes(sheets: list[tuple[str, list]], stamp: date) -> bytes:
    """summary_workbook's bytes, the rows written only when more than a plain title changed."""
    last_title, last_rows = sheets[-1]
    title = last_rows[0][0] if last_title == "说明" and last_rows and last_rows[0] else None
    texts = [v for _, rows in sheets for row in rows for v in row if isinstance(v, str)]
    if not isinstance(title, str) or not _PLAIN_TITLE.fullmatch(title) or texts.count(title) != 1 \
            or any(TITLE_SLOT in v for v in texts):
        return summary_workbook(sheets, stamp)
    slotted = [*sheets[:-1], (last_title, [[TITLE_SLOT, *last_rows[0][1:]], *last_rows[1:]])]
    key = repr(slotted)
    raw = _RAW.get(key)
    if raw is None:
        raw = _summary_raw(slotted)
        _RAW.clear()
        _RAW[key] = raw
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        parts = [(name, zf.read(name)) for name in zf.namelist()]
    named = [(name, data) for name, data in parts if TITLE_SLOT.encode() in data]
    slot = f"<t>{TITLE_SLOT}</t>".encode()
    if len(named) != 1 or named[0][1].count(slot) != 1 or named[0][1].count(TITLE_SLOT.encode()) != 1:
        return summary_workbook(sheets, stamp)
    name, data = named[0]
    return stable_xlsx(_with_part(raw, name, data.replace(slot, f"<t>{title}</t>".encode())), stamp)


def _with_part(data: bytes, name: str, part: bytes) -> bytes:
    """The zip `data` with the part `name` replaced (stored: stable_xlsx compresses it anew)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, part if info.filename == name else zin.read(info.filename))
    return out.getvalue()


def _summary_raw(sheets: list[tuple[str, list]]) -> bytes:
    """The summary as openpyxl saves it (stable_xlsx fixes its dates)."""
    from openpyxl import Workbook

    from ..safe_cells import safe_row

    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(safe_row(ws, row))
    wb.properties.creator = "bangfu"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
