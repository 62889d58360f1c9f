"""`bangfu check --annotate OUT`: marked copies, originals untouched."""

from __future__ import annotations

import hashlib

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from generator import schema
from generator.annotate import ERROR_FILL, LIST_SHEET, WARNING_FILL, annotate
from generator.cli import cli
from generator.outputs import OutputRefused
from generator.pipeline import check_folder
from generator.problems import problem
from generator.templates import write_blank_workbooks

TODAY = "2026-11-23"
REGISTER = schema.REGISTER.filename
AID = schema.AID.filename
FUNDS = schema.FUNDS_BOOK.filename
BAD_ID = "370102197506180016"  # check digit should be 5
EVIL_SHEET = "=1+2"


def letter(sheet: schema.Sheet, key: str) -> str:
    return get_column_letter([c.key for c in sheet.columns].index(key) + 1)


ID_CELL = f"{letter(schema.WORKERS, 'id_number')}2"
SIZE_CELL = f"{letter(schema.WORKERS, 'household_size')}2"


def sha(folder) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _bad_station(folder):
    write_blank_workbooks(folder)
    wb = openpyxl.load_workbook(folder / REGISTER)
    ws = wb[schema.WORKERS.name]
    ws[ID_CELL] = BAD_ID  # error on a cell
    ws[SIZE_CELL] = 3  # warning: members table has 1 person besides the worker
    wb.save(folder / REGISTER)
    wb = openpyxl.load_workbook(folder / FUNDS)  # the funds workbook without example rows: no problem
    for ws in wb.worksheets:
        if ws.sheet_state == "visible" and ws.max_row >= 2:
            ws.delete_rows(2, ws.max_row - 1)
    wb.save(folder / FUNDS)
    wb = openpyxl.load_workbook(folder / AID)
    extra = wb.create_sheet(EVIL_SHEET)  # a problem without a cell, with a risky name
    extra["A1"] = "旧数据"
    wb.save(folder / AID)


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    base = tmp_path_factory.mktemp("annotate")
    records, out = base / "records", base / "标注副本"
    _bad_station(records)
    before = sha(records)
    result = CliRunner().invoke(cli, ["check", str(records), "--annotate", str(out), "--today", TODAY])
    return records, out, before, result


def test_cli_exit_code_and_message(annotated):
    _, out, _, result = annotated
    assert result.exit_code == 1, result.output
    assert f"已在 {out} 写出 3 个标注副本" in result.output  # the policy's example settings too


def test_originals_unchanged_byte_for_byte(annotated):
    records, _, before, _ = annotated
    assert sha(records) == before


def test_only_workbooks_with_problems_are_copied(annotated):
    _, out, _, _ = annotated
    copied = sorted(p.name for p in out.iterdir() if p.name != ".bangfu-annotated")
    assert copied == sorted([REGISTER, AID, schema.POLICY.filename])
    assert FUNDS not in {p.name for p in out.iterdir()}


def test_error_cell_is_red_with_the_message_as_comment(annotated):
    _, out, _, _ = annotated
    ws = openpyxl.load_workbook(out / REGISTER)[schema.WORKERS.name]
    cell = ws[ID_CELL]
    assert cell.value == BAD_ID
    assert cell.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb
    assert cell.comment.text.startswith("【错误】身份证号“370102197506180016”的最后一位校验码不对")
    assert "应为 5" in cell.comment.text


def test_warning_cell_is_yellow(annotated):
    _, out, _, _ = annotated
    ws = openpyxl.load_workbook(out / REGISTER)[schema.WORKERS.name]
    cell = ws[SIZE_CELL]
    assert cell.fill.fgColor.rgb == WARNING_FILL.fgColor.rgb
    assert cell.comment.text.startswith("【提醒】档案 SF-0001 的家庭人口为 3")
    untouched = ws["A2"]  # a cell without problems keeps no comment and no fill
    assert untouched.comment is None and untouched.fill.fill_type is None


