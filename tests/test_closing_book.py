"""The 办结表 as Excel, WPS and LibreOffice read it: values, types, number formats, the frozen
header, widths and properties, read back with openpyxl and python-calamine; text that looks
like a formula stays text; the same book on the same day is the same bytes."""

from datetime import date, datetime
from decimal import Decimal as D

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from generator.private import closing

from private_station import STATION, TODAY, read_station

HOSTILE_NAME = '=HYPERLINK("http://example.org","点我")'
RECEPTION = [{"reception_no": "JD-2026-001", "received": date(2026, 9, 1), "name": HOSTILE_NAME,
              "kind": "法律援助", "request": "被拖欠工资", "transferred_to": "县总工会法律服务中心",
              "result": "-1 已追回工资", "closed": date(2026, 9, 8)}]


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return read_station(tmp_path_factory.mktemp("closing") / "records", tables={"reception": RECEPTION})


@pytest.fixture(scope="module")
def written(records, tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "办结" / "办结表_2026.xlsx"
    return closing.write_closing_book(records, date(2026, 1, 1), TODAY, path, today=TODAY)


def test_cases_read_back_with_their_types_and_formats(written):
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames == ["帮扶办结", "接待办结"]
    title = f"{STATION} 办结表（2026年1月1日至2026年11月23日）"
    assert (wb.properties.title, wb.properties.creator) == (title, "bangfu")
    assert wb.properties.created == wb.properties.modified == datetime(2026, 11, 23)
    ws = wb["帮扶办结"]
    assert ws.freeze_panes == "A4"
    widths = ws.column_dimensions["A"]
    assert (widths.min, widths.max, round(widths.width)) == (1, 18, 15)  # 14 characters and the padding
    assert (ws["A1"].value, ws["A1"].font.b, ws["A1"].font.sz) == (title, True, 13)
    assert ws["A2"].value == "生成日期：2026年11月23日\u3000共 10 件"
    assert tuple(c.value for c in ws[3]) == closing.CASE_HEADER
    assert [(c.font.b, c.fill.fgColor.rgb, c.alignment.wrap_text) for c in ws[3]][0] == (True, "FFDDEBF7", True)
    rows = {r[0].value: r for r in ws.iter_rows(min_row=4)}
    assert list(rows) == ["FF-2026-0001", "FF-2026-0002", "FF-2026-0003", "FF-2026-0004", "FF-2026-0005",
                          "FF-2026-0011", "FF-2026-0012", "FF-2026-0013", "FF-2026-0014", "FF-2026-0015"]
    row = rows["FF-2026-0013"]  # 医疗互助 10,010.05 yuan, disclosed in GS-2026-03
    assert [(c.value, c.data_type, c.number_format) for c in row] == [
        ("FF-2026-0013", "s", "General"), ("SF-0005", "s", "General"), ("解晓东", "s", "General"),
        ("医疗互助", "s", "General"), (10010.05, "n", "#,##0.00"),
        (datetime(2026, 7, 22), "d", "yyyy-mm-dd"), (datetime(2026, 7, 28), "d", "yyyy-mm-dd"),
        (4, "n", "General"), (6, "n", "General"), ("是", "s", "General"), ("GS-2026-03", "s", "General"),
        (datetime(2026, 8, 7), "d", "yyyy-mm-dd"), (datetime(2026, 8, 10), "d", "yyyy-mm-dd"),
        (None, "n", "General"), (datetime(2026, 8, 15), "d", "yyyy-mm-dd"),
        (datetime(2026, 8, 17), "d", "yyyy-mm-dd"), (None, "n", "General"), (17, "n", "General")]
    first = rows["FF-2026-0001"]  # no verification date: its working days and 按时 are empty
    assert (first[4].value, first[6].value, first[7].value, first[9].value) == (1000, None, None, None)


def test_reception_sheet_keeps_formula_like_text_as_text(written):
    ws = openpyxl.load_workbook(written)["接待办结"]
    assert ws["A1"].value == f"{STATION} 接待办结表（2026年1月1日至2026年11月23日）"
    assert ws["A2"].value == "生成日期：2026年11月23日\u3000共 1 件"
    assert tuple(c.value for c in ws[3]) == closing.RECEPTION_HEADER
    row = ws[4]
    assert [c.value for c in row] == ["JD-2026-001", datetime(2026, 9, 1), HOSTILE_NAME, None, None, "法律援助",
                                      None, "县总工会法律服务中心", "-1 已追回工资", datetime(2026, 9, 8), 5, 7, "是"]
    assert [(c.data_type, c.quotePrefix) for c in (row[2], row[8], row[5])] == [("s", True), ("s", True), ("s", False)]
    formulas = [c.coordinate for wsx in openpyxl.load_workbook(written) for r in wsx.iter_rows() for c in r
                if c.data_type == "f"]
    assert formulas == []


def test_calamine_reads_the_same_values(written):
    book = CalamineWorkbook.from_path(str(written))
    cases = book.get_sheet_by_name("帮扶办结").to_python()
    assert cases[2] == list(closing.CASE_HEADER)
    assert cases[10] == ["FF-2026-0013", "SF-0005", "解晓东", "医疗互助", 10010.05, date(2026, 7, 22),
                         date(2026, 7, 28), 4.0, 6.0, "是", "GS-2026-03", date(2026, 8, 7), date(2026, 8, 10), "",
                         date(2026, 8, 15), date(2026, 8, 17), "", 17.0]
    reception = book.get_sheet_by_name("接待办结").to_python()
    assert reception[3][:3] == ["JD-2026-001", date(2026, 9, 1), HOSTILE_NAME]


def test_odd_values_money_rounded_half_up_and_text_as_given(records, tmp_path):
    data = closing.book(records, date(2026, 1, 1), TODAY, today=TODAY)
    odd = ("FF-<1>&2", "SF-0001", "  张三\x07 ", "@生活救助") + (D("0.125"),) + data.cases[0][5:]
    book = closing.Book("=站", data.start, data.end, (odd,), ())
    path = tmp_path / "b.xlsx"
    path.write_bytes(closing.workbook_bytes(book, TODAY))
    ws = openpyxl.load_workbook(path)["帮扶办结"]
    assert ws.dimensions == "A1:R4"
    assert [(c.value, c.data_type, c.quotePrefix) for c in (ws["A1"], ws["A4"], ws["C4"], ws["D4"], ws["E4"])] == [
        ("=站 办结表（2026年1月1日至2026年11月23日）", "s", True), ("FF-<1>&2", "s", False),
        ("  张三 ", "s", False), ("@生活救助", "s", True), (0.13, "n", False)]
    empty = closing.Book("站", data.start, data.end, (), ())
    path.write_bytes(closing.workbook_bytes(empty, TODAY))
    ws = openpyxl.load_workbook(path)["帮扶办结"]
    assert (ws.dimensions, ws["A2"].value, ws.max_row) == ("A1:R3", "生成日期：2026年11月23日\u3000共 0 件", 3)


def test_the_same_book_on_the_same_day_is_the_same_bytes(records, written):
    data = closing.book(records, date(2026, 1, 1), TODAY, today=TODAY)
    assert data.end is None  # running up to the day it is generated: the date is a print date
    assert closing.workbook_bytes(data, TODAY) == written.read_bytes()
    later = closing.workbook_bytes(data, date(2026, 11, 24))
    assert later != written.read_bytes()  # the generation date is shown
    past = closing.book(records, date(2025, 1, 1), date(2025, 12, 31), today=TODAY)
    assert past.end == date(2025, 12, 31) and len(past.cases) == 1


@pytest.mark.slow
def test_libreoffice_opens_the_book_and_shows_it_as_written(written, tmp_path):
    """Every sheet saved as CSV by LibreOffice, cells as shown: money with two decimals and
    separators, dates as dates, formula-like text as the text itself."""
    import subprocess

    from office import SOFFICE, need_office

    need_office()
    csv = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"  # -1: every sheet
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", csv, "--outdir", str(tmp_path), str(written)],
                   check=True, capture_output=True, timeout=180)
    cases = (tmp_path / f"{written.stem}-帮扶办结.csv").read_text(encoding="utf-8").splitlines()
    assert len(cases) == 3 + 10
    assert cases[10] == ("FF-2026-0013,SF-0005,解晓东,医疗互助,\"10,010.05\",2026-07-22,2026-07-28,4,6,是,GS-2026-03,"
                         "2026-08-07,2026-08-10,,2026-08-15,2026-08-17,,17")
    reception = (tmp_path / f"{written.stem}-接待办结.csv").read_text(encoding="utf-8").splitlines()
    assert reception[3] == ('JD-2026-001,2026-09-01,"=HYPERLINK(""http://example.org"",""点我"")",,,法律援助,,'
                            "县总工会法律服务中心,-1 已追回工资,2026-09-08,5,7,是")


