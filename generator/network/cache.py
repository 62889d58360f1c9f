"""The merge's per-station cache: an unchanged station is neither read nor re-exported.

    cache = StationCache(places.network_cache_dir(county_folder))
    key = station_key(folder)                  # the workbooks' content hash and all else
    entry = cache.get(key, today)              # a verified entry, or None (a miss)
    entry.checked                              # its problems and StationInfo on `today`, or None

One entry per station content (and program), a folder named by its key:
    head.pickle     the key, what reading found (problems, from the reader), the digests
                    of the records and table files
    records.pickle  the parsed records (loaded only when something asks for them)
    tables/         the station's tables for the DuckDB store (store.write_station_tables)
    day-YYYY-MM-DD.pickle  the checked outcome on that date: every problem and the StationInfo
    folder.txt      the station folder it was made from (for pruning)

Reading does not depend on the date; the checks do (deadlines, disclosure periods), so the
checked outcome is kept per date beside the records it was checked from: a merge on another
day re-checks an unchanged station from its cached records (about a third of the work),
without reading its workbooks or writing its tables again.

The key covers everything reading depends on: the content of every file a workbook may be
read from, the names in the folder (a lock file ~$… or a stray workbook is a problem), the
folder's own path (records and problems carry it), the program (every source and data
file of the generator package, the store's table format) and the versions of Python and
the libraries it uses; a day file adds the date.

Nothing in an entry is trusted blindly: the head and every day file start with a magic
line and the SHA-256 of their pickle, and name their key (and date); the records and every
table file are checked against the digests in the head. Any mismatch, unreadable or
truncated file is a miss (the station is read again and its entry replaced). Entries are
written into a scratch folder and renamed into place, day files written beside and renamed,
so a stopped merge leaves no half entry. Pickle runs the code its data names, so this cache
must live where only this user writes: the merge's own work folder. An unreadable station
(a workbook open in Excel, a missing file) is never cached: closing Excel changes nothing
in the files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..gcpause import gc_paused
from ..pipeline import CheckOutcome
from ..problems import Problem
from ..reading import ReadResult, input_files
from ..records import Records, pickle_reducers
from ..station import StationInfo
from . import store

FORMAT = b"bangfu-station-cache 1\n"  # bump when an entry's layout changes
HEAD = "head.pickle"
RECORDS = "records.pickle"
TABLES = "tables"
FOLDER_NOTE = "folder.txt"
DAY = "day-"
SCRATCH = ".part-"
KEEP_DAYS = 7  # an entry nobody used for this long is removed
SCRATCH_HOURS = 1  # a scratch folder this old belongs to a merge that was stopped

CODE_ROOT = Path(__file__).resolve().parent.parent  # the generator package
LIBRARIES = ("python-calamine", "openpyxl", "defusedxml", "chinesecalendar", "duckdb")


# --- keys --------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def program_fingerprint() -> str:
    """The program that reads and checks: its sources and data, Python, the libraries."""
    h = hashlib.sha256(FORMAT + f"{sys.version}|{store.FORMAT_VERSION}|".encode())
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{name}={version}|".encode())
    paths = [p for p in CODE_ROOT.rglob("*") if p.is_file() and "__pycache__" not in p.parts
             and (p.suffix == ".py" or "data" in p.relative_to(CODE_ROOT).parts)]
    for path in sorted(paths):
        h.update(path.relative_to(CODE_ROOT).as_posix().encode("utf-8") + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def station_key(folder: Path, program: str | None = None) -> str:
    """The cache key of what reading one station folder gives (see the module docstring).
    Raises OSError when the folder cannot be listed (the caller reads it uncached)."""
    folder = Path(folder).resolve()
    h = hashlib.sha256(f"{program or program_fingerprint()}|{folder}\0".encode("utf-8", "surrogatepass"))
    with os.scandir(folder) as entries:
        listing = sorted((e.name, e.is_file()) for e in entries)
    for name, is_file in listing:
        h.update(f"{name}|{is_file}\0".encode("utf-8", "surrogatepass"))
    for path in input_files(folder):
        h.update(path.name.encode("utf-8") + b"\0")
        try:
            with open(path, "rb") as fh:
                h.update(hashlib.file_digest(fh, "sha256").digest())
        except FileNotFoundError:
            h.update(b"<missing>")
    return h.hexdigest()


# --- fast, exact pickles of records ------------------------------------------------------
_REDUCERS = pickle_reducers(Records)


def _dumps(value) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    return buffer.getvalue()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _sealed(value) -> bytes:
    """A pickle behind the magic line and its digest."""
    data = _dumps(value)
    return FORMAT + _digest(data).encode("ascii") + b"\n" + data


def _unseal(data: bytes):
    """The value of a `_sealed` pickle; ValueError when anything does not match."""
    if not data.startswith(FORMAT):
        raise ValueError("not a file of this format")
    digest, payload = data[len(FORMAT):len(FORMAT) + 64], data[len(FORMAT) + 65:]
    if digest.decode("ascii") != _digest(payload):
        raise ValueError("content does not match its digest")
    with gc_paused():
        return pickle.loads(payload)


def _day_file(today: date) -> str:
    return f"{DAY}{today.isoformat()}.pickle"


def _ours(name: str) -> bool:
    """A name this cache gives its folders: a key (64 hex digits) or a scratch folder."""
    key = name[len(SCRATCH):].split("-")[0] if name.startswith(SCRATCH) else name
    return len(key) in (16, 64) and all(c in "0123456789abcdef" for c in key) and \
        (name.startswith(SCRATCH) or len(key) == 64)


# --- entries -----------------------------------------------------------------------------
class CacheCorrupt(Exception):
    """An entry's records file no longer matches its head (changed after it was checked)."""


