"""Workbooks saved as .xls (Excel 97-2003, WPS's default) or .ods are read like .xlsx,
with a warning suggesting .xlsx; .et and .csv keep their refusal; --annotate on them
writes .xlsx copies; amounts in capitals in every legal form."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from generator import schema
from generator.annotate import annotate
from generator.pipeline import check_folder
from generator.reading.values import to_money

from office import convert
from station import cell_of

RECORDS = Path(__file__).resolve().parent.parent / "records"
TODAY = date(2026, 11, 23)
MONEY = schema.PAYOUTS.column("amount")


@pytest.mark.parametrize("text, amount", [
    ("壹拾万零叁仟肆佰伍拾叁元整", "103453.00"),
    ("壹拾万叁仟肆佰伍拾叁元整", "103453.00"),
    ("壹佰万零叁仟零肆元", "1003004.00"),
    ("壹拾万零叁拾元整", "100030.00"),
    ("壹仟元零伍分", "1000.05"),
    ("叁佰元伍角陆分", "300.56"),
    ("伍角", "0.50"),
    ("人民币壹仟元整", "1000.00"),
])
def test_capitals_in_every_legal_form(text, amount):
    result = to_money(text, MONEY)
    assert result.code == "money-capitals" and result.value == Decimal(amount)


def test_capitals_that_are_not_an_amount_are_refused():
    assert to_money("壹拾万零零叁仟元", MONEY).code == "type-money"


def test_amounts_not_in_capitals_never_load_the_numerals_library():
    """cn2an costs half a CPU second to import: an amount that is no Chinese numeral (a number,
    a text with digits or a unit, a word) is judged without it."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from generator import schema\n"
            "from generator.reading.values import to_money\n"
            "money = schema.PAYOUTS.column('amount')\n"
            "got = [to_money(v, money) for v in (300.0, '300元', '￥1,200.50', 'abc', '三百块钱')]\n"
            "print(repr([getattr(g, 'code', g) for g in got]), 'cn2an' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == "False", out
    assert to_money("壹仟元整", MONEY).value == Decimal("1000.00")  # and capitals still read


def _faulty_demo(folder: Path) -> Path:
    """The demo with a few faults of every kind a clerk makes, as .xlsx."""
    shutil.copytree(RECORDS, folder)
    path = folder / "困难职工档案.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["困难职工"]
    head = {c.value: c.column_letter for c in ws[1]}
    ws[f"{head['身份证号']}3"] = "370102197506180016"  # wrong check digit
    ws[f"{head['性别']}4"] = "未知"  # not a choice
    ws[f"{head['出生日期']}5"] = "1975年13月2日"  # impossible date
    wb.save(path)
    path = folder / "帮扶记录.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["帮扶发放"]
    head = {c.value: c.column_letter for c in ws[1]}
    ws[f"{head['金额']}2"] = "壹拾万零叁仟肆佰伍拾叁元整"  # capitals, far over the standard
    ws[f"{head['资金账户']}3"] = "帮扶资金"  # no such fund
    ws[f"{head['帮扶项目']}6"] = None  # required
    ws.merge_cells(f"{head['经办人']}7:{head['备注']}7")  # merged cells in the data
    wb.save(path)
    return folder


def _key(problems):
    """What must be equal whatever the file format: the place, the code and the message."""
    out = Counter()
    for p in problems:
        if p.code in ("file-old-excel", "file-ods"):
            continue
        message = re.sub(r"\.(xls|ods)(?![a-z])", ".xlsx", p.message)  # the file the clerk has
        out[(Path(p.file).stem, p.sheet, p.cell, p.code, p.severity, message)] += 1
    return out


