"""办结报告: the summary of each finished case (有办结报告, management 五有).

Per case (a payout paid and signed for): applied, verified, disclosed, approved, paid, signed,
followed up, each with its date and the working days used since the application, and whether
verification kept the item's limit (有时限). The dossier shows it for the worker's cases;
`write_closing_book` writes the station's table for a period (private/办结/办结表_2026.xlsx),
with the reception entries settled in that period on a second sheet.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_col_to_name

from .. import lifecycle
from ..money import quantize
from ..outputs import stamped_part, write_bytes
from ..record_views import _origin
from ..records import Records
from ..render import zh_date
from ..safe_cells import is_plain, safe_text, write_text_xw
from ..todo import reception_limit
from ..workdays import WorkCalendar
from . import xlsx_parts
from .paths import inside

FOLDER = "办结"
LABELS = ("申请", "核实", "公示", "批准", "告知", "发放", "签收", "回访")
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"


def work_calendar(records: Records) -> WorkCalendar:
    """The work calendar of these records, one per records and their views (record_views): the
    dossiers and the 办结表 then share it, and with it the case summaries (case_summary)."""
    origin = _origin(records)
    found = origin.__dict__.get("_work_calendar")
    if found is None:
        found = origin.__dict__["_work_calendar"] = WorkCalendar.from_records(records)
    return found


def case_summary(records: Records, payout, calendar: WorkCalendar) -> dict:
    """One finished case as printed: step label -> (date, working days since applying, detail).
    Worked out once per payout and calendar for the records and their views (the 办结表 works
    out only the steps its rows show, book). The summary is shared: read it, never change it."""
    kept = _origin(records).__dict__.setdefault("_case_summaries", {})
    key = (id(calendar), id(payout))
    found = kept.get(key)
    if found is not None and found[0] is payout and found[1] is calendar:
        return found[2]
    summary = _case_summary(records, payout, calendar)
    kept[key] = (payout, calendar, summary)
    return summary


def _case_summary(records: Records, payout, calendar: WorkCalendar) -> dict:
    item = records.item_by_name.get(payout.item)
    limit = lifecycle.deadline_days(item)
    steps = {s.label: s for s in lifecycle.case_steps(records, payout, calendar)}
    verified = steps["核实"].working_days
    return {
        "record_no": payout.record_no or "", "item": payout.item or "", "steps": steps,
        "limit": limit, "verified_days": verified, "on_time": on_time(verified, limit),
    }


def on_time(verified: int | None, limit: int) -> bool | None:
    """Did verification keep the item's limit (有时限)? None when the case has no verification."""
    return None if verified is None else verified <= limit


def finished_cases(records: Records, start: date | None = None, end: date | None = None, payouts=None) -> list:
    """Finished payouts (paid and signed; a service needs no signature), paid within [start, end]
    (of `payouts`, when given: records.payouts or those of them that may be)."""
    out = [p for p in (records.payouts if payouts is None else payouts) if lifecycle.finished(p)
           and (start is None or p.paid >= start) and (end is None or p.paid <= end)]
    return sorted(out, key=lambda p: (p.paid, p.record_no or ""))


def finished_of(records: Records, worker) -> list:
    """The worker's finished payouts in the order of finished_cases (from the worker's own
    payouts: scanning every payout for every dossier made a 20,000-worker build quadratic)."""
    finished = lifecycle.finished
    mine = [p for p in records.payouts_by_worker.get(worker.archive_no, ()) if finished(p)]
    mine.sort(key=lambda p: (p.paid, p.record_no or ""))
    return mine


def years_present(records: Records, today: date) -> list[int]:
    finished = lifecycle.finished  # the years of finished_cases, without sorting 100,000 cases
    return sorted({p.paid.year for p in records.payouts if finished(p) and p.paid and p.paid <= today}
                  | {e.closed.year for e in records.reception if e.closed and e.closed <= today})


CASE_HEADER = ("记录编号", "档案编号", "姓名", "帮扶项目", "金额（元）", "申请日期", "核实日期", "核实用工作日",
               "办理时限（工作日）", "按时", "公示批次", "公示结束", "批准日期", "告知日期", "发放日期", "签收日期",
               "回访日期", "申请至发放工作日")
RECEPTION_HEADER = ("登记编号", "接待日期", "姓名", "人员类别", "档案编号", "事项类别", "办理情况", "转办单位",
                    "办理结果", "办结日期", "用工作日", "时限（工作日）", "按时")


