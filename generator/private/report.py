"""The quarterly report for the union above (每季度统计上报), as an .xlsx workbook.

`bangfu report 我的站点 --quarter 2026Q3`. Figures for the quarter:
- payouts by item, by 困难类别 and by 主要致困原因 (a payout counts in the quarter
  of its 发放日期; unpaid ones do not count);
- files: in force at the quarter's end (建档 on or before the end and not closed by
  then), newly registered (建档日期 in the quarter) and closed (结档日期 in the quarter);
- money per fund (opening balance, income, payouts, other spending, closing
  balance), income by source and spending by purpose;
- the reception log (接待登记) by kind: received, settled, transferred, still open —
  legal aid and job help are counted from it, whether or not the person has a file.
Every text cell goes through safe_cells (no formula injection); amounts are
numbers with two decimals, Decimal until the cell.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_left
from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from .. import schema
from ..ledger import EXPENSE, INCOME, OPENING, PAYOUT, Ledger
from ..money import total
from ..outputs import write_bytes
from ..periods import Quarter, latest_complete, quarter_of
from ..records import Records
from ..render import zh_date
from ..safe_cells import clean, is_risky, write_text_cell
from .closing import splice_sheets
from .paths import inside

FOLDER = "季度统计"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def quarters_present(records: Records, today: date) -> list[Quarter]:
    """Complete quarters (up to the latest) in which anything was paid, registered, closed,
    received or spent; at least the latest complete quarter."""
    last = latest_complete(today)
    days = [p.paid for p in records.live_payouts] + [w.registered for w in records.workers] + \
        [w.closed for w in records.workers] + [i.date for i in records.incomes] + \
        [e.date for e in records.expenses] + [e.received for e in records.reception]
    found = {quarter_of(d) for d in set(days) if d is not None}  # each distinct day once
    return sorted({q for q in found if q <= last} | {last})


# figures -------------------------------------------------------------------------------
def _tally(payouts, key) -> list[tuple]:
    """(label, people, times, amount) per key value, in first-seen order."""
    groups: dict = {}
    for p in payouts:
        groups.setdefault(key(p) or "未填", []).append(p)
    return [(label, len({p.archive_no for p in ps}), len(ps), total(p.amount for p in ps))
            for label, ps in groups.items()]


def _ordered(rows, order) -> list[tuple]:
    rank = {name: i for i, name in enumerate(order)}
    return sorted(rows, key=lambda r: (rank.get(r[0], len(rank)), r[0]))


def paid_in(records: Records, q: Quarter) -> list:
    return [p for p in records.live_payouts if p.paid in q]


def _category_on(records: Records, p, fixed: dict | None = None) -> str | None:
    """The 困难类别 the payout was judged under: the figures valid on its application date.
    `fixed`: archive number -> the category of a worker without annual reviews (whose figures
    are the register's on every day), filled in as met."""
    if fixed is not None:
        found = fixed.get(p.archive_no, fixed)
        if found is not fixed:
            return found
    w = records.worker_by_no.get(p.archive_no)
    if w is None:
        return None
    category = category_at(records, w, p.applied or p.paid)
    if fixed is not None and not records.reviews_by_worker.get(w.archive_no):
        fixed[p.archive_no] = category
    return category


def category_at(records: Records, w, day: date | None) -> str | None:
    """records.figures_at(w, day).category (the figures of records.review_at(w, day), else the
    register's), without working out the other figures (a per capita income in Decimals for
    each of tens of thousands of register and review rows the reports ask about)."""
    return (records.review_at(w, day) or w).category


def in_force(w, day: date) -> bool:
    return bool(w.registered and w.registered <= day and not (w.closed and w.closed <= day))


def file_counts(records: Records, quarters, label_at, changes=None) -> dict:
    """Quarter -> [(label, in force at the end, newly registered, closed)], in one pass over the
    workers for all quarters. `label_at(worker, day)` is the worker's label on a day (its 困难类别
    then; day None: as registered); `changes(worker)` the sorted days from which it may differ
    (annual reviews). A worker's label is asked once per change, not once per quarter, and it
    counts in force over each run of quarters with one label at once."""
    quarters = sorted(set(quarters))
    ends = [q.end for q in quarters]
    index = {q: i for i, q in enumerate(quarters)}
    n = len(quarters)
    counts: dict = {}  # label -> (in force: differences over quarters, registered, closed)

    def row(label) -> tuple:
        found = counts.get(label)
        if found is None:
            found = counts[label] = ([0] * (n + 1), [0] * n, [0] * n)
        return found

    for w in records.workers:
        registered, closed = w.registered, w.closed
        if registered is None and closed is None:
            continue
        # (first quarter index, label) runs: a change counts from the first quarter ending on or after it
        runs = [(0, label_at(w, None) or "未填")]
        for day in changes(w) if changes is not None else ():
            run = (bisect_left(ends, day), label_at(w, day) or "未填")
            if run[0] == runs[-1][0]:
                runs[-1] = run  # the latest change before a quarter's end wins
            else:
                runs.append(run)
        if registered is not None:
            # in force at a quarter's end: registered on or before it and not closed by then
            first, stop = bisect_left(ends, registered), bisect_left(ends, closed) if closed is not None else n
            for k, (begin, label) in enumerate(runs):
                low, high = max(first, begin), min(stop, runs[k + 1][0] if k + 1 < len(runs) else n)
                if low < high:
                    diff = row(label)[0]
                    diff[low] += 1
                    diff[high] -= 1
        for day, column in ((registered, 1), (closed, 2)):
            i = index.get(quarter_of(day)) if day is not None else None
            if i is not None:
                label = next(label for begin, label in reversed(runs) if begin <= i)
                row(label)[column][i] += 1
    out: dict = {q: [] for q in quarters}
    for name, (diff, new, gone) in counts.items():
        running = 0
        for i, q in enumerate(quarters):
            running += diff[i]
            if running or new[i] or gone[i]:
                out[q].append((name, running, new[i], gone[i]))
    return out


def category_files(records: Records, quarters) -> dict:
    """file_counts by the 困难类别 valid at each quarter's end (annual reviews change it)."""
    reviews = records.reviews_by_worker
    return file_counts(records, quarters, lambda w, day: category_at(records, w, day),
                       lambda w: [r.date for r in reviews.get(w.archive_no, ())])


def cause_files(records: Records, quarters) -> dict:
    """file_counts by 主要致困原因 (the register's; it does not change over time)."""
    return file_counts(records, quarters, lambda w, day: w.cause)


def fund_rows(records: Records, q: Quarter, today: date, ledger: Ledger | None = None) -> list[tuple]:
    """(fund, source, opening, income, payouts, other spending, closing) per fund, from the one
    ledger (generator/ledger.py); income includes a 期初余额 that entered during the quarter."""
    ledger = Ledger(records, today) if ledger is None else ledger
    out = []
    for name, f in ledger.funds.items():
        flow = ledger.flow(ledger.quarter(q), name)
        income = flow.by_kind[INCOME] + flow.by_kind[OPENING]
        out.append((name, f.source or "", flow.opening, income, flow.by_kind[PAYOUT], flow.by_kind[EXPENSE],
                    flow.closing))
    return out


def _paid_by_quarter(records: Records) -> dict:
    return _by_quarter(records.live_payouts, "paid")


def _by_quarter(rows, key: str) -> dict:
    """Quarter -> the rows whose date `key` falls in it (in row order), each date's quarter
    worked out once (100,000 payouts of a 20,000-worker station are paid on a few hundred days)."""
    out: dict = {}
    quarters: dict = {}  # date -> its quarter's rows
    for r in rows:
        day = getattr(r, key)
        if day is not None:
            group = quarters.get(day)
            if group is None:
                group = quarters[day] = out.setdefault(quarter_of(day), [])
            group.append(r)
    return out


def income_by_source(records: Records, q: Quarter) -> list[tuple]:
    groups: dict = {}
    for i in records.incomes:
        if i.date in q:
            groups.setdefault(i.source or "未填", []).append(i.amount)
    return _ordered([(s, len(a), total(a)) for s, a in groups.items()], schema.SOURCE_KIND)


def spending_by_purpose(records: Records, q: Quarter, paid: list | None = None) -> list[tuple]:
    groups: dict = {}
    for p in paid_in(records, q) if paid is None else paid:
        item = records.item_by_name.get(p.item)
        groups.setdefault((item.group if item else None) or "其他", [Decimal(0), Decimal(0)])[0] += p.amount or 0
    for e in records.expenses:
        if e.date in q:
            groups.setdefault(e.purpose or "其他", [Decimal(0), Decimal(0)])[1] += e.amount or 0
    return _ordered([(g, a, b, a + b) for g, (a, b) in groups.items()], schema.ITEM_GROUP)


def reception_rows(records: Records, q: Quarter) -> list[tuple]:
    """(事项类别, received, settled in the quarter, transferred, open at the quarter's end) per kind
    of the reception log (接待登记): legal aid and job help are counted here, with or without a file."""
    rows: dict = {}
    for e in records.reception:
        if e.received not in q:
            continue
        row = rows.setdefault(e.kind or "未填", [0, 0, 0, 0])
        row[0] += 1
        row[1] += e.closed in q
        row[2] += bool(e.transferred_to)
        row[3] += e.closed is None or e.closed > q.end
    return _ordered([(k, *v) for k, v in rows.items()], schema.RECEPTION_KIND)


# writing ---------------------------------------------------------------------------------
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


_SIMPLE = frozenset((str, date, int))  # the kinds of value a row taken as XML (_Sheet.rows) may hold


class _Sheet:
    def __init__(self, ws, rows: list | None = None):
        self.ws = ws
        self.row = 1
        self.header_rows: list[int] = []  # the column-header row of each section
        self.styles: dict = {}  # (format, bold, boxed) -> the style of a cell styled so
        # with a list: the rows of a section are not made worksheet cells but kept here as
        # (row, column, data type, value, style) for Detached (see people_sheet)
        self.rows = rows

    def cell(self, col: int, value, *, money=False, bold=False, boxed=True):
        if isinstance(value, Decimal):
            value = float(value.quantize(Decimal("0.01")))
            money = True
        c = write_text_cell(self.ws, self.row, col, value)
        fmt = MONEY_FORMAT if money else DATE_FORMAT if isinstance(value, date) else None
        # risky text keeps its quote prefix (safe_cells): a style of its own, not a plain cell's
        key = (fmt, bold, boxed, isinstance(value, str) and is_risky(c.value))
        known = self.styles.get(key)
        if known is not None and hasattr(c, "_style"):
            # openpyxl looks each style object up by a deep hash on every assignment (a third
            # of the report's time); a cell styled the same way before lends its style ids
            c._style = copy(known)
            return c
        if fmt:
            c.number_format = fmt
        if bold:
            c.font = _BOLD
        if boxed:
            c.border = _BOX
        if hasattr(c, "_style"):
            self.styles[key] = copy(c._style)
        return c

    def line(self, *values, bold=False, boxed=True):
        for col, value in enumerate(values, 1):
            self.cell(col, value, bold=bold, boxed=boxed)
        self.row += 1

    def kept_line(self, values) -> None:
        """A plain boxed row (strings, dates and integers) into self.rows, each cell as `cell` would
        make it (a string cleaned as text, cut to the 32,767 characters a cell holds; risky text
        with the quote prefix; dates in DATE_FORMAT), without a worksheet cell: a cell of a kind
        of style not met yet is made once, for its style, and taken out again."""
        row, keep = self.row, self.rows.append
        key: tuple[str | None, bool, bool, bool]
        for col, value in enumerate(values, 1):
            kind = value.__class__
            if kind is str:
                value = clean(value)[:32767]
                key, data_type = (None, False, True, is_risky(value)), "s"
            elif kind is date:
                key, data_type = (DATE_FORMAT, False, True, False), "d"
            else:
                key, data_type = (None, False, True, False), "n"
            style = self.styles.get(key)
            if style is None:
                made = self.cell(col, value)
                del self.ws._cells[(row, col)]
                style = self.styles.get(key)
                if style is None or made.data_type != data_type or made._value != value:  # pragma: no cover
                    raise AssertionError(f"a kept row's cell is not as openpyxl makes it: {value!r}")
            keep((row, col, data_type, value, style))
        self.row += 1

    def section(self, title: str, header: tuple, rows: list, totals: bool = True, total_row=None):
        self.row += 1
        self.cell(1, title, bold=True, boxed=False).font = Font(bold=True, size=12)
        self.row += 1
        self.header_rows.append(self.row)
        for col, text in enumerate(header, 1):
            c = self.cell(col, text, bold=True)
            c.fill = _HEAD_FILL
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.row += 1
        kept = self.rows is not None and all(v.__class__ in _SIMPLE for r in rows for v in r)
        for r in rows:
            if kept:
                self.kept_line(r)
            else:
                self.line(*r)
        if not rows:
            self.line("本季度无", *([""] * (len(header) - 1)))
        elif total_row is not None:
            self.line(*total_row, bold=True)
        elif totals:
            sums = []
            for col in range(1, len(header)):
                values = [r[col] for r in rows]
                numeric = all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in values)
                sums.append(sum(values, Decimal(0) if isinstance(values[0], Decimal) else 0) if numeric else "")
            self.line("合计", *sums, bold=True)


