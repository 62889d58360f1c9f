"""Load every station of a network: check each folder exactly as `bangfu check` does.

    runs = load_stations([Path("甲镇/records"), Path("乙镇/records")], today=date(2026, 11, 23),
                         cache_dir=places.network_cache_dir(county), workers=None, progress=None)

Stations are read and checked in worker processes (`workers`, default every core), and the
result keeps the order given. With `cache_dir`, each station read is kept in the cache
(cache.py) under its workbooks' content hash with its tables for the DuckDB store and its
checked outcome on `today`; an unchanged station is then neither read nor exported again
(nor checked again on the same day): its problems come from the cache at once and its
records only if a later step asks for them (`CachedOutcome`).
A station whose reading fails in a way `bangfu check` does not report (a program fault, a
worker process that died) becomes a problem of that station (network-station-failed),
never a traceback; the other stations go on. `progress(done, total)` is called as stations
finish.

Each station gets a key unique within the network: its folder's name (the folder above a
folder called `records`, since every station's records folder may be called that), with
-2, -3 … added on a clash, in the order given. The result keeps that order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..pipeline import CheckOutcome, check_read
from ..problems import problem
from ..reading import read_records
from ..records import Records
from ..station import StationInfo, station
from .cache import CacheCorrupt, CachedOutcome, Entry, StationCache, program_fingerprint, station_key
from .model import StationRun

# A worker process costs about as much to start as reading two stations: a network this
# small per worker is read in this process.
MIN_PER_WORKER = 2

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"network-station-failed"})

RECORDS_NAMES = ("records",)  # a folder name that says nothing about whose records these are


def station_name(folder: Path) -> str:
    """The name a station folder goes by: its own name, or its parent's for `…/甲镇/records`."""
    folder = Path(folder).resolve()
    if folder.name.lower() in RECORDS_NAMES and folder.parent.name:
        return folder.parent.name
    return folder.name or str(folder)


def station_keys(folders: list[Path]) -> list[str]:
    """One key per folder, unique: a repeated name gets -2, -3 … in order of appearance."""
    keys: list[str] = []
    taken: set[str] = set()
    for folder in folders:
        base = station_name(folder)
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}-{n}"
        taken.add(key)
        keys.append(key)
    return keys


def load_stations(folders: list[Path], *, today: date, cache_dir: Path | None = None,
                  workers: int | None = None, progress: Progress | None = None) -> list[StationRun]:
    """Read and check each station folder (in parallel, through the cache), in the order given."""
    folders = [Path(f) for f in folders]
    keys = station_keys(folders)
    cache = StationCache(cache_dir) if cache_dir is not None else None
    program = program_fingerprint() if cache is not None else None
    runs: list[StationRun | None] = [None] * len(folders)
    todo: list[tuple[int, str | None, Entry | None]] = []  # (index, cache key, entry read but unchecked)
    done = 0
    for i, folder in enumerate(folders):
        cache_key = _cache_key(folder, program) if cache is not None else None
        entry = cache.get(cache_key, today) if cache is not None and cache_key is not None else None
        if entry is None or entry.checked is None:
            todo.append((i, cache_key, entry))
            continue
        runs[i] = _from_entry(keys[i], folder, entry)
        done += 1
        if progress is not None:
            progress(done, len(folders))
    cache_root = cache.root if cache is not None else None
    jobs = [(folders[i], today, cache_root, k, program, entry) for i, k, entry in todo]
    for n, result in _run_all(jobs, workers):
        i = todo[n][0]
        runs[i] = _to_run(keys[i], folders[i], result, today)
        if cache is not None and result.entry is not None:
            cache.used.add(result.entry.key)
        done += 1
        if progress is not None:
            progress(done, len(folders))
    if cache is not None:
        cache.prune(folders)
    return [r for r in runs if r is not None]


Progress = Callable[[int, int], object]


@dataclass
class _Result:
    """What a worker sends back: a cache entry (small), or the whole outcome when uncached."""
    entry: Entry | None = None
    outcome: CheckOutcome | None = None
    info: StationInfo | None = None


def _cache_key(folder: Path, program: str | None) -> str | None:
    try:
        return station_key(folder, program)
    except OSError:
        return None  # not a folder we can list: read (and report) it, uncached


