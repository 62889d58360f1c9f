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
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import schema
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


@dataclass
class ReadCache:
    """Parsed workbooks by path. Not thread-safe: one reader at a time (serve rebuilds in turn)."""
    kept: dict = field(default_factory=dict)  # str(path of the book) -> Kept
    parsed: list = field(default_factory=list)  # file names parsed through this cache, in order

    def clear(self) -> None:
        self.kept.clear()

    def lookup(self, folder: Path, book: schema.Book) -> tuple[Kept | None, tuple | None]:
        """(what was kept, when still true of the files; the book's current stamp). The stamp is
        None when none of the book's files exists (nothing to keep)."""
        stamp = book_stamp(folder, book)
        if stamp is None:
            return None, None
        kept = self.kept.get(str(folder / book.filename))
        if kept is None:
            return None, stamp
        if kept.stamp == stamp and _largest(stamp) > CONFIRM_BYTES:
            return kept, stamp
        if _digest(folder, book) == kept.digest:  # same bytes: a new time only, or a small file
            kept.stamp = stamp
            return kept, stamp
        return None, stamp

    def keep(self, folder: Path, book: schema.Book, stamp: tuple, kept: Kept) -> None:
        """Keep a parsed book, unless its files changed while it was being read."""
        kept.digest = _digest(folder, book)
        if book_stamp(folder, book) == stamp:
            self.kept[str(folder / book.filename)] = kept


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
