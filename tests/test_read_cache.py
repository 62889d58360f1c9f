"""ReadCache: a workbook whose file did not change is not parsed again (`bangfu serve`
re-reads only the workbook the clerk saved), and what it gives equals a fresh read."""

import os
import zipfile
from dataclasses import fields
from pathlib import Path

from generator import record_views
from generator.pipeline import check_folder
from generator.reading import ReadCache, read_records

from private_station import TODAY, VISITS, WORKERS, write_station

BOOKS = ["困难职工档案.xlsx", "帮扶政策.xlsx", "帮扶记录.xlsx", "帮扶资金.xlsx"]


def _tables(records):
    names = [f.name for f in fields(records) if isinstance(getattr(records, f.name), list)]
    return {n: getattr(records, n) for n in names} | {"settings": records.settings, "places": records.places}


def _faulty_station(folder: Path) -> Path:
    """The test station with a bad phone number: a problem the kept workbook must carry."""
    workers = [dict(w) for w in WORKERS]
    workers[0]["phone"] = "1380013"
    return write_station(folder, tables={"workers": workers})


def _replace(book: Path, data: bytes) -> None:
    """Save the way Excel does: a new file put in place of the old one."""
    book.with_suffix(".tmp").write_bytes(data)
    book.with_suffix(".tmp").replace(book)


def test_only_the_changed_workbook_is_parsed_again_and_equals_a_fresh_read(tmp_path):
    folder = _faulty_station(tmp_path / "records")
    cache = ReadCache()
    first = read_records(folder, cache=cache)
    assert sorted(cache.parsed) == sorted(BOOKS)
    assert [(p.file, p.cell, p.code) for p in first.problems] == [("困难职工档案.xlsx", "H2", "phone-format")]

    cache.parsed.clear()
    again = read_records(folder, cache=cache)
    assert cache.parsed == []
    assert _tables(again.records) == _tables(first.records) and again.problems == first.problems

    other = write_station(tmp_path / "edited", settings={"contact": "王芳"})
    _replace(folder / "帮扶政策.xlsx", (other / "帮扶政策.xlsx").read_bytes())
    cache.parsed.clear()
    third = read_records(folder, cache=cache)
    assert cache.parsed == ["帮扶政策.xlsx"]
    assert (first.records.settings.contact, third.records.settings.contact) == ("李文", "王芳")
    fresh = read_records(folder)
    assert _tables(third.records) == _tables(fresh.records)
    assert third.problems == fresh.problems and len(fresh.problems) == 1


def test_a_workbook_saved_again_unchanged_is_not_parsed(tmp_path):
    folder = write_station(tmp_path / "records")
    cache = ReadCache()
    first = check_folder(folder, TODAY, cache=cache)
    book = folder / "帮扶政策.xlsx"
    _replace(book, book.read_bytes())  # new inode and time, same bytes
    cache.parsed.clear()
    again = check_folder(folder, TODAY, cache=cache)
    assert cache.parsed == []
    assert again.problems == first.problems and _tables(again.records) == _tables(first.records)


def _stored(book: Path, old: bytes, new: bytes) -> None:
    """Rewrite the workbook uncompressed with `old` replaced by `new` (same length: the file
    keeps its size)."""
    with zipfile.ZipFile(book) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_STORED) as z:
        for info, data in items:
            info.compress_type = zipfile.ZIP_STORED
            z.writestr(info, data.replace(old, new) if old else data)