@dataclass(frozen=True)
class Book:
    """What a 办结表 shows besides the date it was generated: its fingerprint (carry.py) is made
    from exactly this. `end` is None for a period running up to the day of generation (the
    current year in a build): the table then says 至<generation date>, and that date is the
    print date of the build that last wrote the book (as common.PRINTED is for the pages)."""
    station: str
    start: date
    end: date | None
    cases: tuple  # rows under CASE_HEADER
    settled: tuple  # rows under RECEPTION_HEADER

    def title(self, today: date) -> str:
        return f"{self.station} 办结表（{zh_date(self.start)}至{zh_date(self.end or today)}）"


def book(records: Records, start: date, end: date, *, today: date,
         calendar: WorkCalendar | None = None) -> Book:
    """The 办结表 of [start, end] as data: finished cases, then settled reception entries."""
    calendar = work_calendar(records) if calendar is None else calendar
    return Book(records.settings.station_name or "帮扶站", start, None if end >= today else end,
                tuple(case_rows(records, finished_cases(records, start, end), calendar)),
                tuple(settled_rows(records, start, end, calendar)))


def case_rows(records: Records, cases, calendar: WorkCalendar, limits: dict | None = None) -> list[tuple]:
    """The rows (CASE_HEADER) of these finished cases: the few steps a row shows, each case's as
    case_summary works them out (without its other steps: tens of thousands of cases a year at a
    20,000-worker station). A row is worked out from its payout and the other tables alone."""
    out = []
    limits = {} if limits is None else limits  # item name -> its limit
    verdicts = {True: "是", False: "否", None: ""}
    days = lifecycle.days_since_applying
    for p in cases:
        limit = limits.get(p.item)
        if limit is None:
            limit = limits[p.item] = lifecycle.deadline_days(records.item_by_name.get(p.item))
        verified = days(calendar, p, p.verified)
        batch = lifecycle.disclosed_in(records, p)
        out.append((p.record_no, p.archive_no, p.name, p.item, p.amount, p.applied, p.verified,
                    verified, limit, verdicts[on_time(verified, limit)],
                    p.batch, records.batch_end(batch) if batch is not None else None, p.approved,
                    p.notified, p.paid, p.signed_on if p.signed else None, p.followed_up,
                    days(calendar, p, p.paid)))
    return out


def settled_rows(records: Records, start: date, end: date, calendar: WorkCalendar) -> list[tuple]:
    """The rows (RECEPTION_HEADER) of the reception entries closed in [start, end]."""
    settled: list[tuple] = []
    for e in sorted(records.reception, key=lambda e: (e.closed or date.max, e.reception_no or "")):
        if e.closed is None or not start <= e.closed <= end or e.received is None:
            continue
        limit = reception_limit(records, e.kind)
        used = calendar.working_days_between(e.received, e.closed)
        settled.append((e.reception_no, e.received, e.name, e.person_kind, e.archive_no, e.kind, e.handling,
                        e.transferred_to, e.result, e.closed, used, limit, "是" if used <= limit else "否"))
    return settled


def write_closing_book(records: Records, start: date, end: date, path: Path, *, today: date,
                       root: Path | None = None, data: Book | None = None) -> Path:
    """The station's 办结表 for [start, end] (`data`: that book, when already computed)."""
    path = Path(path)
    if root is not None:
        inside(root, path)
    data = book(records, start, end, today=today) if data is None else data
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_bytes(path, workbook_bytes(data, today))


def workbook_bytes(data: Book, today: date) -> bytes:
    """The .xlsx file of a book (see Frame): its case rows in chunks of CHUNK_ROWS, each
    deflated on its own (xlsx_parts), as the build writes them. The same book on the same day
    gives the same bytes (fixed timestamps)."""
    frame = Frame(data, today)
    rows = data.cases
    return frame.assemble([frame.chunk(rows[k:k + CHUNK_ROWS], k) for k in range(0, len(rows), CHUNK_ROWS)])[0]


CHUNK_ROWS = 2000  # case rows deflated together (a piece of the sheet a later build may copy as it is)
CASES_PART = "xl/worksheets/sheet1.xml"


