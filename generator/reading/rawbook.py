"""The raw book and sheet types the workbook reader hands on (xlsxfile.read_book), the
error it raises for a file it cannot read, and what every part of the reader shares: the
redirection that keeps a Rust panic's report off the clerk's screen."""

from __future__ import annotations

import os
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

DATE1904 = "\0date1904"  # a key of _sheet_parts' result: the workbook counts days from 1904


class Unreadable(Exception):
    """The file cannot be read as a workbook; `code` and `params` say why."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class RawSheet:
    name: str
    rows: list  # list of lists of raw cell values, row 1 first
    hidden: bool = False
    merged: list = field(default_factory=list)  # [((r0, c0), (r1, c1)), ...] zero-based
    bad_cells: dict = field(default_factory=dict)  # "B7" -> ("formula-no-value"|"formula-error", text)
    truncated_at: int = 0  # number of rows when cut at the row limit
    date1904: bool = False  # the workbook's bare serial numbers count from 1904
    key: str | None = None  # its content key (sheet_keys), when read_book was asked for keys
    # how its rows lie in its XML's pieces (SheetPieces), for reading only the changed pieces
    # next time; None when not known
    pieces: SheetPieces | None = None
    # a sheet read from its changed pieces only (read_book's `pieces`): the (first, last) row
    # numbers of the pieces read and of those not read, whose rows are the previous read's
    partial: tuple | None = None


@dataclass
class RawBook:
    path: Path
    sheets: dict  # name -> RawSheet, in workbook order
    # what sheet_keys learnt of each sheet part's XML, by its bytes as stored in the zip (see
    # sheet_keys `memo`): handed to the next read_book of the file, which then keys the sheets
    # whose stored bytes did not change without decompressing and going through them
    memo: dict = field(default_factory=dict)
    # sheet name -> what the reader keeps of each table's sheet for reading only its changed
    # pieces next time (reading._read_book fills it, the read store keeps it as Kept.pieces)
    pieces: dict = field(default_factory=dict)
    partial: list = field(default_factory=list)  # the sheets read from their changed pieces only


@dataclass(frozen=True)
class SheetPieces:
    """A sheet's XML as pieces (_pieces) and the rows each holds: what a later read needs to
    take the rows of the pieces whose bytes did not change from this read. `context` is
    everything else the values of a piece's rows depend on (the file's and the part's names,
    the date system, the shared tables' entries: _table_state); `rows` is, for each piece but
    the first (which is always read again: it holds the header), its digest, its first and last
    row number, and whether its rows are placed by themselves (each row and cell with its
    r="…", rows ascending)."""
    context: tuple
    rows: tuple  # ((piece digest, first row, last row, placed), ...)


@dataclass
class RawSheetKept:
    """A sheet not read again (read_book's `reuse`): its content key matched the one asked for."""
    name: str
    key: str
    hidden: bool = False


def _reraise_interrupt(err: BaseException) -> None:
    if isinstance(err, (KeyboardInterrupt, SystemExit, Unreadable)):
        raise err


_QUIET_LOCK = threading.Lock()
_QUIET: list = [0, None]  # [readers inside _quiet_stderr, (saved descriptor 2, sink) while any is]


@contextmanager
def _quiet_stderr():
    """Keep a Rust panic's report (printed straight to file descriptor 2) off the clerk's
    screen; the panic itself becomes a problem. Descriptor 2 belongs to the whole process:
    books read in threads at once (reading._read_ahead) share one redirection, which the
    first to enter sets up and the last to leave undoes."""
    with _QUIET_LOCK:
        if _QUIET[0] == 0:
            try:
                saved = os.dup(2)
            except OSError:
                saved = None
            if saved is not None:
                sink = tempfile.TemporaryFile()
                os.dup2(sink.fileno(), 2)
                _QUIET[1] = (saved, sink)
        _QUIET[0] += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _QUIET[0] -= 1
            if _QUIET[0] == 0 and _QUIET[1] is not None:
                saved, sink = _QUIET[1]
                _QUIET[1] = None
                os.dup2(saved, 2)
                os.close(saved)
                sink.close()
