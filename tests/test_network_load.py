"""`bangfu merge` loading: stations read in parallel processes, through the per-station cache.

Real workbooks (tests/station.py) in real folders. To prove that a cached station is not
read again, the in-process runs (workers=1) count the calls of the real `read_records`.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

from generator.network import load
from generator.network.cache import HEAD, RECORDS, TABLES, CachedOutcome, StationCache, station_key
from generator.network.load import load_stations
from generator.network.store import store_for
from generator.pipeline import check_folder, check_read
from generator.reading import read_records
from generator.station import station

from station import TODAY, station_data, write_station

AID, PAYOUTS = "帮扶记录.xlsx", "帮扶发放"
BAD = [("帮扶发放", "N2", "money-negative")]  # 丙镇's one error: a negative amount


@pytest.fixture
def network(tmp_path) -> list[Path]:
    """Two valid stations (甲镇, 乙镇) and one with an error (丙镇)."""
    bad = station_data()
    bad[AID][PAYOUTS][0]["金额"] = -5
    return [write_station(tmp_path / "甲镇"), write_station(tmp_path / "乙镇"), write_station(tmp_path / "丙镇", bad)]


@pytest.fixture
def reads(monkeypatch) -> list[Path]:
    """The folders read in this process (runs with workers=1)."""
    seen: list[Path] = []
    real = load.read_records

    def counting(folder, *args, **kw):
        seen.append(Path(folder))
        return real(folder, *args, **kw)

    monkeypatch.setattr(load, "read_records", counting)
    return seen


def _load(folders, cache_dir, **kw):
    return load_stations(folders, today=TODAY, cache_dir=cache_dir, workers=1, **kw)


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(p for p in cache_dir.iterdir() if not p.name.startswith("."))


def _same_as_fresh(run) -> None:
    fresh = check_folder(run.folder, TODAY)
    assert run.outcome.records == fresh.records
    assert run.outcome.problems == fresh.problems
    assert run.outcome.unreadable == fresh.unreadable
    assert run.info == station(fresh.records, TODAY)


def test_unchanged_station_comes_from_the_cache_unread(network, tmp_path, reads):
    cache_dir = tmp_path / "cache"
    first = _load(network, cache_dir)
    assert reads == network
    assert len(_entries(cache_dir)) == 3
    assert [r.outcome.from_cache for r in first] == [False, False, False]
    reads.clear()
    second = _load(network, cache_dir)
    assert reads == []  # not one station read again
    assert [r.key for r in second] == ["甲镇", "乙镇", "丙镇"]
    for run, before in zip(second, first):
        assert isinstance(run.outcome, CachedOutcome) and run.outcome.from_cache
        assert not run.outcome.loaded  # the records stay on disk until a step asks for them
        assert run.outcome.problems == before.outcome.problems
        assert run.outcome.exit_code == before.outcome.exit_code
        assert run.info == before.info
        assert run.tables == before.tables and run.tables.parent.parent == cache_dir
    assert [r.counted for r in second] == [True, True, False]
    assert [(p.sheet, p.cell, p.code) for p in second[2].outcome.problems if p.is_error] == BAD


def test_result_from_the_cache_equals_a_fresh_load(network, tmp_path):
    cache_dir = tmp_path / "cache"
    _load(network, cache_dir)
    cached = _load(network, cache_dir)
    # the cached tables are what the store gets from a fresh export, without any records
    uncached = load_stations(network, today=TODAY, workers=1)
    assert [r.tables for r in uncached] == [None, None, None]
    query = "SELECT station, row, archive_no, item, person_id, period, amount FROM payouts ORDER BY ALL"
    with store_for(uncached) as fresh, store_for(cached) as from_cache:
        assert from_cache.sql(query).fetchall() == fresh.sql(query).fetchall()
        assert len(fresh.sql(query).fetchall()) == 6
    assert not any(r.outcome.loaded for r in cached)
    for run in cached:
        _same_as_fresh(run)
        assert run.outcome == check_folder(run.folder, TODAY)
        assert run.outcome.loaded


def test_one_edited_cell_is_a_miss_for_that_station_only(network, tmp_path, reads):
    cache_dir = tmp_path / "cache"
    _load(network, cache_dir)
    data = station_data()
    data[AID][PAYOUTS][0]["金额"] = 400
    write_station(network[1], data)  # 乙镇's clerk changes one amount
    reads.clear()
    runs = _load(network, cache_dir)
    assert reads == [network[1]]
    assert runs[1].outcome.records.payouts[0].amount == 400
    assert runs[0].outcome.records.payouts[0].amount == 300
    _same_as_fresh(runs[1])
    # the superseded entry of 乙镇 is pruned; one entry per station remains
    assert len(_entries(cache_dir)) == 3
    reads.clear()
    _load(network, cache_dir)
    assert reads == []


@pytest.mark.parametrize("damage", ["head truncated", "records flipped", "table appended", "table missing",
                                    "head of another key", "empty files"])
def test_a_corrupt_entry_is_a_miss_and_is_replaced(network, tmp_path, reads, damage):
    cache_dir = tmp_path / "cache"
    _load(network[:1], cache_dir)
    (entry,) = _entries(cache_dir)
    head, records = entry / HEAD, entry / RECORDS
    table = sorted((entry / TABLES).iterdir())[0]
    if damage == "head truncated":
        head.write_bytes(head.read_bytes()[:-10])
    elif damage == "records flipped":
        data = bytearray(records.read_bytes())
        data[len(data) // 2] ^= 0xFF
        records.write_bytes(bytes(data))
    elif damage == "table appended":
        with open(table, "ab") as fh:
            fh.write(b"\0")
    elif damage == "table missing":
        table.unlink()
    elif damage == "head of another key":
        other = tmp_path / "other-cache"
        _load([network[1]], other)
        head.write_bytes((_entries(other)[0] / HEAD).read_bytes())
    else:
        for path in (head, records):
            path.write_bytes(b"")
    reads.clear()
    (run,) = _load(network[:1], cache_dir)
    assert reads == [network[0]]  # read again, cleanly
    _same_as_fresh(run)
    reads.clear()
    (again,) = _load(network[:1], cache_dir)
    assert reads == []  # the entry was replaced by a good one
    _same_as_fresh(again)


def test_two_merges_writing_one_entry_keep_one(network, tmp_path):
    cache = StationCache(tmp_path / "cache")
    read = read_records(network[2])
    outcome = check_read(read, TODAY)
    info = station(outcome.records, TODAY)
    key = station_key(network[2])
    first = cache.put(key, network[2], read, outcome, info, TODAY)
    second = cache.put(key, network[2], read, outcome, info, TODAY)  # as a second merge would, meanwhile
    assert second.path == first.path and sorted(cache.root.iterdir()) == [first.path]
    entry = cache.get(key, TODAY)
    assert entry.checked == (outcome.problems, info) and [(p.sheet, p.cell, p.code) for p in outcome.problems] == BAD
    assert entry.records() == read.records


def test_records_damaged_after_the_entry_was_checked_are_read_again(network, tmp_path):
    cache_dir = tmp_path / "cache"
    _load(network[:1], cache_dir)
    (run,) = _load(network[:1], cache_dir)
    (_entries(cache_dir)[0] / RECORDS).write_bytes(b"not a pickle")
    assert run.outcome.records == check_folder(network[0], TODAY).records


def test_parallel_load_equals_sequential_load(network, tmp_path):
    folders = [*network, tmp_path / "无此文件夹", network[0]]  # a missing folder; a name used twice
    sequential = load_stations(folders, today=TODAY, workers=1)
    parallel = load_stations(folders, today=TODAY, workers=2)
    assert [r.key for r in parallel] == ["甲镇", "乙镇", "丙镇", "无此文件夹", "甲镇-2"]
    assert [r.key for r in parallel] == [r.key for r in sequential]
    for p, s in zip(parallel, sequential):
        assert p.folder == s.folder
        assert p.outcome == s.outcome
        assert p.info == s.info
    assert [p.code for p in parallel[3].outcome.problems] == ["folder-missing"]
    # parallel through the cache gives the same, and a second run reads nothing
    cache_dir = tmp_path / "cache"
    cold = load_stations(folders, today=TODAY, cache_dir=cache_dir, workers=2)
    warm = load_stations(folders, today=TODAY, cache_dir=cache_dir, workers=2)
    assert [isinstance(w.outcome, CachedOutcome) for w in warm] == [True, True, True, False, True]
    assert not any(w.outcome.loaded for w in warm if isinstance(w.outcome, CachedOutcome))
    for c, w, s in zip(cold, warm, sequential):
        assert c.outcome == s.outcome and w.outcome == s.outcome and w.info == s.info


def test_a_station_that_fails_to_read_is_a_problem_and_the_others_go_on(network, tmp_path, monkeypatch):
    real = load.read_records

    def failing(folder, *args, **kw):
        if Path(folder).name == "乙镇":
            raise MemoryError("out of memory")
        return real(folder, *args, **kw)

    monkeypatch.setattr(load, "read_records", failing)
    runs = _load(network, tmp_path / "cache")
    assert [r.counted for r in runs] == [True, False, False]
    (p,) = runs[1].outcome.problems
    assert (p.code, p.severity, p.file, p.sheet, p.cell) == ("network-station-failed", "error", str(network[1]), "", "")
    assert "MemoryError：out of memory" in p.message and "其他各站照常汇总" in p.message
    assert runs[1].outcome.unreadable
    assert len(_entries(tmp_path / "cache")) == 2  # a failure is never cached
    _same_as_fresh(runs[0])


class _KillsItsWorker(type(Path())):
    """A station folder whose worker process ends the moment it receives it, as a process
    killed for want of memory would."""

    def __reduce__(self):
        return (os._exit, (3,))


@pytest.mark.slow
def test_a_station_that_kills_its_worker_process_fails_alone(network):
    jobs = [(folder, TODAY) for folder in (network[0], _KillsItsWorker(network[1]), network[2], network[0])]
    results = dict(load._run_all(jobs, 2))
    assert sorted(results) == [0, 1, 2, 3]
    (p,) = results[1].outcome.problems
    assert (p.code, p.file) == ("network-station-failed", str(network[1]))
    assert "BrokenProcessPool" in p.message
    for n in (0, 2, 3):
        assert results[n].outcome == check_folder(jobs[n][0], TODAY)


def test_an_unreadable_station_is_not_cached(network, tmp_path, reads):
    book = network[0] / "帮扶资金.xlsx"
    book.write_bytes(book.read_bytes()[:300])  # cut off
    cache_dir = tmp_path / "cache"
    runs = _load(network[:1], cache_dir)
    assert runs[0].outcome.unreadable and [p.code for p in runs[0].outcome.problems] == ["file-corrupt"]
    assert not cache_dir.exists() or _entries(cache_dir) == []
    reads.clear()
    _load(network[:1], cache_dir)
    assert reads == [network[0]]


def test_the_key_covers_the_folder_listing_and_the_contents(network, tmp_path):
    key = station_key(network[0])
    assert station_key(network[0]) == key
    lock = network[0] / "~$帮扶记录.xlsx"
    lock.write_bytes(b"")  # Excel has a workbook open: a warning of its own
    assert station_key(network[0]) != key
    lock.unlink()
    assert station_key(network[0]) == key
    os.utime(network[0] / AID, (1, 1))  # a new time alone changes nothing
    assert station_key(network[0]) == key
    with open(network[0] / AID, "ab") as fh:
        fh.write(b"\0")
    assert station_key(network[0]) != key
    copy = tmp_path / "copy"
    write_station(copy)
    assert station_key(copy) != station_key(network[1])  # its own path


def test_another_day_checks_the_cached_records_again_without_reading(network, tmp_path, reads):
    cache_dir = tmp_path / "cache"
    _load(network, cache_dir)
    later = TODAY + timedelta(days=400)  # reviews are overdue by then
    reads.clear()
    runs = load_stations(network, today=later, cache_dir=cache_dir, workers=1)
    assert reads == []  # the workbooks were not read again
    for run in runs:
        assert run.outcome.from_cache and not run.outcome.loaded
        fresh = check_folder(run.folder, later)
        assert run.outcome.problems == fresh.problems
        assert run.info == station(fresh.records, later)
    assert [(p.sheet, p.cell, p.code) for p in runs[0].outcome.problems] == [
        ("困难职工", "AK2", "review-overdue"), ("困难职工", "AK3", "review-overdue"),
        ("调休安排", "", "calendar-next-year")]
    assert sorted(p.name for p in runs[0].tables.parent.glob("day-*")) == \
        [f"day-{TODAY.isoformat()}.pickle", f"day-{later.isoformat()}.pickle"]
    # a damaged day file is checked again, still without reading
    day = runs[0].tables.parent / f"day-{later.isoformat()}.pickle"
    day.write_bytes(day.read_bytes()[:-1])
    (again, *_) = load_stations(network, today=later, cache_dir=cache_dir, workers=1)
    assert reads == [] and again.outcome.problems == runs[0].outcome.problems


def test_prune_removes_old_and_superseded_entries_only(network, tmp_path):
    cache_dir = tmp_path / "cache"
    runs = _load(network, cache_dir)
    kept = _entries(cache_dir)
    assert kept == sorted(r.tables.parent for r in runs)
    foreign = cache_dir / "notes"  # never made by the cache: never removed
    foreign.mkdir()
    old_scratch = cache_dir / ".part-0123456789abcdef-1-abcd"  # left by a merge that was stopped
    old_scratch.mkdir()
    os.utime(old_scratch, (time.time() - 7200, time.time() - 7200))
    # a merge of 甲镇 alone keeps the other stations' entries (for a week)
    load_stations(network[:1], today=TODAY, cache_dir=cache_dir, workers=1)
    assert _entries(cache_dir) == sorted([*kept, foreign])
    assert not old_scratch.exists()
    # entries nobody used for 8 days go, except those this merge used
    cache = StationCache(cache_dir)
    assert cache.get(runs[0].tables.parent.name, TODAY) is not None
    removed = cache.prune(network[:1], now=time.time() + 8 * 86400)
    assert sorted(removed) == sorted(r.tables.parent.name for r in runs[1:])
    assert _entries(cache_dir) == sorted([runs[0].tables.parent, foreign])


def test_progress_counts_every_station(network, tmp_path):
    seen: list[tuple[int, int]] = []
    _load(network, tmp_path / "cache", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    seen.clear()
    _load(network, tmp_path / "cache", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
