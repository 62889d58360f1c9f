"""A table made of the very same (frozen) record objects as the last one digested keeps its
digest without being serialised again (record_views.table_digest; `bangfu serve` rebuilds
with the unsaved workbooks' records reused); any other table is digested afresh."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from generator import record_views
from generator.reading import read_records
from generator.records import Records

from station import write_station


def _digest(table_rows, name="payouts") -> bytes:
    records = Records(folder=None)
    setattr(records, name, table_rows)
    return record_views.table_digest(records, name)


def _fresh(table_rows, name="payouts") -> bytes:
    record_views._LAST.clear()
    return _digest(table_rows, name)


def test_same_records_same_digest_without_serialising(tmp_path, monkeypatch):
    payouts = read_records(write_station(tmp_path)).records.payouts
    first = _fresh(list(payouts))
    calls = []
    real = record_views.column_bytes  # each column of each block of rows (record_views._blocks)
    monkeypatch.setattr(record_views, "column_bytes", lambda c: calls.append(1) or real(c))
    assert _digest(list(payouts)) == first and calls == []  # a new list of the same records

    changed = list(payouts)
    changed[1] = replace(changed[1], amount=(changed[1].amount or Decimal(0)) + 1)
    columns = len(record_views.fields(type(payouts[0])))
    assert _digest(changed) != first and len(calls) == columns  # one block of rows
    assert _digest(changed) == _fresh(list(changed))  # what a fresh digest gives
    assert _digest(list(payouts)[:-1]) == _fresh(list(payouts)[:-1])  # a row fewer
    equal_copies = [replace(p) for p in payouts]  # equal, not the same objects: digested, same digest
    calls.clear()
    assert _digest(equal_copies) == first and len(calls) == columns