class Frame:
    """The workbook of a book without its rows: XlsxWriter writes it (properties, styles, each
    sheet's title, generation line, frozen header and widths); the rows, tens of thousands a
    year at a 20,000-worker station, are then written into each sheet's <sheetData> here, as
    XlsxWriter writes cells in its constant_memory mode (inline strings, numbers with the date
    and money styles): about five times faster than XlsxWriter's cell by cell (1 CPU-s instead
    of 5 for 36,000 cases), which was itself three times faster than openpyxl's write-only mode.
    The case rows go in as pieces deflated on their own (`chunk`; xlsx_parts), so that a piece
    whose rows did not change can be copied from the last build's file (year_book)."""

    def __init__(self, data: Book, today: date, count: int | None = None):
        """`count`: the number of case rows (when `data` holds none of them: year_book)."""
        import xlsxwriter

        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                          "strings_to_formulas": False, "strings_to_urls": False})
        title = data.title(today)
        f = _Formats(wb)
        self.sheets = (("帮扶办结", title, CASE_HEADER, data.cases),
                       ("接待办结", title.replace("办结表", "接待办结表"), RECEPTION_HEADER, data.settled))
        self.count = len(data.cases) if count is None else count
        for (name, heading, header, _), n in zip(self.sheets, (self.count, len(data.settled))):
            _frame(wb.add_worksheet(name), f, heading, header, n, today)
        # the styles of the cells written below: numbered as XlsxWriter numbers a format on first use
        self.styles = _Styles(f.date._get_xf_index(), f.money._get_xf_index(), f.quoted._get_xf_index())
        wb.set_properties({"title": title, "author": "bangfu",
                           "created": datetime(today.year, today.month, today.day)})
        wb.close()
        self.data = buffer.getvalue()

    def chunk(self, rows, first: int) -> xlsx_parts.Piece:
        """Case rows `first` (0-based) on, as a piece of the cases sheet."""
        return xlsx_parts.piece(_rows_xml(rows, 4 + first, len(CASE_HEADER), self.styles).encode("utf-8"))

    def assemble(self, chunks: list) -> tuple[bytes, list[int]]:
        """The .xlsx file with these pieces as the case rows (every row of the book, in order);
        with the offset of each piece in the file. The other parts keep their names, order and
        times; the sheets are deflated at xlsx_parts.LEVEL, the others as zipfile would."""
        source = zipfile.ZipFile(io.BytesIO(self.data))
        parts = []
        for info in source.infolist():
            body = source.read(info)
            if info.filename == CASES_PART:
                xml = _dimension(body.decode("utf-8"), len(CASE_HEADER), self.count)
                stop = xml.index("</sheetData>")
                pieces = [xlsx_parts.piece(xml[:stop].encode("utf-8")), *chunks,
                          xlsx_parts.piece(xml[stop:].encode("utf-8"), final=True)]
            elif info.filename == "xl/worksheets/sheet2.xml":
                _, _, header, rows = self.sheets[1]
                pieces = xlsx_parts.whole(_with_rows(body.decode("utf-8"), len(header), rows, self.styles)
                                          .encode("utf-8"), xlsx_parts.LEVEL)
            else:
                pieces = xlsx_parts.whole(body)
            parts.append((info.filename, info.date_time, info.external_attr, pieces))
        data, offsets = xlsx_parts.zip_bytes(parts)
        return data, offsets[CASES_PART][1:-1]


# The deflate level of the sheets spliced (the rows of a year's 办结表: about 30 MB of XML at a 20,000-worker
# station): level 1 deflates them in a third of the default level's time, to a file about a quarter larger.
SPLICED_LEVEL = 1


def splice_sheets(data: bytes, edits: dict, writer: str, stamp: date | None = None) -> bytes:
    """The .xlsx file `data` with the XML of sheet n (xl/worksheets/sheet<n>.xml) passed
    through edits[n]: the same parts in the same order, with their names, times and
    compression (the edited sheets at SPLICED_LEVEL); with a `stamp`, every part's time and
    the document's dates are that day at midnight (outputs.stamped_part), so the same content gives the same bytes."""
    when = None if stamp is None else datetime(stamp.year, stamp.month, stamp.day).timetuple()[:6]
    parts = {f"xl/worksheets/sheet{n}.xml": edit for n, edit in edits.items()}
    source = zipfile.ZipFile(io.BytesIO(data))
    missing = set(parts) - set(source.namelist())
    if missing:
        raise RuntimeError(f"{writer} wrote no {sorted(missing)}")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():  # same names, order, times and compression
            body = source.read(info)
            edit = parts.get(info.filename)
            level = None
            if edit is not None:
                body = edit(body.decode("utf-8")).encode("utf-8")
                level = SPLICED_LEVEL
            if when is not None:
                body = stamped_part(info.filename, body, stamp)
                info.date_time = when
            target.writestr(info, body, compresslevel=level)
    return out.getvalue()