def _header(sh: _Sheet, records: Records, q: Quarter, today: date, title: str, width: int):
    s = records.settings
    c = sh.cell(1, f"{title}（{q.zh}）", boxed=False)
    c.font = _TITLE
    sh.ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    c.alignment = Alignment(horizontal="center")
    sh.row = 2
    for label, value in (("填报单位", s.station_name or ""), ("报送单位", s.parent_union or ""),
                         ("统计期间", f"{zh_date(q.start)}至{zh_date(q.end)}"),
                         ("填报日期", today), ("联系人", s.contact or ""), ("联系电话", s.phone or "")):
        sh.cell(1, label, bold=True, boxed=False)
        sh.cell(2, value, boxed=False).alignment = Alignment(horizontal="left")
        sh.row += 1


def _widths(ws, widths):
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


DATE_WIDTH = 16
LANDSCAPE_FROM = 110  # total column width (characters) above which a sheet prints landscape


def _print_setup(sh: _Sheet, title: str, widths, *, repeat: str) -> None:
    """A proper A4 printout for the union above: fit to the page width, centred, the title
    row tall enough not to be cut, `repeat` rows printed again at the top of every page,
    and page numbers in the footer."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    ws = sh.ws
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sum(widths) > LANDSCAPE_FROM else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.3)
    last = max(ws.max_row, sh.rows[-1][0] if sh.rows else 1)  # kept rows (_Sheet.rows) are below the cells
    ws.print_area = f"A1:{get_column_letter(len(widths))}{last}"
    ws.print_title_rows = repeat
    ws.row_dimensions[1].height = 30
    ws.oddFooter.center.text = f"{title}　第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


@dataclass(frozen=True)
class Figures:
    """Everything a quarter's report shows besides its header (which is settings and date)."""
    quarter: Quarter
    sections: tuple  # (title, header, rows, totals, total_row)
    new_files: tuple  # rows of workers registered in the quarter
    closed_files: tuple


