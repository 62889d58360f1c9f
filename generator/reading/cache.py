"""Parsed workbooks kept in memory between reads of a records folder (`bangfu serve`, and any
caller that reads the same folder again): a workbook whose file did not change is not parsed
again; its tables, the place of each sheet and its problems are reused.

    cache = ReadCache()
    read_records(folder, cache=cache)      # parses all four workbooks
    read_records(folder, cache=cache)      # parses none: nothing changed
    # the clerk saves 帮扶记录.xlsx
    read_records(folder, cache=cache)      # parses only 帮扶记录.xlsx
    cache.parsed                           # names of the files parsed, in order

A workbook is known by its fingerprint: identity, size and modification time (ns) of every
file it may be read from (.xlsx, .xls, .ods). A content digest confirms it: a file whose time
changed but whose bytes did not (saved again unchanged, copied back) is not parsed again, and
a small file (up to CONFIRM_BYTES) is hashed even when its time is unchanged, since a coarse
clock (FAT, network shares) can give two saves within a second the same time and size.

With a `store` folder (`bangfu build` passes one in its work folder, `.bangfu/read-<site>/`),
each parsed book is also kept on disk, so the next build (a new process) parses only the
workbook the clerk saved: a small header (program, reader versions, the book's name, stamp
and digest) is read first, and the book's rows are unpickled only when the header matches
(a copied folder has other stamps, so its books are known by their digest). Each table is
kept in a file of its own, named by the table's digest, as one class and a tuple of field values
per record (a quarter of the time of unpickling each record through its class); a book stored
again after one edited sheet writes only that sheet's table and the small book entry.
The entries hold personal data (the records): they are written owner-only (0600) beside the
build's staging folders, never inside the site or the records folder. An unreadable, stale or
foreign entry is a miss: the book is parsed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from dataclasses import dataclass, field, fields, replace
from itertools import starmap
from operator import attrgetter
from pathlib import Path
from typing import Any

from .. import schema
from ..records import maker
from .xlsxfile import READABLE

CONFIRM_BYTES = 4 * 1024 * 1024  # hashing this much costs a few milliseconds


@dataclass
class Kept:
    """One parsed workbook: its fingerprint and what reading it produced."""
    stamp: tuple
    digest: str
    problems: list
    places: dict
    tables: dict  # sheet key -> list of records
    settings: Any = None  # the Settings record, for the book that holds them
    # table name ("settings" for the Settings) -> record_views.table_digest of it, worked out
    # once where the book was parsed: a restored book's tables are not hashed again
    digests: dict = field(default_factory=dict)
    # raw sheet name -> (content key (xlsxfile.sheet_keys), schema sheet key, the problems reading
    # the sheet's table gave): when the book's file changes, a sheet whose key did not is not
    # read again (reading._read_book). Only the sheets of tables (not settings) of an .xlsx.
    sheets: dict = field(default_factory=dict)
    # what sheet_keys learnt of the sheets' XML, by their stored bytes (xlsxfile.RawBook.memo)
    memo: dict = field(default_factory=dict)
    # raw sheet name -> (xlsxfile.SheetPieces, the header's row index, the problems of single
    # cells' values reading its table gave and their order keys (tables.SheetResult)): the next
    # read of a changed sheet reads only its changed pieces and takes the rest from here
    pieces: dict = field(default_factory=dict)
    # table name -> record_views.block_info of its digest (when worked out where the book was
    # parsed, or carried on with the same table): the next read of a sheet from its changed
    # pieces digests only the blocks of records that changed (record_views.seed)
    blocks: dict = field(default_factory=dict)


@dataclass
class ReadCache:
    """Parsed workbooks by path. Not thread-safe: one reader at a time (serve rebuilds in turn)."""
    kept: dict = field(default_factory=dict)  # str(path of the book) -> Kept
    parsed: list = field(default_factory=list)  # file names parsed through this cache, in order
    store: Path | None = None  # a folder keeping parsed books between processes (see module doc)
    write_store: bool = True  # False: the store is only read (a long-lived cache keeps books in memory)
    loaded: list = field(default_factory=list)  # file names taken from the store, in order
    # str(path of the book) -> what was kept of it before its file changed (lookup): the
    # sheets whose content did not change are taken from it (Kept.sheets)
    stale: dict = field(default_factory=dict)
    sheets_kept: list = field(default_factory=list)  # "file/sheet" of the sheets of a changed file not read again
    # "file/sheet" of the changed sheets read from their changed pieces only (RawSheet.partial)
    sheets_partial: list = field(default_factory=list)
    # names of the store's table files this cache wrote or loaded whole: kept as they are
    # when a book is stored again (any other is written anew, a damaged one included)
    sound: set = field(default_factory=set)
    # str(path of the book) -> (stamp, digest) of a book to be parsed, taken by lookup before the
    # parse: what keep files it under (a digest taken when it is kept, at the end of a build with
    # PDFs, could be of a file rewritten since with the same stamp)
    digested: dict = field(default_factory=dict)

    def clear(self) -> None:
        self.kept.clear()

    def lookup(self, folder: Path, book: schema.Book) -> tuple[Kept | None, tuple | None]:
        """(what was kept, when still true of the files; the book's current stamp). The stamp is
        None when none of the book's files exists (nothing to keep)."""
        stamp = book_stamp(folder, book)
        if stamp is None:
            return None, None
        where = str(folder / book.filename)
        self.stale.pop(where, None)
        self.digested.pop(where, None)
        kept = self.kept.get(where)
        stored = kept is None
        if stored:
            kept = self._from_store(folder, book, stamp)
            if kept is None:
                self.digested[where] = (stamp, _digest(folder, book))  # to be parsed: its digest now
                return None, stamp
        digest = None
        if not (kept.stamp == stamp and _largest(stamp) > CONFIRM_BYTES):
            digest = _digest(folder, book)
        if digest is None or digest == kept.digest:  # same bytes: a new time only, or a small file
            kept.stamp = stamp
            self.kept[where] = kept
            if stored:
                self.loaded.append(Path(book.filename).name)
            return kept, stamp
        self.kept.pop(where, None)
        self.stale[where] = kept
        self.digested[where] = (stamp, digest)
        return None, stamp

    def previous(self, folder: Path, book: schema.Book) -> Kept | None:
        """What was kept of the book before its file changed (after lookup said it changed)."""
        return self.stale.pop(str(folder / book.filename), None)

    def keep(self, folder: Path, book: schema.Book, stamp: tuple, kept: Kept) -> None:
        """Keep a parsed book, unless its files changed while it was being read. Its digest is
        the one lookup took before the parse, for the same stamp (`digested`), else taken now."""
        where = str(folder / book.filename)
        taken = self.digested.pop(where, None)
        kept.digest = taken[1] if taken is not None and taken[0] == stamp else _digest(folder, book)
        if book_stamp(folder, book) == stamp:
            self.kept[str(folder / book.filename)] = kept
            self._to_store(folder, book, kept)

    # --- the store on disk ------------------------------------------------------
    def _entry(self, folder: Path, book: schema.Book) -> Path:
        assert self.store is not None
        return self.store / f"{book.key}.pickle"

    def _from_store(self, folder: Path, book: schema.Book, stamp: tuple) -> Kept | None:
        """The book as the store last kept it (by this program), whatever its file holds now:
        lookup compares its stamp and digest with the file's."""
        if self.store is None:
            return None
        try:
            with open(self._entry(folder, book), "rb") as fh:
                header = pickle.load(fh)
                if not (isinstance(header, tuple) and len(header) == 4 and header[0] == _program()
                        and header[1] == book.filename):
                    return None
                # a stored book of a file that changed since is loaded too: lookup compares
                # the digest again and keeps it as the previous content (Kept.sheets)
                kept = pickle.load(fh)  # records come back through their class: see _dispatch
                files = pickle.load(fh)
            if not isinstance(kept, Kept) or kept.stamp != header[2] or kept.digest != header[3] \
                    or not isinstance(files, dict):
                return None
        except _UNREADABLE:
            return None
        for table, digest in files.items():
            rows = self._load_table(book, table, digest)
            if rows is None:
                return None
            kept.tables[table] = rows
        return kept

    def _to_store(self, folder: Path, book: schema.Book, kept: Kept) -> None:
        """Keep a freshly parsed book on disk; a store that cannot be written only costs a parse.
        Each table goes to a file of its own named by its digest (_table_file), written only
        when no file holds it yet: after one edited visit note, only the visits are written
        again, not the workers and their families. The book's entry names the files it uses;
        the files of its tables it no longer uses are then removed."""
        if self.store is None or not self.write_store:
            return
        try:
            self.store.mkdir(parents=True, exist_ok=True, mode=0o700)
            files: dict = {}
            inline: dict = {}
            for table, rows in kept.tables.items():
                digest = kept.digests.get(table)
                if not isinstance(digest, bytes):
                    inline[table] = rows
                    continue
                files[table] = digest.hex()
                path = self._table_file(book, table, files[table])
                if path.name not in self.sound:
                    _write(path, [(_program(), files[table]), _rows_out(rows)])
                    self.sound.add(path.name)
            header = (_program(), book.filename, kept.stamp, kept.digest)
            _write(self._entry(folder, book), [header, replace(kept, tables=inline), files])
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            return
        used = {self._table_file(book, table, digest).name for table, digest in files.items()}
        # (and any table file left half-written by a build that was stopped)
        for path in [*self.store.glob(f"{book.key}.*.pickle"), *self.store.glob(f"{book.key}.*.pickle.tmp")]:
            if path.name not in used:
                self.sound.discard(path.name)  # the same table again later (an edit undone) is written
                try:
                    path.unlink()
                except OSError:
                    pass

    def keep_keys(self, folder: Path, book: schema.Book, stamp: tuple, keys: tuple) -> None:
        """(In a child process) the sheet keys of a book another process parses, worked out of
        its file as `stamp` says it was when the read began, for that process (take_keys)."""
        if self.store is None or book_stamp(folder, book) != stamp:
            return
        try:
            self.store.mkdir(parents=True, exist_ok=True, mode=0o700)
            _write(self._keys_file(book), [(_program(), book.filename, stamp), keys])
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass

    def take_keys(self, folder: Path, book: schema.Book, stamp: tuple) -> tuple | None:
        """What keep_keys kept of the book, when its file is still as `stamp` says (and was so
        when the keys were worked out), or None. The file is removed."""
        if self.store is None:
            return None
        path = self._keys_file(book)
        try:
            with open(path, "rb") as fh:
                header, got = pickle.load(fh), pickle.load(fh)
        except _UNREADABLE:
            return None
        finally:
            try:
                path.unlink()
            except OSError:
                pass
        if header != (_program(), book.filename, stamp) or book_stamp(folder, book) != stamp:
            return None
        if not (isinstance(got, tuple) and len(got) == 3 and all(isinstance(g, dict) for g in got)):
            return None
        return got

    def _keys_file(self, book: schema.Book) -> Path:
        assert self.store is not None
        return self.store / f"keys-{book.key}.pickle"

    def _table_file(self, book: schema.Book, table: str, digest: str) -> Path:
        """The file of one table: named by its digest and the program (a file another program
        wrote is never taken for one this program would write)."""
        assert self.store is not None
        name = hashlib.blake2b(f"{_program()}|{digest}".encode(), digest_size=20).hexdigest()
        return self.store / f"{book.key}.{table}.{name}.pickle"

    def _load_table(self, book: schema.Book, table: str, digest: str) -> list | None:
        """The rows of a table file, or None; a damaged file is removed (to be written anew),
        unless the store is only read (`bangfu check` reading a build's store)."""
        path = self._table_file(book, table, digest)
        try:
            with open(path, "rb") as fh:
                if pickle.load(fh) == (_program(), digest):
                    rows = _rows_in(pickle.load(fh))
                    self.sound.add(path.name)
                    return rows
        except FileNotFoundError:
            return None
        except _UNREADABLE:
            pass
        if self.write_store:
            try:
                path.unlink()
            except OSError:
                pass
        return None


_UNREADABLE = (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError, KeyError,
               pickle.UnpicklingError)


def _write(path: Path, parts: list) -> None:
    """Pickle `parts` one after the other into `path`, owner-only, whole or not at all."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dispatch_table = _dispatch()
            for part in parts:
                pickler.dump(part)
                pickler.clear_memo()  # each part is loaded by its own pickle.load
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def _rows_out(rows: list):
    """A table as stored: records all of one class that `maker` builds come as (class, list
    of field tuples), several times faster to load than each record through its class;
    anything else as it is."""
    if rows and type(rows) is list:
        cls = type(rows[0])
        getter = _getter(cls)
        if getter is not None and all(type(r) is cls for r in rows):
            return ("rows-1", cls, list(map(getter, rows)))
    return ("as-is", rows)


def _rows_in(stored) -> list:
    if stored[0] == "rows-1":
        _, cls, values = stored
        if _getter(cls) is None:
            raise TypeError("not a record class")
        return list(starmap(maker(cls), values))
    if stored[0] == "as-is" and isinstance(stored[1], list):
        return stored[1]
    raise ValueError("unknown table form")


_GETTERS: dict = {}


def _getter(cls: type):
    """The field getter of a record class that `maker` builds from all its fields, else None."""
    if cls not in _GETTERS:
        from ..records import RECORD_CLASSES

        getter = None
        if cls in RECORD_CLASSES.values() and maker(cls) is not cls:
            names = [f.name for f in fields(cls)]
            if len(names) >= 2 and all(f.init for f in fields(cls)):
                getter = attrgetter(*names)
        _GETTERS[cls] = getter
    return _GETTERS[cls]


_DISPATCH: list[dict] = []


def _dispatch() -> dict:
    """Records pickled as their class and a tuple of field values (records.pickle_reducers)."""
    if not _DISPATCH:
        from ..records import pickle_reducers

        _DISPATCH.append(pickle_reducers())
    return _DISPATCH[0]


_PROGRAM: list[str] = []


def _program() -> str:
    """The program that parsed a stored book: every source file of the generator package and
    its data, Python and the reader's version. Any change makes every stored book a miss."""
    if not _PROGRAM:
        root = Path(__file__).resolve().parent.parent
        h = hashlib.blake2b(f"1|{sys.version}".encode(), digest_size=20)
        try:
            from importlib.metadata import version

            h.update(version("python-calamine").encode())
        except Exception:  # noqa: BLE001 - any failure only means no version in the key
            h.update(b"-")
        for path in sorted([*root.rglob("*.py"), *root.glob("data/*")]):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
        _PROGRAM.append(h.hexdigest())
    return _PROGRAM[0]


def book_stamp(folder: Path, book: schema.Book) -> tuple | None:
    """Identity, size and time of every file the book may be read from (.xlsx, .xls, .ods)."""
    out: list = []
    for path in book_files(folder, book):
        try:
            st = path.stat()
        except OSError:
            out.append(None)
            continue
        out.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out) if any(out) else None


def book_files(folder: Path, book: schema.Book) -> list[Path]:
    """Every file the book may be read from: the .xlsx, else an .xls or .ods of the same name."""
    stem = Path(book.filename).stem
    return [folder / (stem + suffix) for suffix in (".xlsx", *READABLE)]


def _largest(stamp: tuple) -> int:
    return max((s[1] for s in stamp if s is not None), default=0)


def _digest(folder: Path, book: schema.Book) -> str:
    h = hashlib.blake2b(digest_size=20)
    for path in book_files(folder, book):
        h.update(path.name.encode("utf-8") + b"\0")
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except OSError:
            h.update(b"\1missing")
    return h.hexdigest()