@dataclass(frozen=True)
class RecordsFile:
    """A station's records in the cache, loaded (and verified) when called."""
    path: Path
    digest: str

    def __call__(self) -> Records:
        try:
            data = self.path.read_bytes()
        except OSError as err:
            raise CacheCorrupt(str(self.path)) from err
        if _digest(data) != self.digest:
            raise CacheCorrupt(str(self.path))
        try:
            with gc_paused():
                records = pickle.loads(data)
        except Exception as err:  # any unpickling fault: the entry is unusable
            raise CacheCorrupt(str(self.path)) from err
        if not isinstance(records, Records):
            raise CacheCorrupt(str(self.path))
        return records


@dataclass
class Entry:
    """A verified cache entry: what reading found at once, the records on demand, and the
    checked outcome on the day asked for (None until the station is checked on that day)."""
    key: str
    path: Path
    read_problems: list[Problem]  # what the reader found (the checks' problems come on top)
    records: RecordsFile
    tables: Path | None  # the station's store tables, None when the entry has none
    checked: tuple[list[Problem], StationInfo] | None = None  # on the day asked for
    hit: bool = False  # True when it came from the cache, False when this merge wrote it

    def read_result(self) -> ReadResult:
        """What reading the station gave, for checking it on another day."""
        return ReadResult(self.records(), list(self.read_problems), False)


class CachedOutcome(CheckOutcome):
    """A `CheckOutcome` whose records are read from the cache on first use.

    The network's figures come from the DuckDB store, so a merge with 499 unchanged
    stations never needs their records in memory; a step that does gets them here.
    `reread` is called instead when the cached records turn out to be unusable."""

    def __init__(self, problems: list[Problem], unreadable: bool, load: Callable[[], Records],
                 reread: Callable[[], Records], from_cache: bool = True):
        self.problems = problems
        self.unreadable = unreadable
        self.from_cache = from_cache  # False: read by this merge (and then kept in the cache)
        self._load, self._reread = load, reread
        self._records: Records | None = None

    @property
    def records(self) -> Records:
        if self._records is None:
            try:
                self._records = self._load()
            except CacheCorrupt:
                self._records = self._reread()
        return self._records

    @records.setter
    def records(self, value: Records) -> None:
        self._records = value

    @property
    def loaded(self) -> bool:
        """Whether the records were asked for (and so read from the cache)."""
        return self._records is not None

    def __eq__(self, other):
        if not isinstance(other, CheckOutcome):
            return NotImplemented
        return (self.records, self.problems, self.unreadable) == (other.records, other.problems, other.unreadable)

    __hash__ = None

    def __repr__(self) -> str:
        return f"CachedOutcome(problems={len(self.problems)}, unreadable={self.unreadable})"

    def __reduce__(self):  # sent to another process: as a plain outcome
        return (CheckOutcome, (self.records, self.problems, self.unreadable))