def test_each_row_shows_the_steps_of_the_case_summary_the_dossier_shows(records):
    """The book works out only the steps its rows show (not case_summary's every step, for
    tens of thousands of cases): they are the summary's, case by case, in every year."""
    calendar = closing.work_calendar(records)
    data = closing.book(records, date(2020, 1, 1), TODAY, today=TODAY, calendar=calendar)
    finished = closing.finished_cases(records)
    assert [row[0] for row in data.cases] == [p.record_no for p in finished] and len(finished) > 10
    seen = set()
    for p, row in zip(finished, data.cases):
        c = closing.case_summary(records, p, calendar)
        s = c["steps"]
        shown = s["公示"].day if "公示" in s else None
        assert (row[7], row[8], row[9], row[11], row[17]) == (
            s["核实"].working_days, c["limit"], {True: "是", False: "否", None: ""}[c["on_time"]], shown,
            s["发放"].working_days)
        seen.add((shown is None, row[7] is None, row[9]))
    # cases with and without a disclosure, with and without a verification, on time and late
    assert {s[0] for s in seen} == {True, False} and {s[1] for s in seen} == {True, False}
    assert {s[2] for s in seen} >= {"是", ""}


def test_cases_across_the_year_end_into_2027_show_the_steps_of_their_case_summary(tmp_path):
    """A station's year does not stop at 31 December: cases applied for in late December 2026
    and verified or paid in January 2027 (past the official calendar's last year) are in the
    2027 book with the same working-day steps the dossier's case summary shows."""
    from private_station import _P, PAYOUTS

    late = [
        {**_P, "record_no": "FF-2026-0901", "archive_no": "SF-0002", "name": "沙小红", "item": "生活救助",
         "applied": date(2026, 12, 28), "verified": date(2027, 1, 6), "approved": date(2027, 1, 12),
         "paid": date(2027, 1, 15), "amount": D("300"), "signed_on": date(2027, 1, 15)},
        {**_P, "record_no": "FF-2026-0902", "archive_no": "SF-0004", "name": "张伟", "item": "送温暖",
         "applied": date(2026, 12, 30), "approved": date(2027, 1, 4), "paid": date(2027, 1, 8),
         "amount": D("1000"), "signed_on": date(2027, 1, 8), "fund": "工会经费帮扶账户",
         "campaign": "两节送温暖", "method": "现金"},
    ]
    today = date(2027, 2, 1)
    records = read_station(tmp_path / "records", tables={"payouts": PAYOUTS + late})
    calendar = closing.work_calendar(records)
    data = closing.book(records, date(2027, 1, 1), date(2027, 12, 31), today=today, calendar=calendar)
    finished = {p.record_no: p for p in closing.finished_cases(records)}
    # in the order they were finished (paid and signed)
    assert [row[0] for row in data.cases] == ["FF-2026-0902", "FF-2026-0901"]
    for row in data.cases:
        c = closing.case_summary(records, finished[row[0]], calendar)
        s = c["steps"]
        assert (row[7], row[8], row[9], row[17]) == (
            s["核实"].working_days, c["limit"], {True: "是", False: "否", None: ""}[c["on_time"]],
            s["发放"].working_days)
    # the verified case's steps are counted across the year end: not left blank
    verified = data.cases[1]
    assert verified[7] is not None and verified[17] is not None