def test_a_change_that_keeps_size_and_time_is_still_seen(tmp_path):
    """Two saves within one tick of a coarse clock (FAT, network shares) leave the same size and
    time: the content digest of a small workbook still tells them apart."""
    folder = write_station(tmp_path / "records")
    book = folder / "困难职工档案.xlsx"
    _stored(book, b"", b"")
    cache = ReadCache()
    before = read_records(folder, cache=cache)
    note = VISITS[0]["notes"].encode("utf-8")
    changed = note[:-3] + "虚".encode()  # the same number of bytes
    assert len(changed) == len(note) and note in book.read_bytes()
    st = book.stat()
    _stored(book, note, changed)
    os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (book.stat().st_size, book.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    cache.parsed.clear()
    after = read_records(folder, cache=cache)
    assert cache.parsed == ["困难职工档案.xlsx"]
    assert after.records.visits[0].notes == changed.decode("utf-8") != before.records.visits[0].notes


def test_a_missing_workbook_is_looked_for_again(tmp_path):
    folder = write_station(tmp_path / "records")
    cache = ReadCache()
    (folder / "帮扶资金.xlsx").rename(tmp_path / "帮扶资金.xlsx")
    assert [p.code for p in read_records(folder, cache=cache).problems] == ["file-missing"]
    (tmp_path / "帮扶资金.xlsx").rename(folder / "帮扶资金.xlsx")
    cache.parsed.clear()
    back = read_records(folder, cache=cache)
    assert cache.parsed == ["帮扶资金.xlsx"] and back.problems == [] and not back.unreadable


def test_a_stored_book_is_read_by_the_next_process_and_equals_a_fresh_read(tmp_path):
    """With a store (what `bangfu build` keeps in its work folder), a new ReadCache (the next
    build, another process) parses only the workbook saved since; what it gives equals a
    fresh read, problems included; the entries are owner-only; a damaged entry is a parse."""
    folder = _faulty_station(tmp_path / "records")
    store = tmp_path / "store"
    first = read_records(folder, cache=ReadCache(store=store))
    entries = sorted(store.iterdir())
    books = [p.name for p in entries if p.name.count(".") == 1]
    assert sorted(books) == ["aid.pickle", "funds.pickle", "policy.pickle", "register.pickle"]
    assert len(entries) == 4 + len(_tables(first.records)) - 2  # a file per table besides
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in entries)

    again = ReadCache(store=store)
    same = read_records(folder, cache=again)
    assert again.parsed == [] and sorted(again.loaded) == sorted(BOOKS)
    assert _tables(same.records) == _tables(first.records) and same.problems == first.problems

    other = write_station(tmp_path / "edited", settings={"contact": "王芳"})
    _replace(folder / "帮扶政策.xlsx", (other / "帮扶政策.xlsx").read_bytes())
    third = ReadCache(store=store)
    changed = read_records(folder, cache=third)
    assert third.parsed == ["帮扶政策.xlsx"] and sorted(third.loaded) == sorted(set(BOOKS) - {"帮扶政策.xlsx"})
    fresh = read_records(folder)
    assert _tables(changed.records) == _tables(fresh.records) and changed.problems == fresh.problems
    assert changed.records.settings.contact == "王芳"

    for entry in store.iterdir():
        entry.write_bytes(entry.read_bytes()[:-40])  # cut short
    fourth = ReadCache(store=store)
    damaged = read_records(folder, cache=fourth)
    assert sorted(fourth.parsed) == sorted(BOOKS) and fourth.loaded == []
    assert _tables(damaged.records) == _tables(fresh.records)
    fifth = ReadCache(store=store)  # the damaged entries were written anew
    read_records(folder, cache=fifth)
    assert fifth.parsed == [] and len(fifth.loaded) == 4


def test_a_restored_table_gives_the_block_digests_of_its_rows(tmp_path):
    """A book loaded from the store gives its tables' block and column digests (kept where it
    was parsed) as a table digested in this process does: the checks and the disclosure plan
    keep their work per block of payouts (record_views.block_digests), also after a fresh build
    whose books were parsed by children and loaded from the store."""
    folder = _faulty_station(tmp_path / "records")
    store = tmp_path / "store"
    read_records(folder, cache=ReadCache(store=store))
    again = ReadCache(store=store)
    restored = read_records(folder, cache=again).records
    assert again.parsed == []
    fresh = read_records(folder).records
    record_views._LAST.clear()  # every block of the fresh read digested anew
    for name in ("workers", "payouts", "visits", "funds"):
        assert getattr(restored, name), name
        found = record_views.block_digests(restored, name)
        assert found is not None, name
        assert record_views.table_digest(restored, name) == record_views.table_digest(fresh, name)
        assert found == record_views.block_digests(fresh, name)
        assert record_views.column_digests(restored, name) == record_views.column_digests(fresh, name)