@pytest.fixture(scope="module")
def formats(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    xlsx = _faulty_demo(root / "xlsx")
    books = sorted(xlsx.glob("*.xlsx"))
    convert(books, "xls", root / "xls")
    convert(books, "ods", root / "ods")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("fmt, warning", [("xls", "file-old-excel"), ("ods", "file-ods")])
def test_check_on_xls_and_ods_copies_of_the_demo_gives_the_same_problems(formats, fmt, warning):
    original = check_folder(formats / "xlsx", TODAY)
    copy = check_folder(formats / fmt, TODAY)
    assert {(p.code, p.sheet, p.cell) for p in original.problems} >= {
        ("idno-checksum", "困难职工", "F3"), ("enum", "困难职工", "C4"),
        ("ref-missing", "帮扶发放", cell_of("帮扶发放", "资金账户", 1)),
        ("money-capitals", "帮扶发放", cell_of("帮扶发放", "金额", 0)),
        ("required", "帮扶发放", cell_of("帮扶发放", "帮扶项目", 4)),
        ("merged-cells", "帮扶发放", cell_of("帮扶发放", "经办人", 5))}
    assert _key(copy.problems) == _key(original.problems)
    assert {p.file for p in copy.problems if p.cell} <= {f"{b.filename[:-5]}.{fmt}" for b in schema.BOOKS}
    warnings = [p for p in copy.problems if p.code == warning]
    assert sorted(p.file for p in warnings) == sorted(f"{b.filename[:-5]}.{fmt}" for b in schema.BOOKS)
    assert all(p.severity == "warning" and ".xlsx" in p.message for p in warnings)
    assert copy.exit_code == original.exit_code == 1


@pytest.mark.slow
def test_annotate_on_xls_writes_xlsx_copies(formats, tmp_path):
    outcome = check_folder(formats / "xls", TODAY)
    written = annotate(formats / "xls", outcome.problems, tmp_path / "标注")
    assert sorted(p.name for p in written) == sorted(b.filename for b in schema.BOOKS)
    wb = openpyxl.load_workbook(tmp_path / "标注" / "困难职工档案.xlsx")
    assert wb.sheetnames[0] == "问题清单"
    cell = wb["困难职工"]["F3"]
    assert "校验码" in cell.comment.text and cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert wb["困难职工"]["B2"].value  # the values came along
    assert (formats / "xls" / "困难职工档案.xls").exists()
    assert not list((formats / "xls").glob("*.xlsx"))


@pytest.mark.slow
def test_an_xls_beside_its_xlsx_is_a_stale_copy(formats, tmp_path):
    folder = tmp_path / "both"
    shutil.copytree(RECORDS, folder)
    shutil.copy(formats / "xls" / "帮扶资金.xls", folder)
    outcome = check_folder(folder, TODAY)
    assert [(p.code, p.file) for p in outcome.problems] == [("file-unexpected", "帮扶资金.xls")]


@pytest.mark.slow
def test_an_xls_under_the_xlsx_name_is_read(formats, tmp_path):
    folder = tmp_path / "renamed"
    shutil.copytree(RECORDS, folder)
    shutil.copy(formats / "xls" / "帮扶资金.xls", folder / "帮扶资金.xlsx")
    outcome = check_folder(folder, TODAY)
    assert [(p.code, p.file) for p in outcome.problems] == [("file-old-excel", "帮扶资金.xlsx")]
    assert outcome.records.funds and outcome.exit_code == 0


@pytest.mark.parametrize("name, content, code", [
    ("帮扶资金.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "file-corrupt"),
    ("帮扶资金.ods", b"PK\x03\x04" + b"\0" * 100, "file-corrupt"),
    ("帮扶资金.xls", "日期,资金账户\n".encode("gbk"), "file-csv"),
    ("帮扶资金.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "file-wps"),
    ("帮扶资金.csv", "日期,资金账户\n".encode("gbk"), "file-csv"),
])
def test_unreadable_other_formats_name_the_file(tmp_path, name, content, code):
    shutil.copytree(RECORDS, tmp_path / "r")
    (tmp_path / "r" / "帮扶资金.xlsx").unlink()
    (tmp_path / "r" / name).write_bytes(content)
    outcome = check_folder(tmp_path / "r", TODAY)
    assert [(p.code, p.file) for p in outcome.problems] == [(code, name)]
    assert outcome.exit_code == 2


def _build(records: Path, root: Path):
    from generator.build import build_all

    lines: list[str] = []
    code = build_all(records, site_dir=root / "site", private_dir=None, today=TODAY, pdf=False,
                     echo=lines.append)
    return code, "\n".join(lines)


def _problem_lines(text: str, fmt: str) -> list[str]:
    """The problems a build printed, with the file names of the .xlsx originals."""
    text = re.sub(rf"\.{fmt}(?![a-z])", ".xlsx", text)
    return sorted(line.strip() for line in text.splitlines() if line.rstrip().endswith("]")
                  and "[file-old-excel]" not in line and "[file-ods]" not in line)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_build_on_xls_and_ods_copies_reports_the_same_problems(formats, tmp_path, fmt):
    code_x, out_x = _build(formats / "xlsx", tmp_path / "a")
    code_o, out_o = _build(formats / fmt, tmp_path / "b")
    assert code_x == code_o == 1
    lines = _problem_lines(out_x, "xlsx")
    assert len(lines) == 9 and any("[idno-checksum]" in line for line in lines)
    assert _problem_lines(out_o, fmt) == lines


@pytest.mark.slow
def test_build_on_an_xls_copy_of_the_demo_makes_the_same_site(tmp_path):
    convert(sorted(RECORDS.glob("*.xlsx")), "xls", tmp_path / "xls")
    assert _build(RECORDS, tmp_path / "a")[0] == 0
    code, out = _build(tmp_path / "xls", tmp_path / "b")
    assert code == 0, out
    pages_a = sorted(p.relative_to(tmp_path / "a" / "site") for p in (tmp_path / "a" / "site").rglob("*.html"))
    pages_b = sorted(p.relative_to(tmp_path / "b" / "site") for p in (tmp_path / "b" / "site").rglob("*.html"))
    assert pages_a == pages_b and len(pages_a) > 20
    for page in ("index.html", "funds/index.html"):
        if (tmp_path / "a" / "site" / page).exists():
            assert (tmp_path / "a" / "site" / page).read_text(encoding="utf-8") == \
                (tmp_path / "b" / "site" / page).read_text(encoding="utf-8")


@pytest.mark.slow
def test_error_values_in_ods_are_reported_at_their_cell(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["日期", "金额"])
    ws.append(["2024-01-01", "=1/0"])
    wb.save(tmp_path / "e.xlsx")
    from generator.reading.xlsxfile import read_other_book

    ods = convert([tmp_path / "e.xlsx"], "ods", tmp_path)[0]
    sheet = next(iter(read_other_book(ods).sheets.values()))
    assert sheet.bad_cells == {"B2": ("formula-error", "#DIV/0!")}
