"""The leak scan's values and the station's public text are worked out a column at a time
(privacy.values: `_table_values`, `_records_corpus`): the same texts, records, kinds and
order as going through each value and each row one by one, for odd values too (numbers in
other scripts, texts that normalise alike across columns, rows without a column, cells that
are not texts)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from generator import privacy, schema
from generator.privacy import values as scan_values
from generator.privacy.normal import _number, address_tails, normalise_many
from generator.reading import read_records

from station import station_data, write_station


def value_by_value(records, sheet, rows, full: bool, normalised: dict) -> tuple[list, list, bytes]:
    """_table_values as it went through each distinct value of each column before."""
    found: set[str] = set()
    texts, wheres, signs = [], [], bytearray()
    last = scan_values._LAST_VALUES[0]
    for column in sheet.columns:
        minimum = scan_values._min_length(column, full)
        if minimum is None:
            continue
        key, sensitive = column.key, column.sensitive
        sign = scan_values._SIGNS.index(sensitive) * 2 + (sensitive == schema.S_NAME or key == "name")
        where = scan_values._Where(records, sheet.key, key)
        got = [getattr(rec, key, None) for rec in rows]
        firsts: dict = {}
        for i, value in enumerate(got):
            if isinstance(value, str) and value and value not in firsts:
                firsts[value] = i
        todo = [v for v in firsts if v not in normalised and v not in last]
        normalised.update(zip(todo, normalise_many(todo)))
        for value, first in firsts.items():
            norm = normalised.setdefault(value, last.get(value))
            if sensitive in privacy.NUMBERS:
                candidates = [_number(norm)]
            elif sensitive == schema.S_ADDRESS:
                candidates = [norm, *address_tails(norm)]
            else:
                candidates = [norm]
            for text in candidates:
                if len(text) < minimum or text in found:
                    continue
                found.add(text)
                texts.append(text)
                wheres.append(where(rows[first].row))
                signs.append(sign)
    return texts, wheres, bytes(signs)


def row_by_row_corpus(records) -> dict[str, str]:
    parts = list(scan_values._settings_values(records))
    for sheet_key, keys in privacy.CORPUS_TABLES:
        for rec in getattr(records, sheet_key):
            for key in keys or [c.key for c in schema.sheet(scan_values._ref(sheet_key)).columns]:
                value = getattr(rec, key, None)
                if isinstance(value, str) and value:
                    parts.append(value)
    unique = list(dict.fromkeys(parts))
    return dict(zip(unique, normalise_many(unique)))


@pytest.fixture()
def odd_records(tmp_path):
    """The test station, its people given values that normalise alike (full-width, traditional
    characters, phone numbers written with separators or in other scripts' digits)."""
    data = station_data()
    workers = data["困难职工档案.xlsx"]["困难职工"]
    workers[1]["工作单位"] = "測試市第一中學"
    workers[1]["手机号码"] = "１３８-０５３１-０００１"  # the first worker's number, written otherwise
    members = data["困难职工档案.xlsx"]["家庭成员"]
    members.append({**members[0], "姓名": "張小宇", "工作单位或学校": "测试市第一中学"})
    members.append({**members[1], "姓名": "王芳"})
    records = read_records(write_station(tmp_path / "records", data)).records
    w = records.workers
    odd = [dataclasses.replace(w[0], phone="١٣٨٠٥٣١٠٠٠٩"), dataclasses.replace(w[1], phone="138\n0531\n0002"),
           *w[2:], dataclasses.replace(w[0], name="王芳", address="示范省示范县示范镇人民路12号", phone="")]
    return dataclasses.replace(records, workers=odd) if dataclasses.is_dataclass(records) else records


@pytest.mark.parametrize("full", [False, True])
def test_values_a_column_at_a_time_are_those_value_by_value(odd_records, full):
    records = odd_records
    compared = 0
    for keep_last in (False, True):  # values normalised by the last collect are taken from it
        scan_values._LAST_VALUES[0] = {}
        if keep_last:
            privacy.collect(records)
        new: dict = {}
        old: dict = {}
        for _, sheet in schema.all_sheets():
            rows = getattr(records, sheet.key, None)
            if not rows or sheet.settings:
                continue
            got = scan_values._table_values(records, sheet, rows, full, new)
            want = value_by_value(records, sheet, rows, full, old)
            if sheet.key == "workers":  # an address's tails come in no fixed order (a set)
                got, want = sorted(zip(*got[:2], got[2])), sorted(zip(*want[:2], want[2]))
            assert got == want, sheet.key
            compared += len(got[0]) if sheet.key != "workers" else len(got)
        assert new == old
    assert compared > 20


def test_rows_without_a_column_and_cells_that_are_not_texts(odd_records):
    records = odd_records
    sheet = next(s for _, s in schema.all_sheets() if s.key == "members")
    base = records.members
    rows = [SimpleNamespace(row=rec.row, **{c.key: getattr(rec, c.key, None) for c in sheet.columns}) for rec in base]
    del rows[0].name  # a row without the column
    rows[1].school_or_employer = ["not", "a", "text"]  # an unhashable cell value
    rows[2].id_number = "37 01 02 1980 0101 0012"
    rows[0].school_or_employer = rows[2].school_or_employer = "测试市第二中学"
    rows.append(SimpleNamespace(row=99, name=7, id_number=None, school_or_employer=""))
    assert scan_values._distinct_values(rows, "school_or_employer") is not None
    scan_values._LAST_VALUES[0] = {}
    assert scan_values._table_values(records, sheet, rows, False, {}) == \
        value_by_value(records, sheet, rows, False, {})


def test_numbers_in_one_pass_are_each_number():
    norms = ["13805310001", "138-0531-0001", "3701x", "a1b2c3", "١٣٨", "12\n34", "", "x", "x\nx"]
    for i in range(len(norms)):
        part = norms[i:] + norms[:i]
        assert scan_values._numbers(part) == [_number(n) for n in part]
        ascii_only = [n for n in part if n.isascii() and "\n" not in n]
        assert scan_values._numbers(ascii_only) == [_number(n) for n in ascii_only]
    assert scan_values._numbers([]) == []


def test_public_text_column_by_column_is_row_by_row(odd_records):
    records = odd_records
    assert list(scan_values._records_corpus(records).items()) == list(row_by_row_corpus(records).items())


def test_where_many_is_where_of_each():
    where = scan_values._Where.__new__(scan_values._Where)
    for head, letter in (("困难职工档案.xlsx 工作表“家庭成员” ", "B"), (" x ", ""), ("a ", "C")):
        where.head, where.letter = head, letter
        rows = [1, 0, None, 17, 20000]
        assert where.many(rows) == [where(row) for row in rows]