NEW_KEYS = ("archive_no", "name", "sex", "employer", "category", "cause", "registered")
CLOSED_KEYS = ("archive_no", "name", "employer", "category", "status", "closed", "exit_reason")


# The tables the file figures of a report are worked out from (file_parts): the register and the
# annual reviews (figures_at), never a payout.
FILE_TABLES = ("workers", "reviews")


def file_parts(records: Records, quarters) -> dict:
    """Quarter -> (files by category, files by cause, rows of the workers registered in it,
    rows of those closed in it): what a report shows from FILE_TABLES alone, in one pass over
    the workers for all quarters. Each quarter's part depends on that quarter alone, so a
    build may keep them while only payouts change (a payout edit works out the ledger and the
    payout tallies, not 20,000 workers' file counts again)."""
    registered, closed = _by_quarter(records.workers, "registered"), _by_quarter(records.workers, "closed")
    by_category, by_cause = category_files(records, quarters), cause_files(records, quarters)
    return {q: (by_category[q], by_cause[q], _people_rows(registered.get(q, []), NEW_KEYS),
                _people_rows(closed.get(q, []), CLOSED_KEYS))
            for q in quarters}


def all_figures(records: Records, quarters, today: date, parts: dict | None = None,
                tallies: dict | None = None) -> dict:
    """Quarter -> Figures, grouping payouts and workers by quarter once and building the
    ledger once for all quarters; `parts`: file_parts for (at least) these quarters, when
    already worked out; `tallies`: quarter -> payout_tallies of the quarters whose tallies are
    known already (the others are worked out)."""
    paid = _paid_by_quarter(records)
    # the report shows the funds' sums and balances alone: the merged ledger has the same ones from
    # a movement per fund, day, kind and item instead of one per payout (ledger.fund_movements)
    ledger = Ledger(records, today, merged=True)
    parts = file_parts(records, quarters) if parts is None else parts
    tallies = tallies or {}
    return {q: figures(records, q, today, paid.get(q, []), ledger, files=parts[q][:2], people=parts[q][2:],
                       tallies=tallies.get(q))
            for q in quarters}