def test_problem_list_sheet_comes_first_and_lists_cell_less_problems(annotated):
    _, out, _, _ = annotated
    wb = openpyxl.load_workbook(out / AID)
    assert wb.sheetnames[0] == LIST_SHEET and wb.active.title == LIST_SHEET
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets].count(True) == 1
    rows = list(wb[LIST_SHEET].iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("序号", "严重程度", "工作表", "单元格", "问题", "代码")
    listed = [r for r in rows[1:] if r[5] == "sheet-unexpected"]
    assert len(listed) == 1
    assert listed[0][1:3] == ("提醒", EVIL_SHEET) and not listed[0][3]
    assert "不是 bangfu 使用的工作表" in listed[0][4]


def test_problem_list_links_to_the_cells(annotated):
    _, out, _, _ = annotated
    ws = openpyxl.load_workbook(out / REGISTER)[LIST_SHEET]
    links = {}
    for row in ws.iter_rows(min_row=4):
        if row[3].hyperlink is not None:
            links[row[3].value] = row[3].hyperlink.location
    assert links[ID_CELL] == f"'{schema.WORKERS.name}'!{ID_CELL}"
    assert links[SIZE_CELL] == f"'{schema.WORKERS.name}'!{SIZE_CELL}"


def test_no_cell_written_is_a_formula(annotated):
    _, out, _, _ = annotated
    for path in out.glob("*.xlsx"):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate)
        cal = CalamineWorkbook.from_path(str(path))
        listed = cal.get_sheet_by_name(LIST_SHEET).to_python()
        cal.close()
        if path.name == AID:
            assert any(EVIL_SHEET in row for row in listed)  # the text itself, not 3.0


def test_several_problems_on_one_cell_are_joined_and_merged_cells_handled(tmp_path):
    records, out = tmp_path / "records", tmp_path / "out"
    write_blank_workbooks(records)
    wb = openpyxl.load_workbook(records / REGISTER)
    ws = wb[schema.VISITS.name]
    ws["E2"].comment = Comment("王芳：待补材料", "王芳")
    ws.merge_cells("E2:F2")
    wb.save(records / REGISTER)
    before = sha(records)
    where = {"file": REGISTER, "sheet": schema.VISITS.name}
    found = [
        problem("text-too-long", **where, cell="F2", column="情况记录", length=3000, limit=2000),
        problem("date-future", **where, cell="E2", column="走访日期", value="2027-01-01",
                today=TODAY),
        problem("sheet-missing", file=REGISTER, sheet="旧表", expected="旧表", suggestion=""),
        problem("file-missing", file="不存在.xlsx"),
    ]
    written = annotate(records, found, out)
    assert written == [out / REGISTER]
    assert sha(records) == before
    ws = openpyxl.load_workbook(out / REGISTER)[schema.VISITS.name]
    text = ws["E2"].comment.text  # F2 lies inside the merged E2:F2
    assert "【错误】“情况记录”的内容有 3000 个字符" in text
    assert "【提醒】“走访日期”的日期 2027-01-01 晚于今天" in text
    assert text.endswith("原批注：王芳：待补材料")
    assert ws["E2"].fill.fgColor.rgb == ERROR_FILL.fgColor.rgb  # an error outranks a warning
    listed = list(openpyxl.load_workbook(out / REGISTER)[LIST_SHEET].iter_rows(min_row=4, values_only=True))
    assert listed[0][2] == "旧表" and listed[0][5] == "sheet-missing"  # cell-less problems first
    assert len(listed) == 3


def test_refuses_to_write_into_the_records_folder(tmp_path):
    records = tmp_path / "records"
    write_blank_workbooks(records)
    found = [problem("required", file=REGISTER, sheet=schema.WORKERS.name, cell="B2",
                     column="姓名", hint="")]
    before = sha(records)
    for target in (records, records / ".", tmp_path / "x" / ".." / "records"):
        with pytest.raises(OutputRefused, match="从不往记录文件夹里写文件"):
            annotate(records, found, target)
    assert sha(records) == before


def test_unreadable_workbooks_are_skipped(tmp_path):
    records, out = tmp_path / "records", tmp_path / "out"
    _bad_station(records)
    (records / FUNDS).write_bytes(b"PK\x03\x04 this is not really a zip file")
    (records / ("~$" + REGISTER)).write_bytes(b"\x05lock")  # Excel's lock file
    (records / "旧档案.xlsx").write_bytes((records / REGISTER).read_bytes())  # a stray copy
    before = sha(records)
    outcome = check_folder(records)
    codes = {(p.code, p.file) for p in outcome.problems}
    assert {("file-corrupt", FUNDS), ("file-lock", "~$" + REGISTER),
            ("file-unexpected", "旧档案.xlsx")} <= codes
    extra = problem("required", file=FUNDS, sheet=schema.FUNDS.name, cell="A2", column="账户名称",
                    hint="")
    written = annotate(records, [*outcome.problems, extra], out)
    assert sorted(p.name for p in written) == sorted([REGISTER, AID])  # unreadable: nothing checked
    assert sha(records) == before
    result = CliRunner().invoke(cli, ["check", str(records), "--annotate", str(tmp_path / "o2")])
    assert result.exit_code == 2, result.output
    assert "已在" in result.output and "写出 2 个标注副本" in result.output