def test_a_copied_folder_takes_the_stored_books_by_their_digest(tmp_path):
    """A copy of the records (other files, the same bytes) is read from the store; a stored
    book whose bytes differ from the copy's is parsed."""
    import shutil

    folder = write_station(tmp_path / "a")
    store = tmp_path / "store"
    read_records(folder, cache=ReadCache(store=store))
    copy = tmp_path / "b"
    shutil.copytree(folder, copy)
    other = write_station(tmp_path / "edited", settings={"contact": "王芳"})
    _replace(copy / "帮扶政策.xlsx", (other / "帮扶政策.xlsx").read_bytes())
    cache = ReadCache(store=store)
    got = read_records(copy, cache=cache)
    assert cache.parsed == ["帮扶政策.xlsx"] and sorted(cache.loaded) == sorted(set(BOOKS) - {"帮扶政策.xlsx"})
    assert _tables(got.records) == _tables(read_records(copy).records)
    assert got.records.settings.contact == "王芳"


def test_large_books_parsed_in_child_processes_give_what_one_process_reads(tmp_path, monkeypatch):
    """A build (a cache with a store) parses the large workbooks beyond the first in forked
    children that keep them in the store; the parent loads them from there. The result, problems
    included and in the same order, is a read in one process; a child that keeps nothing (an
    unwritable store) only leaves its book to be parsed here."""
    import threading

    import pytest

    import generator.reading as reading

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest may hold threads
    monkeypatch.setenv("BANGFU_JOBS", "4")
    monkeypatch.setattr(reading, "ASIDE_BYTES", 0)  # the test station's books are small
    started = []
    aside = reading._parse_aside
    monkeypatch.setattr(reading, "_parse_aside", lambda *a: started.append(aside(*a)) or started[-1])
    folder = _faulty_station(tmp_path / "records")
    alone = read_records(folder)
    started.clear()
    cache = ReadCache(store=tmp_path / "store")
    read = read_records(folder, cache=cache)
    books, keyed = started[0]
    assert len(books) == 3  # three books in children, the first one here
    assert list(keyed) == ["register"] and keyed["register"] in books.values()  # its keys: a child's
    assert sorted(cache.parsed) == sorted(BOOKS) and cache.loaded == []
    assert _tables(read.records) == _tables(alone.records) and read.problems == alone.problems
    assert read.problems  # the bad phone number is carried through the store
    # the keys the child worked out are those of a read in one process, and kept with the book
    kept = ReadCache(store=tmp_path / "store")
    register = next(b for b in reading.schema.BOOKS if b.key == "register")
    stored, _ = kept.lookup(folder, register)
    alone_cache = ReadCache()
    read_records(folder, cache=alone_cache)
    by_one, _ = alone_cache.lookup(folder, register)
    assert stored.sheets == by_one.sheets and all(entry[0] for entry in stored.sheets.values())
    assert stored.memo == by_one.memo and len([k for k in stored.memo if isinstance(k, bytes)]) == 4
    # and so are the sheets' pieces (rawbook.SheetPieces), for a read of their changed pieces only
    assert stored.pieces == by_one.pieces and sorted(stored.pieces) == sorted(stored.sheets)
    assert not (tmp_path / "store" / "keys-register.pickle").exists()

    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x").write_text("")  # a file where the store folder should be
    cache = ReadCache(store=tmp_path / "locked" / "x")
    read = read_records(folder, cache=cache)
    assert len(started[-1][0]) == 3 and sorted(cache.parsed) == sorted(BOOKS)
    assert _tables(read.records) == _tables(alone.records) and read.problems == alone.problems


