"""Crashes, hangs and wrong values from the attack run: each is a problem at the cell (code,
sheet, cell), never a traceback or an abort, and the inputs are never changed."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from generator.pipeline import check_folder

from corpus import make_error_cell, rewrite_part, sheet_part

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from station import cell_of, station_data, write_station  # noqa: E402

pytestmark = pytest.mark.slow  # the full suite runs these; the fast lane leaves them out

TODAY = date(2026, 11, 23)
REG, AID, FUNDS, POLICY = "困难职工档案.xlsx", "帮扶记录.xlsx", "帮扶资金.xlsx", "帮扶政策.xlsx"


def digests(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink()}


def found(folder: Path) -> set:
    return {(p.file, p.sheet, p.cell, p.code) for p in check_folder(folder, TODAY).problems}


def cli_check(folder: Path, timeout: float = 60):
    result = subprocess.run([sys.executable, "-m", "generator.cli", "check", str(folder), "--today", "2026-11-23"],
                            capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in result.stderr + result.stdout and "panicked" not in result.stderr
    return result


def station(tmp_path, edit=None) -> Path:
    data = station_data()
    if edit:
        edit(data)
    return write_station(tmp_path / "records", data)


def set_cell(folder: Path, book: str, sheet: str, ref: str, value, number_format: str | None = None, epoch=None):
    wb = openpyxl.load_workbook(folder / book)
    if epoch is not None:
        wb.epoch = epoch
    ws = wb[sheet]
    ws[ref] = value
    if number_format:
        ws[ref].number_format = number_format
    wb.save(folder / book)


# --- crashes and hangs -----------------------------------------------------------
def test_a_stray_cell_in_the_far_corner_is_a_problem_not_an_abort(tmp_path):
    records = station(tmp_path)
    set_cell(records, AID, "帮扶发放", "XFD1048576", "x")
    before = digests(records)
    result = cli_check(records)
    assert result.returncode == 2, result.stdout + result.stderr
    assert found(records) == {(AID, "帮扶发放", "XFD1048576", "sheet-stray-cell")}
    assert digests(records) == before


@pytest.mark.parametrize("value, number_format", [(1e300, "[h]:mm:ss"), (-1e300, "yyyy-mm-dd")])
def test_a_date_cell_with_an_absurd_number_names_the_cell(tmp_path, value, number_format):
    """The fast reader panics on these (chrono out of range); the panic is caught, kept off
    the screen, and the cell is found by the second pass."""
    records = station(tmp_path)
    ref = cell_of("帮扶发放", "申请日期", 0)
    set_cell(records, AID, "帮扶发放", ref, value, number_format)
    result = cli_check(records)
    assert result.returncode == 2
    assert f"{ref} 单元格设成了日期格式" in result.stdout
    assert found(records) == {(AID, "帮扶发放", ref, "date-absurd")}


@pytest.mark.parametrize("sheet, column, value, code", [
    ("站点设置", None, -7, "setting-invalid"),        # 公示天数 −7
    ("站点设置", None, 10**7, "setting-invalid"),     # 公示天数 in the millions
    ("困难职工", "家庭人口", -4, "number-out-of-range"),
    ("公示批次", "公示天数", 3_000_000, "number-out-of-range"),
    ("困难类别", "收入上限倍数", 1e300, "number-out-of-range"),
    ("帮扶项目", "比例", 80, "rate-over-100"),
])
def test_numbers_out_of_their_range_are_problems_at_the_cell(tmp_path, sheet, column, value, code):
    book = {"站点设置": POLICY, "困难职工": REG, "公示批次": AID, "困难类别": POLICY, "帮扶项目": POLICY}[sheet]
    if column is None:  # the 公示天数 row of the settings sheet, value column B
        rows = [r["设置项"] for r in station_data()[POLICY]["站点设置"]]
        ref = f"B{rows.index('公示天数') + 2}"
    else:
        ref = cell_of(sheet, column, 0)
    records = station(tmp_path)
    set_cell(records, book, sheet, ref, value, "0%" if code == "rate-over-100" else None)
    assert (book, sheet, ref, code) in found(records)
    assert {p.code for p in check_folder(records, TODAY).problems if p.cell == ref} == {code}
    assert cli_check(records).returncode == 1


def test_a_rate_typed_80_in_a_percent_cell_says_how_to_write_it(tmp_path):
    records = station(tmp_path)
    ref = cell_of("帮扶项目", "比例", 1)
    set_cell(records, POLICY, "帮扶项目", ref, 80, "0%")
    [p] = [p for p in check_folder(records, TODAY).problems if p.cell == ref]
    assert p.message == ("“比例”填的是 80，按比例读就是 8000%，超过了 100%。如果指的是 80%，请填“80%”或小数（如 0.8）；"
                         "单元格格式为百分比时，请直接输入带 % 的数。")


@pytest.mark.parametrize("kind", ["fifo", "folder", "dev-link"])
def test_special_files_in_place_of_a_workbook(tmp_path, kind):
    records = station(tmp_path)
    target = records / FUNDS
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        os.symlink("/dev/zero", target)
    result = cli_check(records, timeout=30)
    assert result.returncode == 2
    code = {"fifo": "file-special", "folder": "file-is-folder", "dev-link": "file-special"}[kind]
    assert found(records) == {(FUNDS, "", "", code)}


# --- wrong values accepted silently ---------------------------------------------------
@pytest.mark.parametrize("sheet, column, value, code", [
    ("困难职工", "银行卡号", 6222021602012345678, "bank-as-number"),
    ("帮扶发放", "金额", "1.234,56", "money-decimal-comma"),
    ("帮扶发放", "金额", "5.000,00", "money-decimal-comma"),
    ("帮扶发放", "金额", 300.004, "money-sub-cent"),
    ("帮扶发放", "金额", "1,23,4", "type-money"),
    ("帮扶发放", "金额", -300, "money-negative"),
])
def test_wrong_values_are_problems_at_the_cell(tmp_path, sheet, column, value, code):
    book = REG if sheet == "困难职工" else AID
    ref = cell_of(sheet, column, 0)
    records = station(tmp_path)
    set_cell(records, book, sheet, ref, value)
    assert {(p.cell, p.code) for p in check_folder(records, TODAY).problems if p.sheet == sheet} == {(ref, code)}


@pytest.mark.parametrize("phone", ["+86 138 0013 8000", "138 0013 8000", "0086-138-0013-8000",
                                   "(0531) 8888-1234", "0531 8888 1234", "138-0013-8000、0531-88881234"])
def test_phone_numbers_as_people_write_them_are_accepted(tmp_path, phone):
    def edit(data):
        data[REG]["困难职工"][0]["手机号码"] = phone
    assert found(station(tmp_path, edit)) == set()


def test_a_bad_phone_is_quoted_whole(tmp_path):
    def edit(data):
        data[REG]["困难职工"][0]["手机号码"] = "+86 138 0013"
    [p] = check_folder(station(tmp_path, edit), TODAY).problems
    assert p.code == "phone-format" and "“+86 138 0013”" in p.message


def test_1904_workbooks_read_bare_serial_numbers_right(tmp_path):
    records = station(tmp_path)
    ref = cell_of("帮扶发放", "申请日期", 0)  # 2024-03-20 as a bare 1904 serial number
    set_cell(records, AID, "帮扶发放", ref, (date(2024, 3, 20) - date(1904, 1, 1)).days, "General",
             epoch=CALENDAR_MAC_1904)
    assert found(records) == set()
    assert check_folder(records, TODAY).records.payouts[0].applied == date(2024, 3, 20)


STRICT = {"http://schemas.openxmlformats.org/spreadsheetml/2006/main": "http://purl.oclc.org/ooxml/spreadsheetml/main",
          "http://schemas.openxmlformats.org/officeDocument/2006/relationships":
          "http://purl.oclc.org/ooxml/officeDocument/relationships"}


def test_error_cells_in_strict_ooxml_are_found(tmp_path):
    records = station(tmp_path)
    ref = cell_of("帮扶发放", "金额", 0)
    path = records / AID
    make_error_cell(path, "帮扶发放", ref, "#REF!", "#REF!*2")
    for part in ("xl/workbook.xml", sheet_part(path, "帮扶发放")):
        rewrite_part(path, part, lambda xml: re.sub("|".join(map(re.escape, STRICT)),
                                                    lambda m: STRICT[m.group(0)], xml))
    assert (AID, "帮扶发放", ref, "formula-error") in found(records)


def test_formula_text_in_messages_has_no_xml_entities(tmp_path):
    records = station(tmp_path)
    ref = cell_of("帮扶发放", "金额", 0)
    path = records / AID
    make_error_cell(path, "帮扶发放", ref, "", "IF(A1&lt;0,&quot;x&quot;)")
    rewrite_part(path, sheet_part(path, "帮扶发放"),
                 lambda xml: xml.replace(f'<c r="{ref}" t="e"><f>', f'<c r="{ref}"><f>').replace("<v></v>", ""))
    [p] = [p for p in check_folder(records, TODAY).problems if p.code == "formula-no-value"]
    assert '=IF(A1<0,"x")' in p.message and "&lt;" not in p.message


@pytest.mark.parametrize("suffix, code", [(".xlsm", "file-xlsm"), (".xlsb", "file-xlsb")])
def test_macro_and_binary_workbooks_get_their_own_message(tmp_path, suffix, code):
    records = station(tmp_path)
    (records / FUNDS).rename(records / ("帮扶资金" + suffix))
    result = cli_check(records)
    assert result.returncode == 2
    assert found(records) == {("帮扶资金" + suffix, "", "", code)}


def test_fund_names_never_clash_with_each_other_or_the_total(tmp_path):
    """A fund named `total` (the all-funds charts) and names differing only in case
    (one file on Windows and macOS) each get their own pages and charts."""
    from generator.site import render_site

    def edit(data):
        funds = data[FUNDS]["资金账户"]
        template = funds[1]
        for name in ("total", "Total", "index", "TOTAL"):
            funds.append({**template, "账户名称": name})
            data[FUNDS]["资金收入"].append({"日期": date(2024, 2, 1), "资金账户": name, "来源类型": "地方财政配套",
                                        "金额": 100})
    records = check_folder(station(tmp_path, edit), TODAY).records
    docs, _ = render_site(records, TODAY)
    folded = [p.casefold() for p in docs.files]
    assert len(folded) == len(set(folded))
    assert {"funds/total-zh.md", "funds/total-zh-2.md", "funds/total-zh-3.md", "funds/index-zh.md"} <= set(folded)
    charts = [p for p in folded if p.startswith("funds/charts/")]
    assert len({c for c in charts if c.startswith("funds/charts/total-")}) >= 1  # the total's own charts


def test_cells_padded_with_tens_of_thousands_of_spaces_are_quick(tmp_path):
    """A date followed by 30,000 spaces (and worse, spaces between letters) in 40 cells:
    once quadratic (seconds a cell); now the padded date is read as the date, and text
    far too long for a date is refused at once."""
    import time

    def edit(data):
        payouts = data[AID]["帮扶发放"]
        for i in range(40):
            payouts.append({**payouts[0], "记录编号": f"FF-{i + 10:04d}",
                            "申请日期": "2024-03-20" + " " * 30000 if i % 2 else "a" + " \t" * 15000 + "b"})
    records = station(tmp_path, edit)
    started = time.monotonic()
    problems = check_folder(records, TODAY).problems
    assert time.monotonic() - started < 10
    ref_column = cell_of("帮扶发放", "申请日期", 0)[0]
    assert {(p.cell, p.code) for p in problems if p.cell.startswith(ref_column) and p.sheet == "帮扶发放"} == \
        {(f"{ref_column}{i + 4}", "text-too-long") for i in range(0, 40, 2)}


@pytest.mark.parametrize("today", ["9999-12-31", "0001-01-01"])
def test_an_absurd_today_is_refused_with_a_message(tmp_path, today):
    records = station(tmp_path)
    result = subprocess.run([sys.executable, "-m", "generator.cli", "check", str(records), "--today", today],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 4  # a wrong option value is a usage error (README: exit codes)
    assert f"日期“{today}”不在 1950-01-01 至 2100-12-31 之间，请检查年份。" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_workbook_that_vanished_or_cannot_be_opened_is_named(tmp_path):
    from generator.reading.xlsxfile import Unreadable, sniff

    with pytest.raises(Unreadable) as gone:
        sniff(tmp_path / "帮扶资金.xlsx")  # removed between listing and reading
    assert gone.value.code == "file-cannot-open"


def test_a_workbook_without_read_permission_is_a_problem(tmp_path, monkeypatch):
    """A workbook open in Excel on Windows (a sharing violation) or without read permission:
    a problem naming the file, not a crash. Root reads any file, so for root the operating
    system's refusal is played by the open() the reader sees."""
    records = station(tmp_path)
    os.chmod(records / FUNDS, 0)
    if os.geteuid() == 0:
        import builtins

        from generator.reading import xlsxfile

        def refuse(path, *args, **kwargs):
            if Path(path).name == FUNDS:
                raise PermissionError(13, "Permission denied", str(path))
            return builtins.open(path, *args, **kwargs)
        monkeypatch.setattr(xlsxfile, "open", refuse, raising=False)
    problems = check_folder(records, TODAY).problems
    assert [(p.file, p.code) for p in problems] == [(FUNDS, "file-locked")]
    assert problems[0].message == ("无法打开“帮扶资金.xlsx”：文件正被其他程序占用，或当前用户没有读取权限。"
                                   "请在 Excel/WPS 中关闭它（或检查文件属性中的权限）后再运行。")
