"""Rows marshalled once a build (private/row_bytes.py) give the very bytes marshal gives for the
tuples the digests used to marshal whole: the fingerprints of the receipt sheets, the quarterly
reports' inputs and the 办结表 do not change."""

import marshal
from dataclasses import replace
from decimal import Decimal

import pytest

from generator.private import memory
from generator.private.dossier_slices import table_values
from generator.private.row_bytes import KEPT, row_bytes, rows_bytes, tuple_bytes

from private_station import read_station

ODD = [None, "", "张三", "a\x00b", 0, -1, 2**31, 2**40, -(2**70), 1.5, -0.0, True, False, b"\x00\xff",
       ("nested", (1, None)), (), "x" * 70000, frozenset({1}), [1, "列表"], {"键": 1}]


@pytest.mark.parametrize("count", [0, 1, 2, 255, 256, 300])
def test_a_tuple_of_marshalled_items_is_the_marshalled_tuple(count):
    items = [ODD[n % len(ODD)] if n % 3 else (n, ODD[n % len(ODD)], str(n)) for n in range(count)]
    assert tuple_bytes([marshal.dumps(v, 0) for v in items]) == marshal.dumps(tuple(items), 0)
    assert tuple_bytes([marshal.dumps(1, 0), tuple_bytes([marshal.dumps(v, 0) for v in items])]) \
        == marshal.dumps((1, tuple(items)), 0)


def test_rows_bytes_are_the_payouts_marshalled_as_the_digests_marshalled_them(tmp_path):
    records = read_station(tmp_path)
    payouts = records.payouts
    assert len(payouts) > 3
    values = table_values(records, "payouts")
    picked = [payouts[2], payouts[0], payouts[-1], payouts[2]]  # any order, a row twice
    assert rows_bytes(records, "payouts", picked) == marshal.dumps(tuple([values[id(p)] for p in picked]), 0)
    assert rows_bytes(records, "payouts", []) == marshal.dumps((), 0)
    assert row_bytes(records, "payouts") is row_bytes(records, "payouts")  # worked out once
    assert set(row_bytes(records, "payouts")) == {id(p) for p in payouts}


def test_another_payouts_table_is_marshalled_anew_and_memory_lets_go_of_them(tmp_path):
    records = read_station(tmp_path)
    first = row_bytes(records, "payouts")
    edited = replace(records.payouts[0], amount=Decimal("12345.67"))
    changed = replace(records, payouts=[edited, *records.payouts[1:]])
    again = row_bytes(changed, "payouts")
    assert again is not first and again[id(edited)] == marshal.dumps(table_values(changed, "payouts")[id(edited)], 0)
    assert KEPT in memory.KEPT_WITH_RECORDS