# How many of a report's sections are the payouts' tallies (payout_tallies): the first ones
TALLIES = 3


def payout_tallies(records: Records, paid: list) -> tuple:
    """The sections of a report that count the payouts paid in its quarter (`paid`): by item, by
    困难类别 (the worker's on the application date), by 主要致困原因. They depend on those payouts
    and the other tables alone (never on another quarter's payouts), so a build may keep them
    for a quarter whose payouts did not change while an earlier quarter's did."""
    worker = records.worker_by_no.get
    item_group = {i.name: i.group or "" for i in records.items}
    # people are counted once in the totals, even when helped under several items
    overall = (len({p.archive_no for p in paid}), len(paid), total(p.amount for p in paid))
    by_item = _ordered(_tally(paid, lambda p: p.item), [i.name for i in records.items])
    categories = [c.name for c in records.categories]
    fixed: dict = {}  # _category_on
    return (
        ("一、帮扶发放（按帮扶项目）", ("帮扶项目", "项目类别", "人数", "人次", "金额（元）"),
         [(name, item_group.get(name, ""), n, t, a) for name, n, t, a in by_item], True, ("合计", "", *overall)),
        ("二、帮扶发放（按困难类别）", ("困难类别", "人数", "人次", "金额（元）"),
         _ordered(_tally(paid, lambda p: _category_on(records, p, fixed)), categories),
         True, ("合计", *overall)),
        ("三、帮扶发放（按主要致困原因）", ("主要致困原因", "人数", "人次", "金额（元）"),
         _ordered(_tally(paid, lambda p: getattr(worker(p.archive_no), "cause", None)), schema.CAUSES),
         True, ("合计", *overall)),
    )