@dataclass
class StationCache:
    root: Path
    used: set[str] = field(default_factory=set)  # keys read or written through this object

    def __post_init__(self):
        self.root = Path(self.root)

    def get(self, key: str, today: date) -> Entry | None:
        """The verified entry for `key` with its checked outcome on `today` when there is one,
        or None: missing, unreadable or not matching."""
        path = self.root / key
        try:
            entry = self._verify(key, path)
        except Exception:  # noqa: BLE001 - whatever is wrong with an entry, it is a miss
            return None
        try:
            day = _unseal((path / _day_file(today)).read_bytes())
            if day["key"] != key or day["today"] != today:
                raise ValueError("day file of another entry or date")
            problems, info = day["problems"], day["info"]
            if not isinstance(info, StationInfo) or not all(isinstance(p, Problem) for p in problems):
                raise ValueError("unexpected content")
            entry.checked = (problems, info)
        except Exception:  # noqa: BLE001 - not checked on this day (or unusable): check again
            entry.checked = None
        self.used.add(key)
        for touched in (path, path / _day_file(today)):
            try:
                os.utime(touched)  # its last use, for pruning
            except OSError:
                pass
        return entry

    def _verify(self, key: str, path: Path) -> Entry:
        head = _unseal((path / HEAD).read_bytes())
        if head["key"] != key:
            raise ValueError("entry of another key")
        records = RecordsFile(path / RECORDS, head["records"])
        if (path / RECORDS).stat().st_size != head["records_size"] or _file_digest(path / RECORDS) != head["records"]:
            raise ValueError("records file changed")
        tables = None
        if head["tables"] is not None:
            tables = path / TABLES
            found = sorted(p.name for p in tables.iterdir())
            if found != sorted(head["tables"]):
                raise ValueError("table files changed")
            for name, expected in head["tables"].items():
                if _file_digest(tables / name) != expected:
                    raise ValueError(f"table file {name} changed")
        problems = head["read_problems"]
        if not all(isinstance(p, Problem) for p in problems):
            raise ValueError("unexpected content")
        return Entry(key, path, problems, records, tables, hit=True)

    def put(self, key: str, folder: Path, read: ReadResult, outcome: CheckOutcome, info: StationInfo,
            today: date, write_tables: Callable[[Records, Path], object] | None = store.write_station_tables) -> Entry:
        """Write the entry for `key` (replacing any old one) with its outcome on `today`, and
        return it. Raises OSError when the cache cannot be written (the caller goes on without)."""
        self.root.mkdir(parents=True, exist_ok=True)
        scratch = self.root / f"{SCRATCH}{key[:16]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        scratch.mkdir()
        try:
            records = _dumps(read.records)
            _write(scratch / RECORDS, records)
            tables = None
            if write_tables is not None:
                write_tables(read.records, scratch / TABLES)
                tables = {p.name: _file_digest(p) for p in sorted((scratch / TABLES).iterdir())}
            _write(scratch / HEAD, _sealed({"key": key, "folder": str(folder), "read_problems": list(read.problems),
                                           "records": _digest(records), "records_size": len(records),
                                           "tables": tables, "written": time.time()}))
            self._write_day(scratch, key, today, outcome, info)
            (scratch / FOLDER_NOTE).write_text(str(Path(folder).resolve()), encoding="utf-8")
            target = self.root / key
            try:
                os.rename(scratch, target)
            except OSError:
                if not target.exists():
                    raise
                try:  # another process wrote this entry meanwhile: keep it, with this day's outcome
                    existing = self._verify(key, target)
                except Exception:  # noqa: BLE001 - an entry that failed verification: replaced
                    shutil.rmtree(target, ignore_errors=True)
                    os.rename(scratch, target)
                else:
                    shutil.rmtree(scratch, ignore_errors=True)
                    self.used.add(key)
                    return self.put_day(dataclasses.replace(existing, hit=False), today, outcome, info)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        self.used.add(key)
        return Entry(key, target, list(read.problems), RecordsFile(target / RECORDS, _digest(records)),
                     target / TABLES if tables is not None else None, checked=(list(outcome.problems), info))

    def put_day(self, entry: Entry, today: date, outcome: CheckOutcome, info: StationInfo) -> Entry:
        """Keep the outcome of checking `entry`'s records on `today`. Raises OSError."""
        self._write_day(entry.path, entry.key, today, outcome, info)
        self.used.add(entry.key)
        return dataclasses.replace(entry, checked=(list(outcome.problems), info))

    @staticmethod
    def _write_day(folder: Path, key: str, today: date, outcome: CheckOutcome, info: StationInfo) -> None:
        name = _day_file(today)
        scratch = folder / f"{SCRATCH}{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            _write(scratch, _sealed({"key": key, "today": today, "problems": list(outcome.problems), "info": info}))
            os.replace(scratch, folder / name)
        except BaseException:
            scratch.unlink(missing_ok=True)
            raise

    def prune(self, folders: Iterable[Path], *, keep_days: float = KEEP_DAYS, now: float | None = None) -> list[str]:
        """Remove entries not used by this merge that are superseded (made from one of
        `folders`, whose content has changed since) or unused for `keep_days`, and scratch
        folders of stopped merges. Returns the names removed. Never raises."""
        now = time.time() if now is None else now
        ours = {str(Path(f).resolve()) for f in folders}
        removed: list[str] = []
        try:
            children = list(self.root.iterdir())
        except OSError:
            return removed
        for path in children:
            name = path.name
            if not _ours(name) or path.is_symlink() or not path.is_dir():
                continue  # only folders this cache made are ever removed
            try:
                age = now - path.stat().st_mtime
                if name.startswith(SCRATCH):
                    stale = age > SCRATCH_HOURS * 3600
                elif name in self.used:
                    self._prune_days(path, now, keep_days)
                    continue
                else:
                    try:
                        made_from = (path / FOLDER_NOTE).read_text(encoding="utf-8")
                    except (OSError, UnicodeDecodeError):
                        made_from = None
                    stale = made_from in ours or made_from is None or age > keep_days * 86400
            except OSError:
                continue
            if stale:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(name)
        return removed

    @staticmethod
    def _prune_days(entry: Path, now: float, keep_days: float) -> None:
        """An entry in use keeps the day files used within `keep_days`."""
        for day in entry.glob(f"*{DAY}*.pickle*"):
            try:
                limit = SCRATCH_HOURS * 3600 if day.name.startswith(SCRATCH) else keep_days * 86400
                if now - day.stat().st_mtime > limit:
                    day.unlink()
            except OSError:
                pass
