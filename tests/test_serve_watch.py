"""What `bangfu serve` relies on to be quick: filesystem events for a saved workbook, and
parsed workbooks kept in memory so that a save re-reads only the workbook that changed."""

import threading
import time
from dataclasses import fields

import pytest

import generator.reading as reading
import generator.watch as watch
from generator.reading import keep_parsed, read_records
from generator.watch import Watcher

from private_station import VISITS, write_station

pytestmark = pytest.mark.slow  # each case waits for a file watcher; the full suite runs them


@pytest.fixture
def station(tmp_path):
    return write_station(tmp_path / "records")


def _stop_after(seconds: float) -> threading.Event:
    stop = threading.Event()
    threading.Timer(seconds, stop.set).start()
    return stop


def test_a_saved_workbook_is_noticed_through_events_within_a_second(station):
    watcher = Watcher(station)
    try:
        assert watcher.uses_events
        book = station / "帮扶记录.xlsx"
        data = book.read_bytes()
        threading.Timer(0.3, lambda: (book.with_suffix(".tmp").write_bytes(data + b"\0"),
                                      book.with_suffix(".tmp").replace(book))).start()
        started = time.monotonic()
        assert watcher.wait(_stop_after(5)) is True
        assert time.monotonic() - started < 1.3  # 0.3 s until the save, then the settle time
    finally:
        watcher.close()


def test_a_second_save_during_a_build_starts_the_next_build_at_once(station):
    """A workbook saved again while serve builds (after wait returned for the first save) is
    not lost: the next wait returns at once, without another event, and once that save is
    built, a wait without a save waits."""
    watcher = Watcher(station)
    try:
        book = station / "帮扶记录.xlsx"
        data = book.read_bytes()
        temp = station / "E5F6A7B8"
        threading.Timer(0.2, lambda: (temp.write_bytes(data + b"\0"), temp.replace(book))).start()
        assert watcher.wait(_stop_after(5)) is True
        temp.write_bytes(data + b"\0\0")  # saved again "during the build"
        temp.replace(book)
        time.sleep(0.3)  # the build goes on; the watcher sees the events meanwhile
        started = time.monotonic()
        assert watcher.wait(_stop_after(5)) is True
        assert time.monotonic() - started < 0.2  # the save was over before: nothing to wait out
        assert watcher.last == watch.stamp(watch.watched(station))
        started = time.monotonic()
        assert watcher.wait(_stop_after(0.8)) is False  # nothing saved since: no build
        assert time.monotonic() - started >= 0.75
    finally:
        watcher.close()


def test_a_save_in_excels_steps_is_waited_out_while_the_workbook_is_missing(station):
    """Excel moves the old file aside, then renames the new one into its place: a gap longer
    than the settle time must not start a build that finds the workbook missing."""
    watcher = Watcher(station)
    try:
        book = station / "帮扶记录.xlsx"
        data = book.read_bytes()
        aside = station / "A1B2C3D4"  # Excel's temporary names have no extension

        def save():
            (station / "E5F6A7B8").write_bytes(data + b"\0")
            book.replace(aside)
            time.sleep(4 * watcher.settle)
            (station / "E5F6A7B8").replace(book)
            aside.unlink()

        threading.Timer(0.2, save).start()
        started = time.monotonic()
        assert watcher.wait(_stop_after(5)) is True
        assert book.read_bytes() == data + b"\0"  # the build reads the new workbook
        assert time.monotonic() - started >= 0.2 + 4 * watcher.settle
    finally:
        watcher.close()


def test_a_whole_workbook_starts_the_build_without_waiting_out_the_settle_time(station):
    """A saved .xlsx that ends in its zip end record and stays put is read at once; one still
    being written (no end record yet) waits the whole settle time."""
    watcher = Watcher(station, settle=1.5)
    try:
        book = station / "帮扶记录.xlsx"
        data = book.read_bytes()
        assert watch._zip_ends(book, len(data)) and not watch._zip_ends(book, len(data) - 1)
        temp = station / "E5F6A7B8"
        threading.Timer(0.2, lambda: (temp.write_bytes(data), temp.replace(book))).start()
        started = time.monotonic()
        assert watcher.wait(_stop_after(5)) is True
        assert time.monotonic() - started < 0.2 + 1.0  # not the 1.5 s settle time

        threading.Timer(0.2, lambda: book.write_bytes(data[:-10])).start()  # cut short: no end record
        started = time.monotonic()
        assert watcher.wait(_stop_after(5)) is True
        assert time.monotonic() - started >= 0.2 + 1.5
    finally:
        watcher.close()


