"""The reader: what clerks really type, files that cannot be read, broken structure."""

from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from generator import schema
from generator.pipeline import check_folder
from generator.reading import read_records
from generator.reading.values import Bad, Fixed, to_date, to_enum, to_idno, to_int, to_money, to_phone, to_text

from station import ID_1, cell_of, found, station_data, write_station

MONEY = schema.PAYOUTS.column("amount")
DATE = schema.PAYOUTS.column("applied")
INT = schema.WORKERS.column("household_size")
SEX = schema.WORKERS.column("sex")
IDNO = schema.WORKERS.column("id_number")
PHONE = schema.WORKERS.column("phone")
NAME = schema.WORKERS.column("name")


def value(result):
    return result.value if isinstance(result, Fixed) else result


@pytest.mark.parametrize("raw, expected", [
    (1000.0, Decimal("1000.00")), ("1,000.50", Decimal("1000.50")), ("1000元", Decimal("1000.00")),
    ("¥300", Decimal("300.00")), ("￥３００", Decimal("300.00")), (" 300 ", Decimal("300.00")),
    ("壹仟元整", Decimal("1000.00")), ("壹万零壹拾元零伍分", Decimal("10010.05")), ("伍角", Decimal("0.50")),
    ("一千元", Decimal("1000.00")), ("两千五百元", Decimal("2500.00")),
    (0.1 + 0.2, Decimal("0.30")), (0.0, Decimal("0.00")),
])
def test_money(raw, expected):
    assert value(to_money(raw, MONEY)) == expected


@pytest.mark.parametrize("raw, code", [
    (-5.0, "money-negative"), ("abc", "type-money"), (1e12, "money-too-large"), ("1,0,0x", "type-money"),
    ("NaN", "type-money"), ("Infinity", "type-money"),
])
def test_money_refused(raw, code):
    result = to_money(raw, MONEY)
    assert isinstance(result, Bad) and result.code == code


def test_capitals_are_read_with_a_warning():
    result = to_money("壹仟元整", MONEY)
    assert isinstance(result, Fixed) and result.code == "money-capitals"


@pytest.mark.parametrize("raw", ["2024.3.5", "2024/3/5", "2024-03-05", "2024年3月5日", "20240305",
                                 "２０２４年３月５日", " 2024-3-5 ", 45356.0, "2024-03-05 00:00:00"])
def test_dates_as_clerks_type_them(raw):
    assert to_date(raw, DATE) == date(2024, 3, 5)


@pytest.mark.parametrize("raw, code", [("2024年2月30日", "date-impossible"), ("2024.13.1", "date-impossible"),
                                       ("下周一", "type-date"), ("1900-01-01", "date-out-of-range"),
                                       ("3/5", "type-date")])
def test_bad_dates(raw, code):
    result = to_date(raw, DATE)
    assert isinstance(result, Bad) and result.code == code


def test_integers_and_text():
    assert to_int(3.0, INT) == 3
    assert value(to_int("３人", INT)) == 3
    assert isinstance(to_int(2.5, INT), Bad)
    fixed = to_text("王\u200b五\x07", NAME)
    assert isinstance(fixed, Fixed) and fixed.value == "王五" and fixed.code == "text-invisible"
    assert isinstance(to_text("x" * 1_000_000, NAME), Bad)


def test_enums_accept_variants_and_suggest():
    assert to_enum(" 男 ", SEX) == "男"
    status = schema.WORKERS.column("status")
    assert value(to_enum("在檔", status)) == "在档"  # traditional, read with a hint
    bad = to_enum("在册", status)
    assert isinstance(bad, Bad) and bad.code == "enum" and "在档" in bad.params["suggestion"]


