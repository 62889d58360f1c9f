"""The filing order's pinyin worked out while the read waits (private.filing_warmup,
read_records' `idle`): the writer's filing order and the readings it keeps are those of a
process that worked them out itself, whether the warm-up ran to the end or stopped early."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from generator import names, reading
from generator.private.dossiers import filing_order
from generator.private.filing_warmup import warm_filing_order

from private_station import read_station


def _cold() -> None:
    for cached in (names._name_key, names.reading, names._syllables, names.pinyin_text):
        cached.cache_clear()
    names._USED.clear()


def _order_and_readings(records) -> tuple:
    order = [(f.number, f.worker.archive_no, f.stem) for f in filing_order(records)]
    return order, list(names.readings().items())


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    records = read_station(tmp_path_factory.mktemp("station") / "records")
    # more distinct names than a batch of the warm-up, some of them shared, with the register's
    # surnames (单, 曾, 尉迟 …) and given names of one or two characters
    workers = list(records.workers)
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    more = []
    for n in range(4 * 256):
        w = workers[n % len(workers)]
        surname = (w.name or "")[:2] if (w.name or "").startswith("尉迟") else (w.name or "")[:1]
        name = surname + given[n % len(given)] + ("" if n % 5 == 0 else given[(n // len(given)) % len(given)])
        more.append(replace(w, name=name, archive_no=f"SF-9{n:04d}"))
    records.workers = workers + more
    return records


def test_warmed_order_and_readings_equal_a_cold_writers(station):
    _cold()
    expected = _order_and_readings(station)
    assert len(expected[1]) > 256  # the warm-up stops between batches

    for stop_after in (None, 1, 2):  # the whole register, or stopped after one or two batches
        _cold()
        asked = []

        def ready(asked=asked, stop_after=stop_after):
            asked.append(1)
            return stop_after is not None and len(asked) >= stop_after

        warm_filing_order(station, ready)
        warmed = len(names._USED)
        assert warmed > 0
        if stop_after is not None:
            assert warmed < len(expected[1])  # stopped early: the writer reads the rest
        assert _order_and_readings(station) == expected
    _cold()


def test_wait_book_calls_idle_only_while_the_child_works():
    calls = []

    def idle(ready):
        calls.append(ready())
        os.close(write_end)  # the child lets go
        calls.append(ready())

    read_end, write_end = os.pipe()
    pid = os.getpid()  # not a child: waitpid raises ChildProcessError, which the wait ignores
    reading._READY[pid] = read_end
    reading._wait_book(pid, {}, idle)
    assert calls == [False, True]

    # a child done already: not called
    read_end, write_end = os.pipe()
    os.close(write_end)
    reading._READY[pid] = read_end
    reading._wait_book(pid, {}, lambda ready: calls.append("called"))
    assert calls == [False, True]


def test_a_failing_warm_up_is_left_to_the_writer(station, monkeypatch):
    _cold()

    def broken(name, tie=""):
        raise RuntimeError("pypinyin broke")

    monkeypatch.setattr(names, "name_key", broken)
    warm_filing_order(station, lambda: False)  # no error in the build's read
    monkeypatch.undo()
    _cold()


def test_the_warmed_keys_are_the_ones_the_filing_orders_sort_takes(station):
    """The warm-up's key of a name is the one dossiers.filing_order sorts by (names._name_key,
    whatever the tie-break): after a whole warm-up, the sort works out no key of its own."""
    _cold()
    warm_filing_order(station, lambda: False)
    warmed = names._name_key.cache_info()
    assert warmed.currsize == len({w.name or "" for w in station.workers})
    filing_order(station)
    after = names._name_key.cache_info()
    assert after.misses == warmed.misses and after.currsize == warmed.currsize
    assert after.hits > warmed.hits
    _cold()