def test_only_changed_zip_workbooks_that_are_whole_count_as_complete(station):
    before = watch.stamp(watch.watched(station))
    assert not watch._complete(before, before)  # nothing changed
    book = station / "帮扶记录.xlsx"
    data = book.read_bytes()
    book.write_bytes(data + b"\0")  # a byte after the end record: not a whole zip as written
    assert not watch._complete(watch.stamp(watch.watched(station)), before)
    book.write_bytes(data)
    assert watch._complete(watch.stamp(watch.watched(station)), before)
    book.unlink()  # moved aside mid-save
    assert not watch._complete(watch.stamp(watch.watched(station)), before)


def test_a_workbook_deleted_for_good_still_starts_a_build(station, monkeypatch):
    monkeypatch.setattr("generator.watch.GONE_WAIT", 0.3)
    watcher = Watcher(station)
    try:
        threading.Timer(0.2, (station / "帮扶记录.xlsx").unlink).start()
        assert watcher.wait(_stop_after(5)) is True  # the build then says the workbook is missing
        assert not (station / "帮扶记录.xlsx").exists()
    finally:
        watcher.close()


def test_other_files_in_the_folder_do_not_start_a_build(station):
    watcher = Watcher(station)
    try:
        threading.Timer(0.2, lambda: (station / "~$帮扶记录.xlsx").write_bytes(b"lock")).start()
        threading.Timer(0.3, lambda: (station / "说明.txt").write_text("x", encoding="utf-8")).start()
        assert watcher.wait(_stop_after(1.5)) is False
    finally:
        watcher.close()


def test_a_templates_folder_made_after_the_start_is_watched_with_its_files(station):
    """site_templates created while serve runs: its creation starts a build, and so does a
    later save of a template in it (the parent folder's events do not tell of its files)."""
    watcher = Watcher(station)
    try:
        template = station.parent / "site_templates" / "site" / "home.md.j2"
        threading.Timer(0.2, lambda: (template.parent.mkdir(parents=True),
                                      template.write_text("# 首页\n", encoding="utf-8"))).start()
        assert watcher.wait(_stop_after(5)) is True
        threading.Timer(0.3, lambda: template.write_text("# 首页\n\n更新\n", encoding="utf-8")).start()
        assert watcher.wait(_stop_after(5)) is True
    finally:
        watcher.close()


def test_polling_still_works_without_events(station):
    watcher = Watcher(station, events=False, poll=0.1)
    assert not watcher.uses_events
    threading.Timer(0.2, lambda: write_station(station, settings={"contact": "王芳"})).start()
    assert watcher.wait(_stop_after(5)) is True


def _tables(records):
    names = [f.name for f in fields(records) if isinstance(getattr(records, f.name), list)]
    return {n: getattr(records, n) for n in names} | {"settings": records.settings, "places": records.places}


def test_kept_workbooks_are_reused_until_their_file_changes(station, monkeypatch):
    opened = []
    real = reading.read_book

    def counting(path, **kw):
        opened.append(path.name)
        return real(path, **kw)

    monkeypatch.setattr(reading, "read_book", counting)
    keep_parsed(True)
    try:
        first = read_records(station)
        assert len(opened) == 4
        opened.clear()
        again = read_records(station)
        assert opened == [] and _tables(again.records) == _tables(first.records)
        assert again.problems == first.problems
        time.sleep(0.01)
        changed = [dict(v) for v in VISITS]
        changed[0]["notes"] = "复查：情况属实"
        write_station(station, tables={"visits": changed})  # rewrites all four files
        opened.clear()
        third = read_records(station)
        # the visits' workbook; the others only when their bytes differ (openpyxl stamps the second)
        assert "困难职工档案.xlsx" in opened
        assert third.records.visits[0].notes == "复查：情况属实"
        # saved again with the same bytes: the content digest says nothing changed
        book = station / "帮扶政策.xlsx"
        book.with_suffix(".tmp").write_bytes(book.read_bytes())
        book.with_suffix(".tmp").replace(book)
        opened.clear()
        assert read_records(station).problems == third.problems and opened == []
        # one workbook changed: only that one is read again
        write_station(station.parent / "changed", settings={"contact": "王芳"})
        book.with_suffix(".tmp").write_bytes((station.parent / "changed" / book.name).read_bytes())
        book.with_suffix(".tmp").replace(book)
        opened.clear()
        fourth = read_records(station)
        assert opened == ["帮扶政策.xlsx"]
        keep_parsed(False)
        fresh = read_records(station)
        assert _tables(fourth.records) == _tables(fresh.records) and fourth.problems == fresh.problems
    finally:
        keep_parsed(False)
