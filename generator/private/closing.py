"""办结报告: the summary of each finished case (有办结报告, management 五有).

Per case (a payout paid and signed for): applied, verified, disclosed, approved, paid, signed,
followed up, each with its date and the working days used since the application, and whether
verification kept the item's limit (有时限). The dossier shows it for the worker's cases;
`write_closing_book` writes the station's table for a period (private/办结/办结表_2026.xlsx),
with the reception entries settled in that period on a second sheet.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from .. import lifecycle
from ..outputs import save_workbook
from ..records import Records
from ..render import zh_date
from ..safe_cells import safe_row
from ..todo import reception_limit
from ..workdays import WorkCalendar
from .paths import inside

FOLDER = "办结"
LABELS = ("申请", "核实", "公示", "批准", "告知", "发放", "签收", "回访")
DATE_FORMAT = "yyyy-mm-dd"
_HEAD = PatternFill("solid", fgColor="DDEBF7")


def case_summary(records: Records, payout, calendar: WorkCalendar) -> dict:
    """One finished case as printed: step label -> (date, working days since applying, detail)."""
    item = records.item_by_name.get(payout.item)
    limit = lifecycle.deadline_days(item)
    steps = {s.label: s for s in lifecycle.case_steps(records, payout, calendar)}
    verified = steps["核实"].working_days
    return {
        "record_no": payout.record_no or "", "item": payout.item or "", "steps": steps,
        "limit": limit, "verified_days": verified,
        "on_time": None if verified is None else verified <= limit,
    }


def finished_cases(records: Records, start: date | None = None, end: date | None = None) -> list:
    """Finished payouts (paid and signed; a service needs no signature), paid within [start, end]."""
    out = [p for p in records.payouts if lifecycle.finished(p)
           and (start is None or p.paid >= start) and (end is None or p.paid <= end)]
    return sorted(out, key=lambda p: (p.paid, p.record_no or ""))


def dossier_cases(records: Records, worker, calendar: WorkCalendar) -> list[dict]:
    """The worker's finished cases in the order of finished_cases (from the worker's own
    payouts: scanning every payout for every dossier made a 20,000-worker build quadratic)."""
    mine = [p for p in records.payouts_by_worker.get(worker.archive_no, ()) if lifecycle.finished(p)]
    mine.sort(key=lambda p: (p.paid, p.record_no or ""))
    return [case_summary(records, p, calendar) for p in mine]


def years_present(records: Records, today: date) -> list[int]:
    return sorted({p.paid.year for p in finished_cases(records) if p.paid and p.paid <= today}
                  | {e.closed.year for e in records.reception if e.closed and e.closed <= today})


CASE_HEADER = ("记录编号", "档案编号", "姓名", "帮扶项目", "金额（元）", "申请日期", "核实日期", "核实用工作日",
               "办理时限（工作日）", "按时", "公示批次", "公示结束", "批准日期", "告知日期", "发放日期", "签收日期",
               "回访日期", "申请至发放工作日")
RECEPTION_HEADER = ("登记编号", "接待日期", "姓名", "人员类别", "档案编号", "事项类别", "办理情况", "转办单位",
                    "办理结果", "办结日期", "用工作日", "时限（工作日）", "按时")


def write_closing_book(records: Records, start: date, end: date, path: Path, *, today: date,
                       root: Path | None = None) -> Path:
    """The station's 办结表 for [start, end]: finished cases, then settled reception entries."""
    path = Path(path)
    if root is not None:
        inside(root, path)
    calendar = WorkCalendar.from_records(records)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("帮扶办结")
    title = f"{records.settings.station_name or '帮扶站'} 办结表（{zh_date(start)}至{zh_date(end)}）"
    rows = []
    for p in finished_cases(records, start, end):
        c = case_summary(records, p, calendar)
        s = c["steps"]
        shown = s.get("公示")
        rows.append((p.record_no, p.archive_no, p.name, p.item, p.amount, p.applied, p.verified,
                     s["核实"].working_days, c["limit"], {True: "是", False: "否", None: ""}[c["on_time"]],
                     p.batch, shown.day if shown else None, p.approved, p.notified, p.paid,
                     p.signed_on if p.signed else None, p.followed_up, s["发放"].working_days))
    _table(ws, title, CASE_HEADER, rows, today)
    ws2 = wb.create_sheet("接待办结")
    settled: list[tuple] = []
    for e in sorted(records.reception, key=lambda e: (e.closed or date.max, e.reception_no or "")):
        if e.closed is None or not start <= e.closed <= end or e.received is None:
            continue
        limit = reception_limit(records, e.kind)
        used = calendar.working_days_between(e.received, e.closed)
        settled.append((e.reception_no, e.received, e.name, e.person_kind, e.archive_no, e.kind, e.handling,
                     e.transferred_to, e.result, e.closed, used, limit, "是" if used <= limit else "否"))
    _table(ws2, title.replace("办结表", "接待办结表"), RECEPTION_HEADER, settled, today)
    wb.properties.title = title
    wb.properties.creator = "bangfu"
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_workbook(wb, path)


def _table(ws, title: str, header: tuple, rows: list, today: date) -> None:
    """Rows appended to a write-only sheet: a year's table holds tens of thousands of cases at a
    large station, and a normal sheet costs a cell object and a look-up per value."""
    from decimal import Decimal

    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A4"  # a write-only sheet takes its views and widths before the first row
    for col in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14
    head = safe_row(ws, [title])
    head[0].font = Font(bold=True, size=13)
    ws.append(head)
    ws.append(safe_row(ws, [f"生成日期：{zh_date(today)}　共 {len(rows)} 件"]))
    names = safe_row(ws, header)
    for c in names:
        c.font, c.fill = Font(bold=True), _HEAD
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append(names)
    cent = Decimal("0.01")
    for row in rows:
        values = safe_row(ws, [float(v.quantize(cent)) if isinstance(v, Decimal) else v for v in row])
        for i, value in enumerate(values):
            if isinstance(value, date):
                cell = values[i] = WriteOnlyCell(ws, value)
                cell.number_format = DATE_FORMAT
        ws.append(values)


def default_name(year: int) -> str:
    return f"办结表_{year}.xlsx"


def period_name(start: date, end: date) -> str:
    return f"办结表_{start.isoformat()}_{end.isoformat()}.xlsx"
