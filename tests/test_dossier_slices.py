"""The dossiers' slices on a fresh build: the quick ways of encoding and slicing give the very
digests the per-worker way gives (the next build compares them, and _slice_again works them
out row by row)."""

import dataclasses
from datetime import date

import pytest

from generator.private import carry, dossier_slices, dossiers

from private_station import read_station


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return read_station(tmp_path_factory.mktemp("slices") / "records")


def test_date_columns_are_day_numbers_or_none(records):
    rows = list(records.payouts)
    rows[0] = dataclasses.replace(rows[0], verified=None, followed_up=date(2026, 1, 1))
    columns = dossier_slices.encoded_columns(rows)
    names = [name for name, _ in dossier_slices._kinds(type(rows[0]))]
    for key in ("applied", "verified", "paid", "followed_up"):
        values = [getattr(r, key) for r in rows]
        assert None in values or key != "verified"
        assert columns[names.index(key)] == [None if v is None else v.toordinal() for v in values]


def test_fresh_slices_are_each_workers_own(records, tmp_path):
    slices = dossier_slices.Slices(records, carry.nothing(tmp_path))
    for i in dossier_slices._ALL:
        slices._encode(i)  # the columns _slice_again reads
    for filed in dossiers.filing_order(records):
        w = filed.worker
        got = slices.of(w, f"{dossiers.FOLDER}/{filed.stem}.html")
        assert got[0] == w.archive_no
        # the same digest as one worker's rows worked out alone, table by table
        assert got[1:] == [slices._slice_again(i, w) for i in dossier_slices._ALL]
    assert len({tuple(slices.of(f.worker, "x")[1:]) for f in dossiers.filing_order(records)}) > 1
