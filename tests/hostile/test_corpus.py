"""A corpus of broken demo workbooks. For each: the exact problem code and where it
points, the exit code of `bangfu check`, no traceback, and the input unchanged."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest
from click.testing import CliRunner

from generator.cli import cli

from corpus import (
    AID,
    DEMO,
    FUNDS,
    POLICY,
    REG,
    Book,
    copy_demo,
    digests,
    get_cell,
    inject_cached_value,
    make_error_cell,
    ref,
    set_cell,
)

TODAY = "2026-11-23"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not (DEMO / REG).exists(), reason="demo records not generated")]


@dataclass
class Expect:
    code: str
    file: str
    sheet: str = ""
    cell: str | None = None  # None: any cell
    exit: int = 1


CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


# --- files that cannot be read (exit 2) -------------------------------------------------
@case
def old_excel(d):
    (d / FUNDS).unlink()
    (d / "帮扶资金.xls").write_bytes(OLE + bytes(1024))
    return Expect("file-corrupt", "帮扶资金.xls", exit=2)  # .xls is read; this one is garbage


@case
def wps_file(d):
    (d / FUNDS).unlink()
    (d / "帮扶资金.et").write_bytes(OLE + bytes(1024))
    return Expect("file-wps", "帮扶资金.et", exit=2)


@case
def csv_file(d):
    (d / FUNDS).unlink()
    (d / "帮扶资金.csv").write_text("日期,资金账户,金额\n2024-01-01,上级帮扶专项资金,1000\n", encoding="gbk")
    return Expect("file-csv", "帮扶资金.csv", exit=2)


@case
def csv_saved_as_xlsx(d):
    (d / FUNDS).write_text("日期,资金账户,金额\n", encoding="utf-8")
    return Expect("file-csv", FUNDS, exit=2)


@case
def encrypted(d):
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = (d / FUNDS).read_bytes()
    (d / "plain.bin").write_bytes(plain)
    with open(d / "plain.bin", "rb") as src, open(d / FUNDS, "wb") as dst:
        OOXMLFile(src).encrypt("123456", dst)
    (d / "plain.bin").unlink()
    return Expect("file-encrypted", FUNDS, exit=2)


@case
def truncated(d):
    data = (d / AID).read_bytes()
    (d / AID).write_bytes(data[: len(data) // 3])
    return Expect("file-corrupt", AID, exit=2)


@case
def empty_file(d):
    (d / POLICY).write_bytes(b"")
    return Expect("file-corrupt", POLICY, exit=2)


@case
def picture_renamed(d):
    (d / POLICY).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    return Expect("file-not-workbook", POLICY, exit=2)


@case
def zip_without_workbook(d):
    with zipfile.ZipFile(d / POLICY, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    return Expect("file-not-workbook", POLICY, exit=2)


@case
def workbook_deleted(d):
    (d / REG).unlink()
    return Expect("file-missing", REG, exit=2)


@case
def zip_bomb(d):
    with zipfile.ZipFile(d / POLICY, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    return Expect("file-too-large", POLICY, exit=2)


@case
def billion_laughs(d):
    path = d / POLICY
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 9))
           + ']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol8;</workbook>')
    from corpus import rewrite_part

    rewrite_part(path, "xl/workbook.xml", lambda _: lol)
    return Expect("file-corrupt", POLICY, exit=2)


# --- structure ------------------------------------------------------------------------------
@case
def sheet_renamed(d):
    with Book(d, AID) as wb:
        wb["帮扶发放"].title = "发放记录"
    return Expect("sheet-missing", AID, "帮扶发放", "")


@case
def sheet_deleted(d):
    with Book(d, REG) as wb:
        del wb["家庭成员"]
    return Expect("sheet-missing", REG, "家庭成员", "")


@case
def sheet_hidden(d):
    with Book(d, REG) as wb:
        wb["走访记录"].sheet_state = "hidden"
    return Expect("sheet-hidden", REG, "走访记录", "", exit=0)


@case
def sheets_moved(d):
    with Book(d, AID) as wb:
        wb.move_sheet("异议处理", offset=-2)
    return None  # order does not matter: clean


@case
def copy_sheet_with_data(d):
    with Book(d, AID) as wb:
        wb.copy_worksheet(wb["帮扶发放"]).title = "帮扶发放 (2)"
    return Expect("sheet-unexpected", AID, "帮扶发放 (2)", "", exit=0)


@case
def header_on_row_two(d):
    with Book(d, FUNDS) as wb:
        ws = wb["资金收入"]
        ws.insert_rows(1)
        ws["A1"] = "示范镇帮扶资金收入登记表"
    return Expect("header-not-first-row", FUNDS, "资金收入", "A2")


@case
def header_renamed(d):
    with Book(d, AID) as wb:
        ws = wb["帮扶发放"]
        cell = ref(ws, "资金账户", -1)
        ws[cell] = "资金来源账户"
    return Expect("column-missing", AID, "帮扶发放")


@case
def header_duplicated(d):
    with Book(d, FUNDS) as wb:
        ws = wb["资金收入"]
        ws.cell(row=1, column=ws.max_column + 1, value="金额")
        from openpyxl.utils import get_column_letter
        cell = f"{get_column_letter(ws.max_column)}1"
    return Expect("column-duplicate", FUNDS, "资金收入", cell)


@case
def header_traditional(d):
    with Book(d, REG) as wb:
        ws = wb["困难职工"]
        ws[ref(ws, "档案编号", -1)] = "檔案編號"
        ws[ref(ws, "家庭住址", -1)] = "家庭住址"
    return None  # read as the simplified column: clean


@case
def header_trailing_spaces(d):
    with Book(d, REG) as wb:
        ws = wb["家庭成员"]
        ws[ref(ws, "姓名", -1)] = "姓名  "
        ws[ref(ws, "与户主关系", -1)] = " 与户主关系"
    return None


@case
def merged_cells(d):
    with Book(d, REG) as wb:
        ws = wb["走访记录"]
        start = ref(ws, "走访人", 2)
        end = ref(ws, "情况记录", 2)
        ws.merge_cells(f"{start}:{end}")
    return Expect("merged-cells", REG, "走访记录", start)


# --- values ---------------------------------------------------------------------------------
@case
def formula_with_cached_value(d):
    amount = get_cell(d, FUNDS, "资金收入", "金额", 0)
    cell = set_cell(d, FUNDS, "资金收入", "金额", f"={amount}*1")
    inject_cached_value(d / FUNDS, "资金收入", cell, str(amount))
    return None


@case
def formula_without_cached_value(d):
    cell = set_cell(d, FUNDS, "资金收入", "金额", "=SUM(1,2)")
    return Expect("formula-no-value", FUNDS, "资金收入", cell)


@case
def formula_ref_error(d):
    cell = set_cell(d, AID, "帮扶发放", "金额", "=1")
    make_error_cell(d / AID, "帮扶发放", cell, "#REF!", "#REF!*2")
    return Expect("formula-error", AID, "帮扶发放", cell)


@case
def formula_div_zero(d):
    cell = set_cell(d, REG, "困难职工", "家庭月人均收入", "=1")
    make_error_cell(d / REG, "困难职工", cell, "#DIV/0!", "Z2/0")
    return Expect("formula-error", REG, "困难职工", cell)


@case
def number_stored_as_text(d):
    size = get_cell(d, REG, "困难职工", "家庭人口", 0)
    set_cell(d, REG, "困难职工", "家庭人口", f" {size} ")
    return None


@case
def text_stored_as_number(d):
    cell = set_cell(d, AID, "帮扶发放", "档案编号", 1001)
    return Expect("ref-missing", AID, "帮扶发放", cell)


@case
def id_in_scientific_notation(d):
    cell = set_cell(d, REG, "困难职工", "身份证号", 3.70102197805e17)
    return Expect("idno-as-number", REG, "困难职工", cell)


@case
def id_text_in_scientific_notation(d):
    cell = set_cell(d, REG, "困难职工", "身份证号", "3.70102E+17")
    return Expect("idno-as-number", REG, "困难职工", cell)


@case
def dates_as_text_every_style(d):
    with Book(d, REG) as wb:
        ws = wb["走访记录"]
        for i in range(5):
            cell = ref(ws, "走访日期", i)
            day = ws[cell].value
            ws[cell] = _style(day.date() if hasattr(day, "date") else day, i)
    return None


def _style(day: date, i: int) -> str:
    return [f"{day.year}.{day.month}.{day.day}", f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y%m%d"), f" {day.isoformat()} "][i]


@case
def impossible_date(d):
    cell = set_cell(d, REG, "走访记录", "走访日期", "2024年2月30日")
    return Expect("date-impossible", REG, "走访记录", cell)


@case
def amount_zero(d):
    cell = set_cell(d, AID, "帮扶发放", "金额", 0)
    return Expect("money-zero", AID, "帮扶发放", cell, exit=0)  # a zero for a cash item, not "under standard"


@case
def amount_negative(d):
    cell = set_cell(d, AID, "帮扶发放", "金额", -300)
    return Expect("money-negative", AID, "帮扶发放", cell)


@case
def amount_huge(d):
    cell = set_cell(d, AID, "帮扶发放", "金额", 1e12)
    return Expect("money-too-large", AID, "帮扶发放", cell)


@case
def amount_with_yuan(d):
    amount = get_cell(d, AID, "帮扶发放", "金额", 0)
    set_cell(d, AID, "帮扶发放", "金额", f"{amount:,.2f}元")
    return None


@case
def amount_in_capitals(d):
    import cn2an

    amount = get_cell(d, AID, "帮扶发放", "金额", 0)
    cell = set_cell(d, AID, "帮扶发放", "金额", cn2an.an2cn(f"{amount:.2f}", "rmb"))
    return Expect("money-capitals", AID, "帮扶发放", cell, exit=0)


@case
def blank_rows_in_the_middle(d):
    with Book(d, REG) as wb:
        wb["走访记录"].insert_rows(5, amount=3)
    return None


@case
def many_blank_formatted_rows_at_end(d):
    from openpyxl.styles import PatternFill

    fill = PatternFill("solid", fgColor="FFFF00")
    with Book(d, FUNDS) as wb:
        ws = wb["其他支出"]
        start = ws.max_row + 1
        for row in range(start, start + 100_000):
            ws.cell(row=row, column=1).fill = fill
    return None


@case
def very_long_cell(d):
    cell = set_cell(d, REG, "走访记录", "情况记录", "很长的记录" * 200_000)
    return Expect("text-too-long", REG, "走访记录", cell)


@case
def invisible_characters_in_name(d):
    name = get_cell(d, REG, "家庭成员", "姓名", 0)
    cell = set_cell(d, REG, "家庭成员", "姓名", name[:1] + "\u200b" + name[1:] + "\u2060")
    return Expect("text-invisible", REG, "家庭成员", cell, exit=0)


@case
def archive_number_path_traversal(d):
    cell = set_cell(d, REG, "困难职工", "档案编号", "../../etc/passwd")
    return Expect("code-unsafe", REG, "困难职工", cell)


@case
def archive_number_reserved_name(d):
    cell = set_cell(d, REG, "困难职工", "档案编号", "CON")
    return Expect("code-unsafe", REG, "困难职工", cell)


@case
def same_worker_twice_with_id_spelling(d):
    number = get_cell(d, REG, "困难职工", "身份证号", 0)
    variant = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c.lower() for c in number)  # full-width
    with Book(d, REG) as wb:
        ws = wb["困难职工"]
        row = [c.value for c in ws[2]]
        ws.append(row)
        last = ws.max_row
        ws[ref(ws, "档案编号", last - 2)] = "SF-9999"
        ws[ref(ws, "身份证号", last - 2)] = variant
        cell = ref(ws, "身份证号", last - 2)
    return Expect("duplicate-person", REG, "困难职工", cell)


@case
def payout_from_deleted_fund(d):
    fund = get_cell(d, AID, "帮扶发放", "资金账户", 0)
    with Book(d, FUNDS) as wb:
        ws = wb["资金账户"]
        for row in range(2, ws.max_row + 1):
            if ws.cell(row=row, column=1).value == fund:
                ws.delete_rows(row)
                break
    return Expect("ref-missing", AID, "帮扶发放", None)


@case
def fund_driven_below_zero(d):
    with Book(d, FUNDS) as wb:
        ws = wb["资金收入"]
        col = [c.value for c in ws[1]].index("金额") + 1
        for row in range(2, ws.max_row + 1):
            ws.cell(row=row, column=col).value = 1
    return Expect("fund-negative", None, None, None)


@case
def approved_before_seven_days_over(d):
    from generator.reading import read_records

    recs = read_records(d).records
    p = next(p for p in recs.payouts if p.batch and p.approved)
    end = recs.batch_end(recs.batch_by_no[p.batch])
    index = recs.payouts.index(p)
    with Book(d, AID) as wb:
        ws = wb["帮扶发放"]
        cell = ref(ws, "批准日期", p.row - 2)
        ws[cell] = end
    assert index >= 0
    return Expect("disclosure-not-over", AID, "帮扶发放", cell)


@case
def objection_left_unresolved(d):
    with Book(d, AID) as wb:
        ws = wb["异议处理"]
        result = ref(ws, "处理结果", 0)
        ws[result] = "处理中"
        ws[ref(ws, "处理日期", 0)] = None
    return Expect("objection-open", AID, "异议处理", result)


# --- the runner -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_variant(tmp_path, name):
    folder = copy_demo(tmp_path / "records")
    expect = CASES[name](folder)
    before = digests(folder)
    result = CliRunner().invoke(cli, ["check", str(folder), "--format", "json", "--today", TODAY])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert digests(folder) == before  # the input is never written to
    problems = json.loads(result.output)  # README: a JSON array, one object per problem
    if expect is None:
        assert [p for p in problems if p["severity"] == "error"] == []
        assert result.exit_code == 0
        return
    matches = [p for p in problems if p["code"] == expect.code
               and (expect.file is None or p["file"] == expect.file)
               and (not expect.sheet or p["sheet"] == expect.sheet)
               and (expect.cell is None or p["cell"] == expect.cell)]
    assert matches, f"{expect} not in {[(p['code'], p['file'], p['sheet'], p['cell']) for p in problems][:10]}"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p["message"]) for p in problems)
    assert result.exit_code == expect.exit


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