def figures(records: Records, q: Quarter, today: date, paid: list | None = None, ledger: Ledger | None = None,
            registered: list | None = None, closed: list | None = None, files: tuple | None = None,
            people: tuple | None = None, tallies: tuple | None = None) -> Figures:
    """One quarter's figures; all_figures hands in what it worked out for every quarter at once
    (`files`: the file counts by category and by cause; `people`: the rows of the workers
    registered and closed in the quarter; `tallies`: payout_tallies of the quarter)."""
    paid = paid_in(records, q) if paid is None else paid
    if files is None:
        files = (category_files(records, [q])[q], cause_files(records, [q])[q])
    categories = [c.name for c in records.categories]
    heads = ("季末在档人数", "本季新建档", "本季结档")
    sections = (
        *(payout_tallies(records, paid) if tallies is None else tallies),
        ("四、困难职工档案（按困难类别）", ("困难类别", *heads),
         _ordered(files[0], categories), True, None),
        ("五、困难职工档案（按主要致困原因）", ("主要致困原因", *heads),
         _ordered(files[1], schema.CAUSES), True, None),
        ("六、资金收支（按资金账户）",
         ("资金账户", "资金来源", "期初余额", "本季收入", "本季帮扶发放", "本季其他支出", "期末余额"),
         fund_rows(records, q, today, ledger), True, None),
        ("七、资金收入（按来源）", ("来源类型", "笔数", "金额（元）"), income_by_source(records, q), True, None),
        ("八、资金支出（按用途）", ("用途", "帮扶发放", "其他支出", "合计"), spending_by_purpose(records, q, paid),
         True, None),
        ("九、接待登记（按事项类别；法律援助、就业援助不要求建档）",
         ("事项类别", "接待件数", "本季办结", "其中转办", "季末未办结"), reception_rows(records, q), True, None),
    )
    if people is None:
        if registered is None:
            registered = [w for w in records.workers if w.registered in q]
        if closed is None:
            closed = [w for w in records.workers if w.closed in q]
        people = (_people_rows(registered, NEW_KEYS), _people_rows(closed, CLOSED_KEYS))
    return Figures(q, sections, *people)