def check_station(folder: Path, today: date, cache_root: Path | None = None, cache_key: str | None = None,
                  program: str | None = None, entry: Entry | None = None) -> _Result:
    """Read and check one station (in a worker process). With a cache, keep its entry there
    (when the folder did not change while it was read); with `entry` (read before, not yet
    checked on `today`), check its cached records instead of reading the workbooks."""
    folder = Path(folder)
    try:
        read = None
        if entry is not None:
            try:
                read = entry.read_result()
            except CacheCorrupt:
                entry = None
        if read is None:
            read = read_records(folder)
        outcome = check_read(read, today)
        info = station(outcome.records, today)
    except Exception as err:  # noqa: BLE001 - a fault of the program, never of the clerk's data
        return _Result(outcome=failed_outcome(folder, err))
    if cache_root is not None and cache_key is not None and not outcome.unreadable:
        cache = StationCache(cache_root)
        try:
            if entry is not None:
                return _Result(entry=cache.put_day(entry, today, outcome, info))
            if _cache_key(folder, program) == cache_key:  # unchanged while it was read
                return _Result(entry=cache.put(cache_key, folder, read, outcome, info, today))
        except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
            pass
    return _Result(outcome=outcome, info=info)


def failed_outcome(folder: Path, err: BaseException) -> CheckOutcome:
    """The outcome of a station whose reading failed unexpectedly: one problem, no records."""
    detail = type(err).__name__ + (f"：{err}" if str(err) else "")
    return CheckOutcome(Records(folder=folder), [problem("network-station-failed", file=str(folder),
                                                         detail=detail[:200])], unreadable=True)


def _run_all(jobs: list[tuple], workers: int | None) -> Iterator[tuple[int, _Result]]:
    """(index in jobs, result) as each station finishes. With one worker (or fewer than
    MIN_PER_WORKER stations for each), or where no worker process can be started at all, in
    this process. Stations whose worker process died (a workbook that exhausts memory, a
    crash in a reader) are retried each in a process of its own, so that the station that
    kills its process fails alone, as a problem."""
    workers = min(workers or os.cpu_count() or 1, len(jobs) // MIN_PER_WORKER)
    finished: set[int] = set()
    retry: list[int] = []
    if workers > 1:
        try:
            with ProcessPoolExecutor(workers, mp_context=_context()) as pool:
                futures = {pool.submit(check_station, *job): n for n, job in enumerate(jobs)}
                for future in as_completed(futures):
                    n = futures[future]
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        retry.append(n)
                        continue
                    except Exception as err:  # noqa: BLE001 - e.g. a result that could not be sent back
                        result = _Result(outcome=failed_outcome(jobs[n][0], err))
                    finished.add(n)
                    yield n, result
        except (OSError, RuntimeError, NotImplementedError):  # no process could be started here
            retry = []
    for n in sorted(retry):
        try:
            with ProcessPoolExecutor(1, mp_context=_context()) as pool:
                result = pool.submit(check_station, *jobs[n]).result()
        except Exception as err:  # noqa: BLE001 - the station's process died again
            result = _Result(outcome=failed_outcome(jobs[n][0], err))
        finished.add(n)
        yield n, result
    for n, job in enumerate(jobs):
        if n not in finished:
            yield n, check_station(*job)


def _context():
    """Worker processes start from a clean interpreter, as on Windows (spawn): never a fork
    of a parent that may hold DuckDB's threads; and their CPU time is the parent's to count."""
    return multiprocessing.get_context("spawn")


def _from_entry(key: str, folder: Path, entry: Entry) -> StationRun:
    def reread() -> Records:
        return read_records(folder).records

    problems, info = entry.checked
    outcome = CachedOutcome(problems, False, entry.records, reread, from_cache=entry.hit)
    return StationRun(key=key, folder=folder, outcome=outcome, info=info, tables=entry.tables)


def _to_run(key: str, folder: Path, result: _Result, today: date) -> StationRun:
    if result.entry is not None:
        return _from_entry(key, folder, result.entry)
    outcome = result.outcome
    info = result.info if result.info is not None else station(outcome.records, today)
    return StationRun(key=key, folder=folder, outcome=outcome, info=info)