class _Formats:
    def __init__(self, wb):
        self.title = wb.add_format({"bold": True, "font_size": 13})
        self.title_quoted = wb.add_format({"bold": True, "font_size": 13, "quote_prefix": True})
        self.head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "align": "center",
                                   "valign": "vcenter", "text_wrap": True})
        self.quoted = wb.add_format({"quote_prefix": True})  # risky text stays text (safe_cells)
        self.date = wb.add_format({"num_format": DATE_FORMAT})
        self.money = wb.add_format({"num_format": MONEY_FORMAT})


@dataclass(frozen=True)
class _Styles:
    date: int
    money: int
    quoted: int


def _frame(ws, f: _Formats, title: str, header: tuple, count: int, today: date) -> None:
    """Title, generation line and header (frozen), and the column widths."""
    ws.freeze_panes(3, 0)
    ws.set_column(0, len(header) - 1, 14)
    write_text_xw(ws, 0, 0, title, f.title, f.title_quoted)
    ws.write_string(1, 0, f"生成日期：{zh_date(today)}　共 {count} 件")
    for col, name in enumerate(header):
        ws.write_string(2, col, name, f.head)


_MISSING = object()
_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (the leap-year bug lies before 1900-03-01)
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def _text(value: str, quoted: str) -> str:
    """A text cell after its reference: an inline string, never a formula (see safe_cells).
    A plain text (safe_cells.is_plain: printable, not beginning like a formula or with a
    blank) is written as it is, escaped only where it holds &, < or >:
    the same cell, without safe_text's pattern and checks (names, numbers and dates as text:
    hundreds of thousands of cells a year at a 20,000-worker station)."""
    if is_plain(value):
        if "&" in value or "<" in value or ">" in value:
            value = escape(value)
        return f' t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
    text, style = safe_text(value, "", quoted)
    return f'{style} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _with_rows(xml: str, width: int, rows, styles: _Styles) -> str:
    """The sheet XML with `rows` from row 4 on (see _rows_xml)."""
    if not rows:
        return xml
    xml = _dimension(xml, width, len(rows))
    stop = xml.index("</sheetData>")
    return xml[:stop] + _rows_xml(rows, 4, width, styles) + xml[stop:]


def _dimension(xml: str, width: int, count: int) -> str:
    """The sheet's dimension with `count` rows below the three of the heading (none: as it was)."""
    if not count:
        return xml
    return _DIMENSION.sub(f'<dimension ref="A1:{xl_col_to_name(width - 1)}{3 + count}"/>', xml, count=1)


def _rows_xml(rows, first: int, width: int, styles: _Styles) -> str:
    """`rows` as sheet rows from row `first` on: text always as text (an inline string, never a
    formula; control characters dropped, risky text with the quote prefix, see safe_cells),
    money as numbers with two decimals, dates as date numbers, empty values left out."""
    starts = [f'<c r="{xl_col_to_name(c)}' for c in range(width)]
    date_style, money_style = f' s="{styles.date}"', f' s="{styles.money}"'
    quoted = f' s="{styles.quoted}"'
    # value -> its cell after the reference, by kind (1, 1.0, True and Decimal(1) are equal keys):
    # names, items, days, amounts and day counts recur
    texts: dict = {"": None}
    days: dict = {None: None}
    money: dict = {None: None}
    numbers: dict = {None: None}
    out = []
    for r, row in enumerate(rows, first):
        cells = []
        end = f'{r}"'
        for start, value in zip(starts, row):
            kind = type(value)
            if kind is str:
                cell = texts.get(value, _MISSING)
                if cell is _MISSING:
                    cell = texts[value] = _text(value, quoted)
            elif kind is date:
                cell = days.get(value)
                if cell is None:
                    cell = days[value] = f"{date_style}><v>{(value - _EPOCH).days}</v></c>"
            elif kind is Decimal:
                cell = money.get(value)
                if cell is None:
                    cell = money[value] = f"{money_style}><v>{float(quantize(value))!r}</v></c>"
            elif kind is int:
                cell = numbers.get(value)
                if cell is None:
                    cell = numbers[value] = f"><v>{value!r}</v></c>"
            elif value is None:
                continue
            elif kind is float:
                cell = f"><v>{value!r}</v></c>"
            else:
                cell = _text(str(value), quoted)
            if cell is not None:
                cells.append(start + end + cell)
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out)


def default_name(year: int) -> str:
    return f"办结表_{year}.xlsx"


def period_name(start: date, end: date) -> str:
    return f"办结表_{start.isoformat()}_{end.isoformat()}.xlsx"


def is_period_name(name: str) -> bool:
    """A table `bangfu cases` made for a period of the clerk's choice (the build never makes one)."""
    return re.fullmatch(r"办结表_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.xlsx", name) is not None