def _people_rows(workers, keys) -> tuple:
    return tuple(tuple("" if v is None else v for v in (getattr(w, k) for k in keys))
                 for w in sorted(workers, key=lambda w: w.archive_no or ""))


def build_workbook(records: Records, q: Quarter, today: date, figs: Figures | None = None,
                   detached: dict | None = None) -> Workbook:
    """The report's workbook. With `detached` (a dict), the rows of the people sheets are taken
    out of their worksheets as XML (detach_rows; sheet number -> edit) for write_report to
    splice back into the saved file."""
    figs = figs if figs is not None else figures(records, q, today)
    wb = Workbook()
    stats_sheet(wb.active, records, q, today, figs, TITLE)
    for title, rows, keys in (("本季新建档", figs.new_files, NEW_KEYS), ("本季结档", figs.closed_files, CLOSED_KEYS)):
        ws = wb.create_sheet(title)
        kept: list | None = [] if detached is not None else None
        first = people_sheet(ws, records, q, today, f"{title}困难职工", rows, keys, kept=kept) + 1
        if detached is not None:
            edit = detach_rows(ws, first, kept)
            if edit is not None:
                detached[len(wb.worksheets)] = edit
    wb.properties.title = f"{q.zh}困难职工帮扶工作统计"
    wb.properties.creator = "bangfu"
    return wb


TITLE = "困难职工帮扶工作季度统计表"
STATS_WIDTHS = (26, 22, 14, 14, 16, 16, 16)


def stats_sheet(ws, records: Records, q: Quarter, today: date, figs: Figures, title: str,
                notes: tuple = ()) -> None:
    """The report's main sheet: the header, `notes` ((label, text) lines under it), the sections."""
    sh = _Sheet(ws)
    sh.ws.title = "季度统计"
    _header(sh, records, q, today, title, 7)
    for label, text in notes:
        sh.cell(1, label, bold=True, boxed=False)
        sh.cell(2, text, boxed=False).alignment = Alignment(horizontal="left")
        sh.row += 1
    for title_, header, rows, totals, total_row in figs.sections:
        sh.section(title_, header, rows, totals=totals, total_row=total_row)
    _widths(sh.ws, STATS_WIDTHS)
    _print_setup(sh, f"{title}（{q.zh}）", STATS_WIDTHS, repeat="1:1")


