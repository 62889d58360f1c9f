"""Reading the large workbooks side by side (reading._read_ahead): `bangfu check` parses the
register and the aid records in threads at once. What it gives must be exactly what reading
them one after the other gives, faults included, and the process's stderr must be its own
again afterwards (the fast reader's panic reports are kept off it while reading)."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from dataclasses import fields
from pathlib import Path

import pytest

from generator import reading
from generator.pipeline import check_folder

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
from corpus import AID, DEMO, FUNDS, REG, Book, copy_demo, make_error_cell, set_cell  # noqa: E402

pytestmark = pytest.mark.skipif(not (DEMO / REG).exists(), reason="demo records not generated")
TODAY = None  # the checks' date does not matter here: both reads are checked on the same one
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _tables(records) -> dict:
    names = [f.name for f in fields(records) if isinstance(getattr(records, f.name), list)]
    return {n: getattr(records, n) for n in names} | {"settings": records.settings, "places": records.places}


def _both(folder: Path, monkeypatch) -> tuple:
    """(outcome read side by side, outcome read one after the other, threads that parsed)."""
    threads: list = []
    real = reading.read_book

    def spied(path, *args, **kwargs):
        threads.append((Path(path).name, threading.current_thread() is threading.main_thread()))
        return real(path, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(reading, "ASIDE_BYTES", 0)  # the demo's books are small: read every one ahead
        m.setattr(reading, "read_book", spied)
        m.setenv("BANGFU_JOBS", "2")
        ahead = check_folder(folder)
        read_ahead = reading.read_records(folder)
    with monkeypatch.context() as m:
        m.setenv("BANGFU_JOBS", "1")  # one core: nothing read ahead
        serial = check_folder(folder)
        read_serial = reading.read_records(folder)
    # the read itself, before the check sorts: the same problems in the same order, the same
    # places in the same order
    assert read_ahead.problems == read_serial.problems
    assert list(read_ahead.records.places.items()) == list(read_serial.records.places.items())
    return ahead, serial, threads


def _same(ahead, serial) -> None:
    assert ahead.problems == serial.problems
    assert [p.message for p in ahead.problems] == [p.message for p in serial.problems]
    assert ahead.unreadable == serial.unreadable
    assert ahead.exit_code == serial.exit_code
    if not serial.unreadable:
        assert _tables(ahead.records) == _tables(serial.records)


def test_the_books_read_side_by_side_equal_a_read_one_after_the_other(tmp_path, monkeypatch):
    folder = copy_demo(tmp_path / "records")
    ahead, serial, threads = _both(folder, monkeypatch)
    # every .xlsx parsed once, none of them in the main thread
    assert sorted(threads) == sorted((name, False) for name in (REG, AID, FUNDS, "帮扶政策.xlsx") for _ in "12")
    _same(ahead, serial)
    assert ahead.exit_code == 0 and len(ahead.records.payouts) > 0


def test_formulas_and_error_values_are_found_the_same_way_side_by_side(tmp_path, monkeypatch):
    folder = copy_demo(tmp_path / "records")
    no_value = set_cell(folder, FUNDS, "资金收入", "金额", "=SUM(1,2)")
    error = set_cell(folder, AID, "帮扶发放", "金额", "=1")
    make_error_cell(folder / AID, "帮扶发放", error, "#REF!", "#REF!*2")
    ahead, serial, _ = _both(folder, monkeypatch)
    _same(ahead, serial)
    bad = {(p.code, p.file, p.sheet, p.cell) for p in ahead.problems if p.code.startswith("formula-")}
    assert bad == {("formula-no-value", FUNDS, "资金收入", no_value), ("formula-error", AID, "帮扶发放", error)}


@pytest.mark.parametrize("broken", ["corrupt", "old-excel", "folder"])
def test_a_book_that_cannot_be_read_ahead_gives_the_same_problems(tmp_path, monkeypatch, broken):
    folder = copy_demo(tmp_path / "records")
    target = folder / REG
    if broken == "corrupt":  # a zip cut short, as a copy interrupted halfway leaves it
        target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    elif broken == "old-excel":  # garbage in an OLE file under the .xlsx name
        target.write_bytes(OLE + bytes(2048))
    else:  # a folder in the workbook's place: never handed to a thread
        target.unlink()
        target.mkdir()
    ahead, serial, _ = _both(folder, monkeypatch)
    _same(ahead, serial)
    assert ahead.unreadable and ahead.exit_code == 2
    assert [p.file for p in ahead.problems if p.is_error][:1] == [REG]


def test_the_cells_of_each_book_are_let_go_of_once_they_are_records(tmp_path, monkeypatch):
    """Read side by side, a book's parsed cells are dropped as soon as its records are made
    (not held by the threads' results until every book is read); the records and problems
    are still those of a read one after the other."""
    folder = copy_demo(tmp_path / "records")
    make_error_cell(folder / AID, "帮扶发放", set_cell(folder, AID, "帮扶发放", "金额", "=1"), "#REF!", "#REF!*2")
    books: list = []
    real = reading.read_book

    def kept(path, *args, **kwargs):
        raw = real(path, *args, **kwargs)
        books.append((raw, len(raw.sheets)))
        return raw

    with monkeypatch.context() as m:
        m.setattr(reading, "ASIDE_BYTES", 0)
        m.setattr(reading, "read_book", kept)
        m.setenv("BANGFU_JOBS", "2")
        ahead = check_folder(folder)
    assert sorted(raw.path.name for raw, _ in books) == sorted([REG, AID, FUNDS, "帮扶政策.xlsx"])
    assert all(count > 0 and raw.sheets == {} for raw, count in books)
    with monkeypatch.context() as m:
        m.setenv("BANGFU_JOBS", "1")
        serial = check_folder(folder)
    _same(ahead, serial)
    assert "formula-error" in {p.code for p in ahead.problems} and len(ahead.records.payouts) > 0


def test_stderr_is_the_process_own_again_after_reading_side_by_side(tmp_path, monkeypatch):
    folder = copy_demo(tmp_path / "records")
    before = os.fstat(2)
    _both(folder, monkeypatch)
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)


def _looked(folder: Path, cache) -> dict:
    return {b.key: cache.lookup(folder, b) for b in reading.schema.BOOKS}


def test_what_is_read_ahead(tmp_path, monkeypatch):
    folder = copy_demo(tmp_path / "records")
    monkeypatch.setenv("BANGFU_JOBS", "2")
    monkeypatch.setattr(reading, "ASIDE_BYTES", (folder / REG).stat().st_size)  # the register alone
    assert (folder / AID).stat().st_size < reading.ASIDE_BYTES
    with reading._read_ahead(folder, None, None, {}, {}) as (ahead, _):
        assert ahead == {}  # one large book: nothing to do side by side
    monkeypatch.setattr(reading, "ASIDE_BYTES", 0)
    with reading._read_ahead(folder, None, None, {}, {}) as (ahead, previous):
        assert sorted(ahead) == ["aid", "funds", "policy", "register"] and previous == {}
        assert ahead["register"].result().path == folder / REG
    cache = reading.ReadCache()
    with reading._read_ahead(folder, cache, None, _looked(folder, cache), {"aid": 1}) as (ahead, _):
        assert ahead == {}  # forked children parse aside: nothing in threads
    reading.read_records(folder, cache=cache)
    set_cell(folder, REG, "走访记录", "情况记录", "走访时家中无人，已电话联系。")
    with reading._read_ahead(folder, cache, None, _looked(folder, cache), {}) as (ahead, _):
        assert ahead == {}  # only the register changed: the others are kept
    monkeypatch.setenv("BANGFU_JOBS", "1")
    with reading._read_ahead(folder, None, None, {}, {}) as (ahead, _):
        assert ahead == {}  # one core
    shutil.rmtree(folder)


def test_a_cache_reads_ahead_what_it_must_parse_and_equals_a_read_one_after_the_other(tmp_path, monkeypatch):
    """With a cache that starts no forked children (no store: `bangfu serve`; Windows), the
    books that must be parsed are read ahead, each with the sheets kept before not read again."""
    folder = copy_demo(tmp_path / "records")
    for book in (REG, AID):  # saved once as the edits below save them (openpyxl writes every sheet anew)
        with Book(folder, book):
            pass
    monkeypatch.setattr(reading, "ASIDE_BYTES", 0)
    caches = {}
    for jobs in ("2", "1"):
        monkeypatch.setenv("BANGFU_JOBS", jobs)
        caches[jobs] = reading.ReadCache()
    threads: list = []
    real = reading.read_book

    def spied(path, *args, **kwargs):
        threads.append((Path(path).name, threading.current_thread() is threading.main_thread()))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(reading, "read_book", spied)

    def both() -> list:
        out = []
        for jobs, cache in caches.items():
            monkeypatch.setenv("BANGFU_JOBS", jobs)
            threads.clear()
            read = reading.read_records(folder, cache=cache)
            out.append((read, list(cache.parsed), list(cache.sheets_kept), sorted(set(threads))))
            cache.parsed.clear()
            cache.sheets_kept.clear()
        return out

    (ahead, parsed, kept, threads_ahead), (serial, parsed_serial, kept_serial, threads_serial) = both()
    assert threads_ahead == sorted((name, False) for name in (REG, AID, FUNDS, "帮扶政策.xlsx"))
    assert threads_serial == sorted((name, True) for name in (REG, AID, FUNDS, "帮扶政策.xlsx"))
    assert ahead.problems == serial.problems and _tables(ahead.records) == _tables(serial.records)
    assert parsed == parsed_serial and kept == kept_serial == []
    # one sheet of each of two books changed: both read ahead, their other sheets not read again
    set_cell(folder, REG, "走访记录", "情况记录", "走访时家中无人，已电话联系。")
    amount = set_cell(folder, AID, "帮扶发放", "金额", "abc")
    (ahead, parsed, kept, threads_ahead), (serial, parsed_serial, kept_serial, _) = both()
    assert threads_ahead == sorted([(AID, False), (REG, False)])
    assert ahead.problems == serial.problems and _tables(ahead.records) == _tables(serial.records)
    assert parsed == parsed_serial == [REG, AID]
    assert kept == kept_serial and f"{REG}/困难职工" in kept and f"{AID}/帮扶发放" not in kept
    assert [(p.file, p.cell) for p in ahead.problems if p.is_error] == [(AID, amount)]
    assert "走访时家中无人，已电话联系。" in {v.notes for v in ahead.records.visits}