def test_identity_numbers():
    assert to_idno(ID_1, IDNO) == ID_1
    assert to_idno(" " + ID_1[:-1] + ID_1[-1].lower() + " ", IDNO) == ID_1
    assert to_idno("".join(chr(ord(c) + 0xFEE0) for c in ID_1), IDNO) == ID_1  # full-width digits
    assert to_idno(3.70102197805e17, IDNO).code == "idno-as-number"
    assert to_idno("3.70102E+17", IDNO).code == "idno-as-number"
    assert to_idno(ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1"), IDNO).code == "idno-checksum"
    assert to_idno("37010219781332001X", IDNO).code == "idno-format"
    assert to_idno("370102780512003", IDNO).code == "idno-legacy"


def test_phones():
    assert to_phone(13805310001.0, PHONE) == "13805310001"
    assert to_phone("0531-88881234", PHONE) == "0531-88881234"
    assert to_phone("138 0531 0001", PHONE)  # spaced mobile is split and refused part-wise
    assert isinstance(to_phone("12345", PHONE), str)
    assert to_phone("1380531000", PHONE).code == "phone-format"


# --- whole workbooks ----------------------------------------------------------------------
def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_messy_cells_in_a_real_workbook(tmp_path):
    data = station_data()
    w = data["困难职工档案.xlsx"]["困难职工"][0]
    w.update({"申请日期": "2024年2月20日", "家庭年收入": "36,000元", "家庭人口": "３", "性别": "男 "})
    write_station(tmp_path, data)
    before = digest(tmp_path)
    result = read_records(tmp_path)
    assert result.records.workers[0].applied == date(2024, 2, 20)
    assert result.records.workers[0].household_income == Decimal("36000.00")
    assert result.records.workers[0].household_size == 3
    assert digest(tmp_path) == before  # input never written to


def test_identity_number_stored_as_number(tmp_path):
    data = station_data()
    data["困难职工档案.xlsx"]["困难职工"][0]["身份证号"] = int(ID_1[:-1] + "0") if ID_1[-1] != "X" else 1
    write_station(tmp_path, data)
    got = found(tmp_path)
    assert ("困难职工", cell_of("困难职工", "身份证号", 0), "idno-as-number") in got


def test_missing_sheet_suggests_the_renamed_one(tmp_path):
    write_station(tmp_path)
    path = tmp_path / "帮扶记录.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["帮扶发放"].title = "帮扶发放表"
    wb.save(path)
    problems = check_folder(tmp_path).problems
    missing = [p for p in problems if p.code == "sheet-missing"]
    assert missing and missing[0].sheet == "帮扶发放" and "帮扶发放表" in missing[0].message
    assert check_folder(tmp_path).exit_code == 1


def test_hidden_and_extra_sheets(tmp_path):
    write_station(tmp_path)
    path = tmp_path / "困难职工档案.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["走访记录"].sheet_state = "hidden"
    copy = wb.copy_worksheet(wb["困难职工"])
    copy.title = "困难职工 (2)"
    wb.save(path)
    got = found(tmp_path)
    assert ("走访记录", "", "sheet-hidden") in got
    assert ("困难职工 (2)", "", "sheet-unexpected") in got


def test_header_problems(tmp_path):
    write_station(tmp_path)
    path = tmp_path / "帮扶记录.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["帮扶发放"]
    for cell in ws[1]:
        if cell.value == "金额":
            cell.value = "发放金额 "  # an alias with a trailing space: read, with a hint
    ws.cell(row=1, column=ws.max_column + 1, value="经手人")  # unknown column
    wb.save(path)
    got = found(tmp_path)
    assert not any(code == "column-missing" for *_, code in got)
    assert ("帮扶发放", cell_of("帮扶发放", "金额", -1), "column-renamed") in got
    assert any(code == "column-unknown" for *_, code in got)
    assert read_records(tmp_path).records.payouts[0].amount == Decimal("300.00")


def test_missing_column_and_traditional_headers(tmp_path):
    write_station(tmp_path)
    path = tmp_path / "困难职工档案.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["困难职工"]
    for cell in ws[1]:
        if cell.value == "档案编号":
            cell.value = "檔案編號"  # traditional: still recognised
        if cell.value == "工作单位":
            cell.value = "工作地点"  # renamed: reported, with a suggestion
    wb.save(path)
    problems = check_folder(tmp_path).problems
    missing = [p for p in problems if p.code == "column-missing"]
    assert [p.message for p in missing if "工作单位" in p.message]
    assert "工作地点" in missing[0].message
    assert not [p for p in problems if p.code == "column-missing" and "档案编号" in p.message]


def test_duplicate_column(tmp_path):
    write_station(tmp_path)
    path = tmp_path / "帮扶资金.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["资金收入"]
    ws.cell(row=1, column=ws.max_column + 1, value="金额")
    wb.save(path)
    assert any(code == "column-duplicate" for _, _, code in found(tmp_path))


def test_header_on_second_row(tmp_path):
    write_station(tmp_path)
    path = tmp_path / "帮扶资金.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["资金账户"].insert_rows(1)
    wb["资金账户"]["A1"] = "示范镇帮扶资金账户一览"
    wb.save(path)
    got = found(tmp_path)
    assert ("资金账户", "A2", "header-not-first-row") in got
    assert not any(code == "ref-missing" for *_, code in got)  # rows still read


def test_merged_cells_in_data(tmp_path):
    write_station(tmp_path)
    path = tmp_path / "困难职工档案.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["走访记录"].merge_cells("D2:E2")
    wb.save(path)
    assert ("走访记录", "D2", "merged-cells") in found(tmp_path)


def _inject_cached(path, sheet_index, ref, cached):
    """openpyxl never writes cached formula values: put one into the sheet XML."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{sheet_index}.xml":
                text = data.decode()
                text = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v>\s*</v>|<v\s*/>)?',
                              lambda m: f"{m.group(1)}{m.group(2)}<v>{cached}</v>", text)
                data = text.encode()
            dst.writestr(item, data)
    tmp.replace(path)


def test_formulas_cached_missing_and_errors(tmp_path):
    write_station(tmp_path)
    path = tmp_path / "帮扶资金.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["资金收入"]
    amount_col = [c.value for c in ws[1]].index("金额") + 1
    letter = openpyxl.utils.get_column_letter(amount_col)
    ws[f"{letter}2"] = "=10000*2"
    ws[f"{letter}3"] = "=10000*2"
    wb.save(path)
    _inject_cached(path, 2, f"{letter}2", "20000")
    assert ("资金收入", f"{letter}2", "formula-no-value") not in found(tmp_path)
    got = found(tmp_path)
    assert ("资金收入", f"{letter}3", "formula-no-value") in got
    assert read_records(tmp_path).records.incomes[0].amount == Decimal("20000.00")

    wb = openpyxl.load_workbook(path)
    wb["资金收入"][f"{letter}3"] = "#DIV/0!"
    wb.save(path)
    assert ("资金收入", f"{letter}3", "formula-error") in found(tmp_path)


# --- files that cannot be read -----------------------------------------------------------
def _replace(tmp_path, name, content: bytes, new_name=None):
    write_station(tmp_path)
    (tmp_path / name).unlink()
    (tmp_path / (new_name or name)).write_bytes(content)


@pytest.mark.parametrize("new_name, content, code", [
    ("帮扶资金.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "file-corrupt"),
    ("帮扶资金.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "file-wps"),
    ("帮扶资金.csv", "日期,资金账户\n2024-01-01,上级\n".encode("gbk"), "file-csv"),
    ("帮扶资金.xlsx", "日期,资金账户\n".encode(), "file-csv"),
    ("帮扶资金.xlsx", b"", "file-corrupt"),
    ("帮扶资金.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "file-not-workbook"),
])
def test_unreadable_files(tmp_path, new_name, content, code):
    _replace(tmp_path, "帮扶资金.xlsx", content, new_name)
    outcome = check_folder(tmp_path)
    assert code in {p.code for p in outcome.problems}
    assert outcome.exit_code == 2


def test_truncated_and_not_a_workbook_zip(tmp_path):
    write_station(tmp_path)
    data = (tmp_path / "帮扶资金.xlsx").read_bytes()
    (tmp_path / "帮扶资金.xlsx").write_bytes(data[: len(data) // 2])
    assert "file-corrupt" in {p.code for p in check_folder(tmp_path).problems}
    with zipfile.ZipFile(tmp_path / "帮扶资金.xlsx", "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    outcome = check_folder(tmp_path)
    assert "file-not-workbook" in {p.code for p in outcome.problems} and outcome.exit_code == 2


def test_encrypted_workbook(tmp_path):
    pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool makes the encrypted sample")
    from msoffcrypto.format.ooxml import OOXMLFile

    write_station(tmp_path)
    plain = tmp_path / "帮扶资金.xlsx"
    enc = tmp_path / "enc.bin"
    with open(plain, "rb") as src, open(enc, "wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    enc.replace(plain)
    outcome = check_folder(tmp_path)
    assert "file-encrypted" in {p.code for p in outcome.problems} and outcome.exit_code == 2


def test_missing_workbook_and_folder(tmp_path):
    write_station(tmp_path)
    (tmp_path / "帮扶政策.xlsx").unlink()
    outcome = check_folder(tmp_path)
    assert ("帮扶政策.xlsx", "file-missing") in {(p.file, p.code) for p in outcome.problems}
    assert outcome.exit_code == 2
    assert check_folder(tmp_path / "nope").exit_code == 2
