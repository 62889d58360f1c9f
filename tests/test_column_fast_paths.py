"""The reader's column-wise fast paths give exactly what converting cell by cell gives.

tables._convert_column converts each distinct value once, takes a column whose values are
all already final (plain texts, codes and identity numbers, found by scans of the joined
values) as it is, hands back the cells themselves when they are all different, and else
gives equal cells one shared value. These tests hold
it to the plain rule, tables._convert_one on every cell, and read a real workbook whose odd
cells (a float sum of money, a date serial with a time part, a text in a number column, an
empty cell, a bool) must give exact values and problems.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from generator import schema
from generator.reading import read_records, tables
from generator.reading.values import CONVERTERS, Bad, Fixed

from station import ID_1, ID_2, cell_of, idno, station_data, write_station

NAME = schema.WORKERS.column("name")  # text
ADDRESS = schema.WORKERS.column("address")  # text
ARCHIVE = schema.WORKERS.column("archive_no")  # code
BANK = schema.WORKERS.column("bank_account")  # code, as is only when ASCII digits
IDNO = schema.WORKERS.column("id_number")
SEX = schema.WORKERS.column("sex")  # enum
SIZE = schema.WORKERS.column("household_size")  # int
AMOUNT = schema.PAYOUTS.column("amount")  # money
APPLIED = schema.PAYOUTS.column("applied")  # date
SIGNED = schema.PAYOUTS.column("signed")  # bool
ID_X = next(idno(f"3701021978051200{i}") for i in range(10) if idno(f"3701021978051200{i}")[-1] == "X")


def cell_by_cell(values, col):
    convert = CONVERTERS[col.kind]
    return [tables._convert_one(v, col, convert, col.kind != schema.TEXT) for v in values]


def shape(result):
    """A converted value as comparable data: type and value (Decimal by its digits too)."""
    if isinstance(result, (Bad, Fixed)):
        fixed = getattr(result, "value", None)
        return type(result).__name__, result.code, result.params, type(fixed).__name__, str(fixed)
    return type(result).__name__, str(result)


def assert_as_cell_by_cell(values, col):
    values = tuple(values)
    got, has_odd, has_none = tables._convert_column(values, col)
    want = cell_by_cell(values, col)
    assert [shape(x) for x in got] == [shape(x) for x in want]
    if any(isinstance(x, (Bad, Fixed)) for x in want):
        assert has_odd
    if None in want:
        assert has_none
    return got


PLAIN_TEXTS = ["张晓明", "李红", "", "Zhang Xiaoming", "测试镇 幸福路 12 号", "张晓明", "(空)"]
PLAIN_CODES = ["SF-0001", "SF-0002", "", "GS-2024-01", "FF_2024_00001", "SF-0001", "A" * 64]


@pytest.mark.parametrize("col, values, as_is", [
    (NAME, PLAIN_TEXTS, True),
    (NAME, ["张晓明", " 李红"], False),  # a space at the start
    (NAME, ["张晓明", "李红 "], False),  # at the end
    (NAME, ["张晓明", "李\n红"], False),  # a newline: not printable
    (NAME, ["张晓明", "李\u200b红"], False),  # a zero-width space
    (NAME, ["张晓明", "\u3000"], False),  # an ideographic space only: blank
    (NAME, ["张晓明", 42.0], False),  # a number among texts
    (NAME, ["张晓明", date(2024, 3, 5)], False),
    (NAME, ["张" * NAME.max_length], True),
    (NAME, ["张" * (NAME.max_length + 1), "李红"], False),  # too long
    (NAME, ["", ""], True),
    (ARCHIVE, PLAIN_CODES, True),
    (ARCHIVE, ["SF-0001", "CON"], False),  # a reserved Windows name
    (ARCHIVE, ["SF-0001", "com1", "Lpt9"], False),
    (ARCHIVE, ["SF-0001", "AB12"], False),  # four characters: looked at one by one, and kept
    (ARCHIVE, ["SF-0001", "_SF-0002"], False),
    (ARCHIVE, ["SF-0001", "-SF-0002"], False),
    (ARCHIVE, ["SF-0001", "SF-0002\nSF-0003"], False),  # two codes in one cell
    (ARCHIVE, ["SF-0001", "A" * 65], False),
    (ARCHIVE, ["SF-0001", "档案00001"], False),  # Chinese: allowed, but not by the fast path
    (ARCHIVE, ["SF-0001", "SF 0002", "ＳＦ-0003"], False),  # a space, full-width letters
    (ARCHIVE, ["SF-0001", 12345.0], False),
    (ARCHIVE, ["SF-0001", " SF-0002 "], False),
    (IDNO, [ID_1, ID_2, "", ID_1, ID_X], True),
    (IDNO, [ID_1, ID_1[:17] + ("0" if ID_1[17] != "0" else "1")], False),  # wrong check digit
    (IDNO, [ID_1, ID_1[:6] + "19781332" + ID_1[14:]], False),  # no such birth date
    (IDNO, [ID_1, ID_1[:6] + ID_1[8:17]], False),  # 15 digits: an old number, read with a warning
    (IDNO, [ID_1, ID_2[:17] + "x"], False),
    (IDNO, [ID_1, "３" + ID_2[1:]], False),  # a full-width digit
    (IDNO, [ID_1, ID_2 + " "], False),
    (IDNO, [ID_1, "X" + ID_2[1:]], False),
    (IDNO, [ID_1, 3.7010219780512e17], False),
    (BANK, ["6217991573407955430", "6228486688028393050", "", "6217991573407955430", "0"], True),
    (BANK, ["6217991573407955430", 6.217991573407955e18], False),  # a number: bank-as-number
    (BANK, ["6217991573407955430", "6228 4866 8802 8393 050"], False),  # spaces, taken out
    (BANK, ["6217991573407955430", " 6228486688028393050"], False),
    (BANK, ["6217991573407955430", "６２２８４８６６８８"], False),  # full-width digits, normalised
    (BANK, ["6217991573407955430", "6228-4866"], False),  # not digits: type-number
    (BANK, ["6217991573407955430", "6228\n4866"], False),  # two in one cell
    (BANK, ["6217991573407955430", "6228\u200b4866"], False),  # a zero-width space
    (BANK, ["6217991573407955430", "1" * (tables.LONG_VALUE + 1)], False),  # refused unparsed
    (BANK, ["1" * tables.LONG_VALUE], True),
    (BANK, ["", ""], True),
])
def test_text_and_code_columns(col, values, as_is):
    assert (col.kind in tables._AS_IS and tables._AS_IS[col.kind](set(values), col)) is as_is
    got = assert_as_cell_by_cell(values, col)
    if as_is:  # the very cell values, a blank as None
        assert all(g is v or (g is None and v == "") for g, v in zip(got, values))


def fresh(text: str) -> str:
    """An equal string that is another object, as the reader gets one per cell."""
    return "".join([text[:1], text[1:]])


@pytest.mark.parametrize("col, texts", [
    (ARCHIVE, ["SF-0001", "SF-0002", "", "SF-0001"]),  # as is, by the scans
    (NAME, ["张晓明", "李红", "", "张晓明"]),
    (IDNO, [ID_1, ID_2, "", ID_1]),
    (SEX, ["男", "女", "", "男"]),  # each value converts to itself
    (NAME, ["张晓明", " 李红", "张晓明"]),  # converted value by value
])
def test_equal_cells_share_one_value(col, texts):
    """Records hold one object per distinct value, not one per cell: the read store's pickles
    and the memory of a large station stay as small as when every cell was looked up."""
    values = tuple(fresh(t) for t in texts)
    assert values[0] is not values[-1]
    got, _, _ = tables._convert_column(values, col)
    assert got[0] == values[0] and got[0] is got[-1]


def test_the_fast_paths_keep_the_cells():
    values = tuple(["SF-0001", "SF-0002"] * 3)
    got, has_odd, has_none = tables._convert_column(values, ARCHIVE)
    assert got == list(values) and not has_odd and not has_none
    got, has_odd, has_none = tables._convert_column(("SF-0001", "", "SF-0002"), ARCHIVE)
    assert got == ["SF-0001", None, "SF-0002"] and not has_odd and has_none
    got, has_odd, has_none = tables._convert_column(("SF-0001", "CON", ""), ARCHIVE)
    assert got[0] == "SF-0001" and isinstance(got[1], Bad) and got[1].code == "code-unsafe"
    assert got[2] is None and has_odd and has_none


@pytest.mark.parametrize("col, values", [
    (AMOUNT, [0.1 + 0.2, 300.0, 300, "300元", "", 1e12, -5.0, 0.001, "壹仟元整", 300.0]),
    (AMOUNT, [1.0, True, 0.0, False, 1.0]),  # True == 1.0: converted cell by cell
    (NAME, ["是", True, 1.0, "1"]),
    (SIGNED, [True, "是", 1.0, "否", False, 0.0, 2.0, ""]),
    (APPLIED, [date(2024, 3, 5), datetime(2024, 3, 5, 18, 0), 45356.75, 45356.0, "2024-03-05", "",
               "2024-02-30", 20240305.0, date(1900, 1, 1), date(2024, 3, 5)]),
    (IDNO, [ID_1, ID_2, ID_1, "", ID_1[:17] + "0", 3.7010219780512e17, " " + ID_2]),
    (SEX, ["男", "女", "男", " 女", "", "male"]),
    (SIZE, [3.0, 3.0, "三", "3人", 2.5, "", True]),
])
def test_other_columns(col, values):
    assert_as_cell_by_cell(values, col)


def test_exact_values_of_odd_cells():
    got, has_odd, has_none = tables._convert_column((0.1 + 0.2, 300.0, "", 0.3), AMOUNT)
    assert got == [Decimal("0.30"), Decimal("300.00"), None, Decimal("0.30")]
    assert [str(x) for x in got[:2]] == ["0.30", "300.00"] and not has_odd and has_none
    got, _, _ = tables._convert_column((45356.75, datetime(2024, 3, 5, 18, 0), date(2024, 3, 5)), APPLIED)
    assert got == [date(2024, 3, 5)] * 3 and all(type(x) is date for x in got)
    got, has_odd, _ = tables._convert_column((1.0, True), AMOUNT)
    assert got[0] == Decimal("1.00") and isinstance(got[1], Bad) and got[1].code == "type-money"
    got, _, _ = tables._convert_column((3.0, "三"), SIZE)
    assert got[0] == 3 and type(got[0]) is int and isinstance(got[1], Bad) and got[1].code == "type-number"


def test_a_workbook_with_odd_cells(tmp_path):
    data = station_data()
    workers = data["困难职工档案.xlsx"]["困难职工"]
    workers[0]["家庭人口"] = "三"  # a text in a number column
    workers[1]["姓名"] = " 李红 "  # spaces around a name: read without them, no problem
    workers[1]["家庭住址"] = None  # an empty optional cell
    workers[0]["工作单位"] = None  # an empty required cell
    payouts = data["帮扶记录.xlsx"]["帮扶发放"]
    payouts[0]["金额"] = 0.1 + 0.2  # a sum Excel stored as a float
    payouts[1]["申请日期"] = (date(2024, 3, 21) - date(1899, 12, 30)).days + 0.75  # 18:00, unformatted
    payouts[1]["核实日期"] = datetime(2024, 3, 26, 9, 30)
    payouts[0]["医疗自付费用"] = 1  # 1.0 and True in one column
    payouts[1]["医疗自付费用"] = True
    payouts[1]["公示批次"] = "CON"  # a code that cannot be a file name
    data["困难职工档案.xlsx"]["走访记录"][0]["走访人"] = True  # a bool in a text column
    write_station(tmp_path, data)

    result = read_records(tmp_path)
    got = {(p.sheet, p.cell, p.code) for p in result.problems}
    assert got == {
        ("困难职工", cell_of("困难职工", "家庭人口", 0), "type-number"),
        ("困难职工", cell_of("困难职工", "工作单位", 0), "required"),
        ("帮扶发放", cell_of("帮扶发放", "医疗自付费用", 1), "type-money"),
        ("帮扶发放", cell_of("帮扶发放", "公示批次", 1), "code-unsafe"),
    }
    records = result.records
    assert records.workers[0].household_size is None and records.workers[0].employer is None
    assert records.workers[1].name == "李红" and records.workers[1].address is None
    assert [p.amount for p in records.payouts] == [Decimal("0.30"), Decimal("8000.00")]
    assert str(records.payouts[0].amount) == "0.30"
    assert records.payouts[1].applied == date(2024, 3, 21) and type(records.payouts[1].applied) is date
    assert records.payouts[1].verified == date(2024, 3, 26) and type(records.payouts[1].verified) is date
    assert records.payouts[0].base_amount == Decimal("1.00") and records.payouts[1].base_amount is None
    assert records.payouts[1].batch is None and records.payouts[0].batch == "GS-2024-02"
    assert [p.record_no for p in records.payouts] == ["FF-0001", "FF-0002"]
    assert records.visits[0].visitor == "是"