def people_sheet(ws, records, q, today, title, rows, keys, lead: tuple = (), kept: list | None = None) -> int:
    """Workers registered or closed in the quarter; `lead`: (column name, width) of columns
    before the register's own (the county's 站点), whose values lead each row. Returns the row
    of the column headers (the people's rows follow it). With a list `kept`, rows of plain values
    are kept there instead of made worksheet cells (_Sheet.kept_line), for detach_rows."""
    sh = _Sheet(ws, kept)
    _header(sh, records, q, today, title, len(lead) + len(keys))
    columns = [schema.WORKERS.column(k) for k in keys]
    sh.section(f"共 {len(rows)} 人", (*(name for name, _ in lead), *(c.name for c in columns)), list(rows),
               totals=False)
    # a date in the 2026年7月15日 format needs 16 characters, or the sheet prints ###
    widths = [width for _, width in lead] + [max(DATE_WIDTH if c.kind == schema.DATE else 12, c.width)
                                              for c in columns]
    widths[1] = max(widths[1], DATE_WIDTH)  # also holds the 填报日期 of the header block
    _widths(ws, widths)
    header = sh.header_rows[0]
    _print_setup(sh, f"{title}（{q.zh}）", widths, repeat=f"{header}:{header}")
    return header


def table_sheet(ws, records: Records, q: Quarter, today: date, title: str, caption: str, header: tuple,
                rows: list, total_row: tuple | None, widths: tuple) -> None:
    """A sheet of one table in the report's format (the header block, then the table)."""
    sh = _Sheet(ws)
    _header(sh, records, q, today, title, len(header))
    sh.section(caption, header, rows, totals=False, total_row=total_row)
    _widths(ws, widths)
    row = sh.header_rows[0]
    _print_setup(sh, f"{title}（{q.zh}）", widths, repeat=f"{row}:{row}")


_DIMENSION = re.compile(r'(<dimension ref=")[^"]*(")')


class Detached:
    """The cells of a sheet's last rows, taken out of the worksheet (detach_rows), and the
    edit that writes them into the saved sheet XML as openpyxl would have written them
    (openpyxl.cell._writer.etree_write_cell: inline strings, numbers, dates as serial numbers,
    each with its style id), at the end of <sheetData>, with the sheet's dimension as it was:
    thousands of people's rows cost a fraction of openpyxl's element by element writing.
    `cells`: (row, column, data type, value, style array or None), in row and column order."""

    def __init__(self, wb, cells: list, dimension: str):
        self.wb, self.cells, self.dimension = wb, cells, dimension

    def number_styles(self) -> None:
        """Give the cells' styles their ids in the order openpyxl's writer meets them (after
        the rows left in the sheet, which the writer numbers first): the ids must be known
        before the workbook's styles are written, and equal to a whole write's."""
        self._ids()

    def _ids(self) -> dict:
        """id(style array) -> its style id, numbered as cell.style_id numbers it on first use
        (the workbook's list of cell styles), each array looked up once: a kept row's cells
        share the arrays of their sheet (_Sheet.styles)."""
        add = self.wb._cell_styles.add
        ids: dict = {}
        for *_, style in self.cells:
            if style is not None and id(style) not in ids:
                ids[id(style)] = add(style)
        return ids

    def xml(self) -> str:
        letters: dict = {}
        out: list = []
        row_cells: list = []
        current = None
        epoch = self.wb.epoch
        ids = self._ids()
        for row, col, kind, value, style in self.cells:
            if row != current:
                if current is not None:
                    out.append(_row_xml(current, row_cells))
                current, row_cells = row, []
            if value is None and style is None:
                continue
            letter = letters.get(col) or letters.setdefault(col, get_column_letter(col))
            head = f'<c r="{letter}{row}"' + (f' s="{ids[id(style)]}"' if style is not None else "")
            if kind == "d":
                kind, value = "n", to_excel(value, epoch)
            head += ' t="inlineStr"' if kind == "s" else f' t="{kind}"'
            if value is None or value == "":
                row_cells.append(head + " />")
            elif kind == "s":
                stripped = value.strip()
                space = ' xml:space="preserve"' if stripped and value != stripped else ""
                row_cells.append(f"{head}><is><t{space}>{escape(value)}</t></is></c>")
            else:
                row_cells.append(f"{head}><v>{safe_string(value)}</v></c>")
        if current is not None:
            out.append(_row_xml(current, row_cells))
        return "".join(out)

    def __call__(self, xml: str) -> str:
        xml = _DIMENSION.sub(lambda m: f"{m.group(1)}{self.dimension}{m.group(2)}", xml, count=1)
        end = xml.index("</sheetData>")
        return xml[:end] + self.xml() + xml[end:]