def test_a_build_keeps_the_register_later_and_keeps_the_same(tmp_path, monkeypatch):
    """`bangfu build` reads with keep_later: the book whose sheet keys a child works out (a
    fresh build's register) is not waited for: the records are complete at once, the book is
    kept in the store only on keep_now() (while the build waits for its private writer), and
    what is kept then is what a read in one process keeps."""
    import threading

    import pytest

    import generator.reading as reading

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest may hold threads
    monkeypatch.setenv("BANGFU_JOBS", "4")
    monkeypatch.setattr(reading, "ASIDE_BYTES", 0)  # the test station's books are small
    folder = _faulty_station(tmp_path / "records")
    alone = read_records(folder)
    register = next(b for b in reading.schema.BOOKS if b.key == "register")
    cache = ReadCache(store=tmp_path / "store")
    read = read_records(folder, cache=cache, keep_later=True)
    assert _tables(read.records) == _tables(alone.records) and read.problems == alone.problems
    assert len(read.later) == 1
    assert ReadCache(store=tmp_path / "store").lookup(folder, register)[0] is None  # not kept yet
    read.keep_now()
    assert read.later == []
    read.keep_now()  # once only: nothing more to do
    assert _tables(read.records) == _tables(alone.records) and read.problems == alone.problems
    stored, _ = ReadCache(store=tmp_path / "store").lookup(folder, register)
    alone_cache = ReadCache()
    read_records(folder, cache=alone_cache)
    by_one, _ = alone_cache.lookup(folder, register)
    assert stored is not None and stored.sheets == by_one.sheets and all(entry[0] for entry in stored.sheets.values())
    assert stored.memo == by_one.memo and stored.pieces == by_one.pieces and stored.problems == by_one.problems
    assert not (tmp_path / "store" / "keys-register.pickle").exists()
    again = ReadCache(store=tmp_path / "store")  # the next build parses nothing
    assert _tables(read_records(folder, cache=again).records) == _tables(alone.records) and again.parsed == []


def test_a_book_is_kept_under_the_digest_of_what_was_read(tmp_path, monkeypatch):
    """A workbook rewritten in place (same inode, size and time) after it was read but before it
    is kept (at the end of a build with PDFs: ReadResult.keep_now) is kept under the digest of
    the bytes read, not of the new ones: the next read sees the change and parses it again."""
    import generator.reading as reading

    folder = write_station(tmp_path / "records")
    book = folder / "困难职工档案.xlsx"
    _stored(book, b"", b"")
    note = VISITS[0]["notes"].encode("utf-8")
    changed = note[:-3] + "虚".encode()  # the same number of bytes
    st = book.stat()
    snapshot = reading._snapshot
    rewritten: list = []

    def rewrite_then_snapshot(b, *args, **kwargs):  # the file changes between its parse and its keep
        if b.filename == book.name and not rewritten:
            _stored(book, note, changed)
            os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns))
            rewritten.append(book.stat())
        return snapshot(b, *args, **kwargs)

    monkeypatch.setattr(reading, "_snapshot", rewrite_then_snapshot)
    cache = ReadCache(store=tmp_path / "store")
    before = read_records(folder, cache=cache, keep_later=True)
    before.keep_now()
    assert rewritten and (rewritten[0].st_ino, rewritten[0].st_size, rewritten[0].st_mtime_ns) == \
        (st.st_ino, st.st_size, st.st_mtime_ns)
    assert before.records.visits[0].notes == note.decode("utf-8")
    again = ReadCache(store=tmp_path / "store")  # the next build
    after = read_records(folder, cache=again)
    assert again.parsed == ["困难职工档案.xlsx"]
    assert after.records.visits[0].notes == changed.decode("utf-8")
