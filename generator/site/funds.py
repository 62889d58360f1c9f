"""资金公开 pages: the total and each fund, per year and quarter, with SVG charts and a
downloadable summary workbook. Figures come from generator.ledger.Ledger (as the checks' and
the quarterly report's do)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..ledger import OPENING_LABEL, Flow, Ledger, ratio_text
from ..paths import safe_filename, unique_names
from ..periods import quarter_label
from ..station import StationInfo
from . import charts
from .common import Docs, front_matter, public_text

SECTION = "funds"
RESERVED = {"index", "years", "charts", "downloads", "total"}  # total: the all-funds charts
DOWNLOAD = f"{SECTION}/downloads/funds-summary.xlsx"
DOWNLOAD_NAME = "资金公开汇总.xlsx"


@dataclass
class Breakdown:
    """Rows of (label, [amount per quarter], year total), largest year total first."""
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


def _breakdown(flows: list[Flow], whole: Flow, attr: str) -> Breakdown:
    labels = {label for label, amount in getattr(whole, attr).items() if amount}
    rows = [(label, [getattr(f, attr).get(label, Decimal(0)) for f in flows], getattr(whole, attr)[label])
            for label in labels]
    rows.sort(key=lambda r: (r[0] != OPENING_LABEL, -r[2], r[0]))
    return Breakdown(rows)


def _year_view(ledger: Ledger, year: int, funds, scope: str, docs: Docs, title: str,
               required: Decimal | None = None) -> YearView:
    periods = ledger.quarters(year)
    flows = [ledger.flow(p, funds) for p in periods]
    whole = ledger.flow(ledger.year(year), funds)
    labels = [p.label for p in periods]
    qpath = f"{SECTION}/charts/{scope}-{year}-quarters.svg"
    upath = f"{SECTION}/charts/{scope}-{year}-uses.svg"
    docs.add(qpath, charts.quarter_columns(f"{title}{year} 年各季度收入和支出", labels,
                                           [f.income_total for f in flows],
                                           [f.spending_total for f in flows]), kind="charts")
    uses = _breakdown(flows, whole, "spending")
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


def build_funds(records, today: date, docs: Docs) -> FundsView:
    """Views for every fund page, the total and the year pages; writes the charts into docs."""
    ledger = Ledger(records, today, label=public_text)
    slugs = unique_names(list(ledger.funds), stem=_slug)
    years = ledger.years()
    pages = []
    for name, f in ledger.funds.items():
        page = FundPage(slugs[name], public_text(name), public_text(f.source), public_text(f.allowed),
                        f.opened, f.opening or Decimal(0), public_text(f.note), ledger.balance(name))
        page.years = [_year_view(ledger, y, name, slugs[name], docs, "")
                      for y in reversed(years) if not f.opened or f.opened.year <= y]
        pages.append(page)
    total_years = []
    for y in reversed(years):
        view = _year_view(ledger, y, None, "total", docs, "全部资金", records.settings.matching_ratio)
        view.funds = [(p, ledger.flow(ledger.year(y), p_name))
                      for p, p_name in zip(pages, ledger.funds) if any(v.year == y for v in p.years)]
        total_years.append(view)
    return FundsView(ledger, pages, total_years, ledger.balance(),
                     sum((v.whole.income_total for v in total_years), Decimal(0)),
                     sum((v.whole.spending_total for v in total_years), Decimal(0)),
                     records.settings.matching_ratio is not None)


def render_funds(env, docs: Docs, view: FundsView, site: StationInfo) -> None:
    sheets = summary_rows(view, site)
    docs.add(DOWNLOAD, summary_workbook(sheets), kind="downloads", key=repr(sheets))
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
    quarterly = [["资金账户", "年度", "期间", "期初余额", "收入", "支出", "期末余额"]]
    for name, years in scopes:
        for y in sorted(years, key=lambda v: v.year):
            for label, flow in [*y.quarters, ("全年", y.whole)]:
                quarterly.append([name, y.year, label, flow.opening, flow.income_total,
                                  flow.spending_total, flow.closing])
    sheets = [("季度收支", quarterly)]
    for title, attr, column in (("收入来源", "sources", "来源"), ("支出用途", "uses", "用途")):
        rows = [["资金账户", "年度", column, *(quarter_label(n) for n in range(1, 5)), "全年"]]
        for name, years in scopes:
            for y in sorted(years, key=lambda v: v.year):
                for label, amounts, total in getattr(y, attr).rows:
                    rows.append([name, y.year, label, *amounts, *[None] * (4 - len(amounts)), total])
        sheets.append((title, rows))
    sheets.append(("说明", [[f"{site.name} 帮扶资金公开汇总"],
                            [f"数据截至 {site.today.isoformat()}，单位：元。"],
                            ["帮扶发放按项目汇总，不含个人信息；尚未发放的款项不计入支出。"]]))
    return sheets


def summary_workbook(sheets: list[tuple[str, list]]) -> bytes:
    """Write the summary; strings go through safe_cells, so no cell can run as a formula."""
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