def _row_xml(row: int, cells: list) -> str:
    return f'<row r="{row}">{"".join(cells)}</row>' if cells else f'<row r="{row}" />'


def detach_rows(ws, first: int, kept: list | None = None) -> Detached | None:
    """The cells of rows `first` and below taken out of `ws` (Detached), followed by the rows
    `kept` there instead of made cells (_Sheet.kept_line), or None (the cells left in place)
    when a cell or row is of a kind Detached does not write (a formula, a comment, a hyperlink,
    rich text, a row's own height or style, ISO dates)."""
    kept = kept or []
    rows = {r for r, *_ in kept}
    for (row, _), cell in ws._cells.items():
        if row < first:
            continue
        rows.add(row)
        kind = cell.data_type
        if kind not in ("s", "n", "d") or cell._comment is not None or cell.hyperlink is not None \
                or (kind == "s" and cell._value is not None and type(cell._value) is not str):
            return None
    if ws.parent.iso_dates or any(r in ws.row_dimensions for r in rows):
        if kept:  # pragma: no cover (the report's sheets set neither)
            raise AssertionError("kept rows on a sheet Detached cannot write")
        return None
    dimension = ws.calculate_dimension()
    if kept:
        top, right = ws.min_row, max(ws.max_column, max(c for _, c, *_ in kept))
        left = min(ws.min_column, min(c for _, c, *_ in kept))
        dimension = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{kept[-1][0]}"
    taken = sorted((key, cell) for key, cell in ws._cells.items() if key[0] >= first)
    ws._cells = {key: cell for key, cell in ws._cells.items() if key[0] < first}
    cells = [(row, col, cell.data_type, cell._value, cell._style if cell.has_style else None)
             for (row, col), cell in taken]
    return Detached(ws.parent, cells + kept, dimension)


def write_report(records: Records, q: Quarter, path: Path, *, today: date, root: Path | None = None,
                 figs: Figures | None = None) -> Path:
    """Write the report workbook to `path` (kept inside `root` when given): openpyxl writes
    it with the people sheets' rows spliced in as XML (detach_rows), the same file, dated
    `today` (its parts' times and document dates: the same report the same day, the same bytes)."""
    path = Path(path)
    if root is not None:
        inside(root, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    detached: dict = {}
    wb = build_workbook(records, q, today, figs, detached=detached)
    for n, ws in enumerate(wb.worksheets, 1):  # style ids in the writer's order (Detached.number_styles)
        for _, cell in sorted(ws._cells.items()):
            if cell.has_style:
                cell.style_id  # noqa: B018
        if n in detached:
            detached[n].number_styles()
    buffer = io.BytesIO()
    wb.save(buffer)
    # dated by the day it reports on (its 填报日期), not the time of saving: the same figures on the
    # same day give the same bytes; never written through a link (carry.py)
    write_bytes(path, splice_sheets(buffer.getvalue(), detached, "openpyxl", stamp=today))
    return path


def report_settings(records: Records) -> tuple:
    """The settings a report's header shows."""
    s = records.settings
    return (s.station_name, s.parent_union, s.contact, s.phone)


def default_name(q: Quarter) -> str:
    return f"{q.code}季度统计表.xlsx"
