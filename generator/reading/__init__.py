"""Read a station's records folder into typed Records plus a list of problems.

    result = read_records(Path("records"))
    result.records.workers[0].name, result.problems

Nothing here raises for bad user data: every fault is a Problem. A workbook
that cannot be opened at all marks the result `unreadable` (exit code 2).
"""

from __future__ import annotations

import os
import select
import stat
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .. import record_views, schema, trace
from ..cores import can_fork, cores
from ..gcpause import gc_paused
from ..problems import CATALOGUE, Problem, problem
from ..records import RECORD_CLASSES, Records, Settings, maker
from .cache import Kept, ReadCache, book_files
from .tables import column_letter, read_table
from .text import normalise_header
from .values import CONVERTERS, Bad, Fixed, site_url_fault, suggest
from .xlsxfile import (
    OTHER_FORMATS,
    READABLE,
    RawBook,
    RawSheetKept,
    Unreadable,
    book_pieces,
    read_book,
    read_other_book,
    read_sheet,
    sheet_keys,
    sheet_parts,
)

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({
    "file-lock", "file-missing", "folder-missing", "file-unexpected", "setting-invalid", "setting-missing",
    "sheet-hidden", "sheet-missing", "sheet-unexpected",
})



@dataclass
class ReadResult:
    records: Records
    problems: list = field(default_factory=list)
    unreadable: bool = False  # a workbook could not be opened at all
    # read_records(keep_later=True): what is left to do for the read store, run by keep_now()
    later: list = field(default_factory=list)

    def keep_now(self) -> None:
        """Keep in the read store what read_records(keep_later=True) left to keep (a fresh
        build's register, once the child working out its sheet keys is done); at most once."""
        later, self.later = self.later, []
        with gc_paused():
            for work in later:
                work()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def input_files(folder: Path) -> list[Path]:
    """Every file a book may be read from (.xlsx, else .xls or .ods), for change detection."""
    return [path for b in schema.BOOKS for path in book_files(Path(folder), b)]


def read_records(folder: Path, max_rows: int | None = None, cache: ReadCache | None = None,
                 keep_later: bool = False, idle: Callable | None = None) -> ReadResult:
    """Read every workbook of `folder`. With a ReadCache (or one installed by keep_parsed), a
    workbook whose file did not change since the cache last read it is not parsed again.
    `keep_later`: a book whose sheet keys a child process works out (_parse_aside: the register
    of a fresh build) is kept in the read store only when the caller calls `keep_now()` on the
    result, not waited for here (`bangfu build`: the records go on to the checks and the private
    writer while the child finishes; the build keeps the book while it waits for its writer).
    `idle(records, ready)`: called when this process would wait for a child's book, with the
    books read so far (`ready()` tells whether the child is done: it should then return soon);
    the build works out the filing order's pinyin meanwhile (private.filing_warmup)."""
    if cache is None:
        cache = _INSTALLED[0]
    with gc_paused():
        result = _read_records(Path(folder), max_rows, cache if max_rows is None else None, idle)
    if not keep_later:
        result.keep_now()
    return result


def _read_records(folder: Path, max_rows: int | None, cache: ReadCache | None,
                  idle: Callable | None = None) -> ReadResult:
    records = Records(folder=folder)
    result = ReadResult(records)
    if not folder.is_dir():
        result.problems.append(problem("folder-missing", file=str(folder)))
        result.unreadable = True
        return result
    _folder_problems(folder, result)
    looked = {b.key: cache.lookup(folder, b) for b in schema.BOOKS} if cache is not None else {}
    aside, keys_aside = _parse_aside(folder, cache, looked, max_rows)
    with _read_ahead(folder, cache, max_rows, looked, aside) as (ahead, previous):
        if ahead and cache is None:
            _read_as_parsed(folder, records, result, max_rows, ahead)
        else:
            _read_each(folder, records, result, max_rows, cache, looked, aside, keys_aside, ahead, previous, idle)
    return result


def _read_as_parsed(folder: Path, records: Records, result: ReadResult, max_rows, ahead: dict) -> None:
    """Without a cache, with books read ahead (_read_ahead): the others first, then each book
    read ahead as soon as its parse is done (the smaller aid records are turned into records
    while the register is still being parsed). Each book's problems and places are put
    together in the books' order, as one read after the other gives them."""
    from concurrent.futures import FIRST_COMPLETED, wait

    parts = {book.key: ReadResult(records) for book in schema.BOOKS}

    def read(book: schema.Book) -> None:
        part = parts[book.key]
        raw = _open_book(folder, book, part, max_rows, ahead=ahead.get(book.key))
        if raw is not None:
            _read_book(raw, book, records, part)
            # nothing keeps the cells once they are records: let go of them now (the future
            # holding the book would keep them until every book is read), so that the next
            # book's records take the memory they held instead of new pages
            raw.sheets.clear()

    for book in schema.BOOKS:
        if book.key not in ahead:
            read(book)
    pending = {book.key: book for book in schema.BOOKS if book.key in ahead}
    while pending:
        done, _ = wait([ahead[key] for key in pending], return_when=FIRST_COMPLETED)
        for key in [key for key in pending if ahead[key] in done]:  # the books' order among those done
            read(pending.pop(key))
    for book in schema.BOOKS:
        result.problems.extend(parts[book.key].problems)
        result.unreadable = result.unreadable or parts[book.key].unreadable
    order = [sheet.key for book in schema.BOOKS for sheet in book.sheets]
    records.places = {**{key: records.places[key] for key in order if key in records.places}, **records.places}


def _read_each(folder: Path, records: Records, result: ReadResult, max_rows, cache: ReadCache | None,
               looked: dict, aside: dict, keys_aside: dict, ahead: dict, previous_of: dict,
               idle: Callable | None = None) -> None:
    for book in schema.BOOKS:
        kept, stamp = looked.get(book.key, (None, None))
        if book.key in aside:  # parsed by a child process into the store: load it from there
            with trace.span("read-wait-child", book=book.key):
                _wait_book(aside[book.key], keys_aside, None if idle is None else partial(idle, records))
            with trace.span("read-load", book=book.key):
                kept, stamp = cache.lookup(folder, book)
            if kept is not None:
                cache.loaded.remove(Path(book.filename).name)
                cache.parsed.append(Path(book.filename).name)
        if kept is not None:
            _restore(kept, records, result)
            continue
        before = len(result.problems)
        if book.key in previous_of:  # taken from the cache already, for the book read ahead
            previous = previous_of[book.key]
        else:
            previous = cache.previous(folder, book) if cache is not None else None
        trace.mark("begin", "read-parse", book=book.key)
        raw = _open_book(folder, book, result, max_rows, previous, keyed=cache is not None,
                         keys_aside=book.key in keys_aside, ahead=ahead.get(book.key))
        if raw is None:
            trace.mark("end", "read-parse", book=book.key)
            continue  # nothing kept of a book that cannot be read: it is tried again next time
        if cache is not None:
            cache.parsed.append(raw.path.name)
            cache.sheets_kept.extend(f"{raw.path.name}/{name}" for name, rs in raw.sheets.items()
                                     if isinstance(rs, RawSheetKept))
        sheets = _read_book(raw, book, records, result, previous)
        if cache is not None:
            cache.sheets_partial.extend(f"{raw.path.name}/{name}" for name in raw.partial)
        trace.mark("end", "read-parse", book=book.key)
        if book.key in keys_aside:  # its sheets' keys come from a child (see _parse_aside): kept once it is done
            # (not the parsed sheets' cells: only their keys, memo and pieces are kept)
            light = RawBook(raw.path, {}, raw.memo, raw.pieces, raw.partial)
            result.later.append(partial(_keep_with_keys, folder, book, cache, stamp, keys_aside[book.key], records,
                                        result.problems[before:], light, sheets, previous))
            continue
        if cache is not None and stamp is not None:
            cache.keep(folder, book, stamp, _snapshot(book, records, result.problems[before:], stamp, sheets, raw,
                                                      previous))


def _keep_with_keys(folder: Path, book: schema.Book, cache: ReadCache, stamp: tuple | None, pid: int,
                    records: Records, problems: list, raw: RawBook, sheets: dict, previous: Kept | None) -> None:
    """Keep a book parsed here whose sheet keys the child `pid` works out (_parse_aside), once
    it is done (ReadResult.keep_now)."""
    with trace.span("read-wait-keys", book=book.key):
        _wait(pid)
    with trace.span("read-keep", book=book.key):
        sheets = _keys_from_aside(folder, book, cache, stamp, raw, sheets)
        if stamp is not None:
            cache.keep(folder, book, stamp, _snapshot(book, records, problems, stamp, sheets, raw, previous))


@contextmanager
def _read_ahead(folder: Path, cache: ReadCache | None, max_rows, looked: dict, aside: dict):
    """({book key: Future of its read}, {book key: what the cache kept of it before}): the large
    workbooks that must be parsed are parsed in threads side by side. Without a cache (bangfu
    check, todo), this thread meanwhile turns the first one read into records
    (_read_as_parsed). With a cache that starts no forked children (_parse_aside: Windows,
    `bangfu serve`'s threads), each is read as _open_book would read it (the sheets kept
    before not read again) and taken there in the books' order. The fast reader lets go of the
    interpreter lock while it parses a sheet (most of its time): a 20,000-worker station's
    register and payouts take 2.5 and 1.9 CPU seconds, which two cores do at once. Nothing
    is started on one core, with children parsing aside, or with fewer than two large .xlsx
    books to parse; a book read ahead raises its Unreadable where _open_book takes it, as if
    read in this thread."""
    if cache is None:
        must = list(schema.BOOKS)
    elif aside or max_rows is not None:
        must = []
    else:  # parsed now: neither kept (lookup) nor missing
        must = [b for b in schema.BOOKS if looked[b.key][0] is None and looked[b.key][1] is not None]
    large = [b for b in must if _size(folder / b.filename) >= ASIDE_BYTES] if cores() >= 2 else []
    if len(large) < 2:
        yield {}, {}
        return
    from concurrent.futures import ThreadPoolExecutor

    previous = {b.key: cache.previous(folder, b) for b in large} if cache is not None else {}
    limit = {"max_rows": max_rows} if max_rows else {}
    with ThreadPoolExecutor(max_workers=min(len(large), cores())) as pool:
        ahead = {b.key: pool.submit(_reader(previous.get(b.key), cache is not None, max_rows, False),
                                    folder / b.filename, **limit) for b in large}
        try:
            yield ahead, previous
        finally:
            for future in ahead.values():
                future.cancel()


def _size(path: Path) -> int:
    """The size of a regular file, else 0 (missing, a folder: read in this thread, as ever)."""
    try:
        info = path.stat()
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


ASIDE_BYTES = 1 << 20  # a workbook smaller than this is parsed here: a process costs more


def _parse_aside(folder: Path, cache: ReadCache | None, looked: dict, max_rows) -> tuple[dict, dict]:
    """Start parsing the workbooks that must be parsed, all but the first large one, in forked
    child processes that keep them in the cache's store (a 20,000-worker station: the register
    and the payouts take 6.6 and 4 CPU seconds); this process parses the first meanwhile and
    then loads the others from the store. ({book key: child pid}, {book key: child pid}): the
    books parsed aside, and the book parsed here whose sheet keys (which only the next read
    uses) a child works out after its own book, when this book was never kept (nothing to
    compare its sheets with): the child is done before this process, which parses the larger
    book. Nothing is started without a store, without fork (Windows), with other threads in
    this process (serve: a fork would copy them mid-step), on one core, or with fewer than two
    large books to parse; a child that fails only leaves its book to be parsed here (and the
    sheets of the other one without keys: that book is read whole next time)."""
    if (cache is None or cache.store is None or not cache.write_store or max_rows is not None
            or not hasattr(os, "fork") or not can_fork() or cores() < 2):
        return {}, {}
    large = [b for b in schema.BOOKS if looked[b.key][0] is None and looked[b.key][1] is not None
             and max((s[1] for s in looked[b.key][1] if s is not None), default=0) >= ASIDE_BYTES]
    started: dict = {}
    keys_aside: dict = {}
    here = large[0] if large else None
    if here is not None and (str(folder / here.filename) in cache.stale
                             or not (folder / here.filename).exists()):
        here = None  # kept before (its keys are needed now), or an .xls/.ods (no keys)
    for book in large[1:cores()]:
        try:
            ready, done = os.pipe()
        except OSError:
            break
        try:
            pid = os.fork()
        except OSError:
            os.close(ready)
            os.close(done)
            break
        if pid == 0:  # the child: parse, keep in the store, leave without running any exit code
            try:
                os.close(ready)
                trace.mark("start", "read-child")
                try:
                    with trace.span("read-parse", book=book.key):
                        _parse_into_store(folder, book, cache, looked[book.key][1])
                finally:  # its book is in the store (or not, then the parent parses it): the parent goes on
                    os.close(done)
                if here is not None:
                    with trace.span("read-keys", book=here.key):
                        _keys_into_store(folder, here, cache, looked[here.key][1])
            finally:
                os._exit(0)
        os.close(done)
        _READY[pid] = ready
        started[book.key] = pid
        if here is not None:
            keys_aside[here.key] = pid
            here = None
    return started, keys_aside


def _keys_into_store(folder: Path, book: schema.Book, cache: ReadCache, stamp: tuple) -> None:
    """In a child: the sheet keys of the book the parent parses, for it to take (_keys_from_aside)."""
    path = folder / book.filename
    learnt: dict = {}
    facts: dict = {}
    try:
        with zipfile.ZipFile(path) as zf:
            parts = sheet_parts(zf)
            keys = sheet_keys(zf, parts, path.name, None, learnt, facts=facts)
        pieces = book_pieces(path.name, parts, facts, learnt)
    except Exception:  # noqa: BLE001 - any failure only means no keys: the parent reads on without
        return
    cache.keep_keys(folder, book, stamp, (keys, learnt, pieces))


def _keys_from_aside(folder: Path, book: schema.Book, cache: ReadCache, stamp: tuple, raw: RawBook,
                     sheets: dict) -> dict:
    """`sheets` (_read_book's, still without keys) with the keys a child worked out of the same
    file (its stamp unchanged), and the book's memo and its sheets' pieces; without them, as they are."""
    got = cache.take_keys(folder, book, stamp)
    if got is None:
        return sheets
    keys, raw.memo, pieces = got
    for name, entry in raw.pieces.items():
        if name in pieces:
            raw.pieces[name] = (pieces[name], *entry[1:])
    return {name: (keys.get(name), table, problems) for name, (_, table, problems) in sheets.items()}


def _parse_into_store(folder: Path, book: schema.Book, cache: ReadCache, stamp: tuple) -> None:
    result = ReadResult(Records(folder=folder))
    previous = cache.previous(folder, book)
    raw = _open_book(folder, book, result, None, previous, keyed=True)
    if raw is not None:
        sheets = _read_book(raw, book, result.records, result, previous)
        cache.keep(folder, book, stamp, _snapshot(book, result.records, result.problems, stamp, sheets, raw,
                                                  previous))


def _wait(pid: int) -> None:
    ready = _READY.pop(pid, None)
    if ready is not None:
        os.close(ready)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


_READY: dict[int, int] = {}  # a child of _parse_aside: the end of the pipe it closes once its book is kept


def _wait_book(pid: int, keys: dict, idle: Callable | None = None) -> None:
    """Wait until the child `pid` of _parse_aside has kept its book in the store (it closes its
    end of a pipe, or dies), not until it ends: a child that goes on to work out the keys of
    the book parsed here (`keys`) is waited for when that book is kept (_keep_with_keys).
    `idle(ready)` is called first when the child is not done yet."""
    ready = _READY.pop(pid, None)
    if ready is not None:
        if idle is not None and not _readable(ready):
            idle(partial(_readable, ready))
        try:
            while os.read(ready, 4096):  # nothing is written: end of file once the child let go
                pass
        except OSError:
            pass
        finally:
            os.close(ready)
    if pid not in keys.values():
        _wait(pid)


def _readable(fd: int) -> bool:
    """Whether reading `fd` (a pipe) would not block: data, or its end closed."""
    try:
        return bool(select.select([fd], [], [], 0)[0])
    except (OSError, ValueError):
        return True


# The cache read_records uses when it is given none (keep_parsed): `bangfu serve` installs one
# for its rebuilds, which reach read_records through build_all and check_folder.
_INSTALLED: list[ReadCache | None] = [None]


def keep_parsed(on: bool | ReadCache = True) -> ReadCache | None:
    """Install a ReadCache (a new one for True) that read_records uses when given none, or
    remove it (False). Returns the installed cache."""
    _INSTALLED[0] = on if isinstance(on, ReadCache) else (ReadCache() if on else None)
    return _INSTALLED[0]


def installed_cache() -> ReadCache | None:
    """The cache keep_parsed installed, or None."""
    return _INSTALLED[0]


def _snapshot(book: schema.Book, records: Records, problems: list, stamp: tuple, sheets: dict,
              raw: RawBook, previous: Kept | None = None) -> Kept:
    kept = Kept(stamp=stamp, digest="", problems=list(problems), places={}, tables={}, sheets=sheets,
                memo=raw.memo, pieces={name: entry for name, entry in raw.pieces.items() if entry[0] is not None})
    for sheet in book.sheets:
        if sheet.key in records.places:
            kept.places[sheet.key] = records.places[sheet.key]
        if sheet.settings:
            kept.settings = records.settings
            kept.digests["settings"] = record_views.table_digest(records, "settings")
        else:
            kept.tables[sheet.key] = list(getattr(records, sheet.key))
            kept.digests[sheet.key] = record_views.table_digest(records, sheet.key)
            blocks = record_views.block_info(records, sheet.key)
            if blocks is None and previous is not None and previous.digests.get(sheet.key) == kept.digests[sheet.key]:
                blocks = previous.blocks.get(sheet.key)  # the same table: a sheet kept
            if blocks is not None:
                kept.blocks[sheet.key] = blocks
    return kept


def _restore(kept: Kept, records: Records, result: ReadResult) -> None:
    result.problems.extend(kept.problems)
    records.places.update(kept.places)
    if kept.settings is not None:
        records.settings = kept.settings
    for key, rows in kept.tables.items():
        setattr(records, key, list(rows))
    # the digests worked out when the book was parsed, for these very objects (record_views),
    # with their blocks where kept (record_views.block_digests: a book parsed by a child of a
    # fresh build, restored here, gives the next stages its blocks as a parsed one does)
    known = records.__dict__.setdefault("_table_digests", {})
    blocks = records.__dict__.setdefault("_block_digests", {})
    for key, digest in kept.digests.items():
        known[key] = (getattr(records, key), digest)
        info = kept.blocks.get(key)
        if info is not None and len(info) == 4 and key in kept.tables:
            blocks[key] = (getattr(records, key), info)


def _folder_problems(folder: Path, result: ReadResult) -> None:
    expected = {b.filename for b in schema.BOOKS}
    stems = {Path(b.filename).stem for b in schema.BOOKS}
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.startswith(("~$", ".~")):
            result.problems.append(problem("file-lock", file=name))
        elif name == schema.IMPORT_MAPPING_FILE:
            continue  # written by bangfu import, read only by it
        elif entry.is_file() and name not in expected \
                and entry.suffix.lower() in (".xlsx", ".xls", ".ods", ".et", ".csv", ".xlsm") \
                and (entry.stem not in stems or (folder / (entry.stem + ".xlsx")).exists()):
            # a same-named .xls/.ods beside the .xlsx is a stale copy: only the .xlsx is read
            result.problems.append(problem("file-unexpected", file=name))


def _open_book(folder: Path, book: schema.Book, result: ReadResult, max_rows,
               previous: Kept | None = None, keyed: bool = False, keys_aside: bool = False,
               ahead=None) -> RawBook | None:
    """The book's raw sheets, or None (a problem says why). With what a read store kept of the
    book before (`previous`), an .xlsx's sheets whose content did not change are not read:
    each comes back as a RawSheetKept, and _read_book takes its table from `previous`.
    `keys_aside`: the sheets' keys are worked out elsewhere (_parse_aside), not here.
    `ahead`: a Future of read_book(path) started by _read_ahead, taken instead of reading here."""
    path = folder / book.filename
    stem = Path(book.filename).stem
    reader = _reader(previous, keyed, max_rows, keys_aside)
    if not path.exists():
        for suffix in READABLE:
            if (folder / (stem + suffix)).exists():
                path, reader = folder / (stem + suffix), read_other_book
                break
        else:
            for suffix, code in OTHER_FORMATS.items():
                other = folder / (stem + suffix)
                if other.exists():
                    result.problems.append(problem(code or "file-old-excel", file=other.name,
                                                   expected=book.filename))
                    result.unreadable = True
                    return None
            result.problems.append(problem("file-missing", file=book.filename))
            result.unreadable = True
            return None
    limit = {"max_rows": max_rows} if max_rows else {}
    try:
        try:
            raw = ahead.result() if ahead is not None and reader is not read_other_book else reader(path, **limit)
            if previous is not None and not _reusable(raw, book, previous):
                # a sheet kept is now read otherwise: read them all
                raw = read_book(path, reuse={}, memo=previous.memo)
        except Unreadable as err:
            if err.code != READABLE[".xls"] or reader is read_other_book:
                raise
            raw = read_other_book(path, **limit)  # an .xls saved under the .xlsx name
            result.problems.append(problem(err.code, file=path.name, expected=book.filename))
            return raw
    except Unreadable as err:
        _unreadable(err, path, book, result)
        return None
    if reader is read_other_book:
        result.problems.append(problem(READABLE[path.suffix.lower()], file=path.name,
                                       expected=book.filename))
    return raw


def _reader(previous: Kept | None, keyed: bool, max_rows, keys_aside: bool) -> Callable[..., RawBook]:
    """How _open_book reads an .xlsx: with what a cache kept of it before (`previous`), the
    sheets whose content key did not change are not read again."""
    if keyed and max_rows is None and not keys_aside:  # a read cut short is never kept, nor taken from it
        reuse = {name: entry[0] for name, entry in (previous.sheets if previous else {}).items()}
        pieces = {name: entry[0] for name, entry in (previous.pieces if previous else {}).items()
                  if isinstance(entry, tuple) and len(entry) == 4}
        return partial(read_book, reuse=reuse, memo=previous.memo if previous else None, pieces=pieces)
    return read_book


def _placeholders(code: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(CATALOGUE[code].template) if name}


def _match_sheets(raw: RawBook, book: schema.Book):
    """schema sheet key -> raw sheet name (exact, then normalised)."""
    by_norm = {normalise_header(name): name for name in raw.sheets}
    found = {}
    for sheet in book.sheets:
        if sheet.name in raw.sheets:
            found[sheet.key] = sheet.name
        elif normalise_header(sheet.name) in by_norm:
            found[sheet.key] = by_norm[normalise_header(sheet.name)]
    return found


def _reusable(raw: RawBook, book: schema.Book, previous: Kept) -> bool:
    """Whether every sheet read_book did not read (RawSheetKept) is read now as the same table
    of the schema as when it was kept (the sheets' names can match the schema otherwise)."""
    kept = {name for name, rs in raw.sheets.items() if isinstance(rs, RawSheetKept)}
    if not kept:
        return True
    found = _match_sheets(raw, book)
    for sheet in book.sheets:
        name = found.get(sheet.key)
        if name in kept:
            kept.discard(name)
            if (sheet.settings or previous.sheets[name][1] != sheet.key or sheet.key not in previous.tables
                    or sheet.key not in previous.places or sheet.key not in previous.digests):
                return False
    return not kept  # one left: an extra sheet now, whose rows are looked at


def _unreadable(err: Unreadable, path: Path, book: schema.Book, result: ReadResult) -> None:
    """The problem saying why the book at `path` cannot be read; the read is marked unreadable."""
    params = dict(err.params)
    needed = _placeholders(err.code)
    params.setdefault("expected", book.filename)
    params.setdefault("detail", "")
    params.setdefault("limit", "")
    result.problems.append(problem(err.code, file=path.name, sheet=params.get("sheet", ""),
                                   cell=params.get("cell", ""),
                                   **{k: v for k, v in params.items()
                                      if k in needed and k not in ("sheet", "cell")}))
    result.unreadable = True


def _read_book(raw: RawBook, book: schema.Book, records: Records, result: ReadResult,
               previous: Kept | None = None) -> dict:
    """Read the book's sheets into `records` and `result`. Returns Kept.sheets for it: the
    content key of each table's sheet and the problems reading its table gave; a sheet kept
    (RawSheetKept) is taken from `previous` exactly as it was read then."""
    file = raw.path.name  # problems name the file the clerk has: 帮扶资金.xls when that was read
    out: dict = {}
    found = _match_sheets(raw, book)
    used = set(found.values())
    extra = [name for name in raw.sheets if name not in used and name != schema.LISTS_SHEET]
    for sheet in book.sheets:
        if sheet.key in found or sheet.optional:  # an optional sheet may be added later
            continue
        if sheet.optional:
            continue  # read as empty; checks see no rows
        near = suggest(sheet.name, extra, cutoff=0.3)
        hint = f"有一个工作表叫“{near}”，是不是改了名？请改回“{sheet.name}”。" if near else \
            f"请添加名为“{sheet.name}”的工作表（可从 bangfu init 生成的模板中复制）。"
        result.problems.append(problem("sheet-missing", file=file, sheet=sheet.name,
                                       expected=sheet.name, suggestion=hint))
    for name in extra:
        if _is_blank(raw.sheets[name]):
            continue
        near = suggest(name, [s.name for s in book.sheets], cutoff=0.3)
        hint = (f"如果它是“{near}”的副本，请把需要的行移到“{near}”后删除它。" if near
                else "如果其中有需要的记录，请移到对应的工作表。")
        result.problems.append(problem("sheet-unexpected", file=file, sheet=name, suggestion=hint))
    for sheet in book.sheets:
        name = found.get(sheet.key)
        if name is None:
            continue
        rs = raw.sheets[name]
        if rs.hidden:
            result.problems.append(problem("sheet-hidden", file=file, sheet=name))
        if sheet.settings:
            _read_settings(rs, sheet, records, result, file)
            continue
        if isinstance(rs, RawSheetKept):  # unchanged since it was kept (_reusable checked the rest)
            entry = previous.sheets[name]
            result.problems.extend(entry[2])
            records.places[sheet.key] = previous.places[sheet.key]
            rows = list(previous.tables[sheet.key])
            setattr(records, sheet.key, rows)
            records.__dict__.setdefault("_table_digests", {})[sheet.key] = (rows, previous.digests[sheet.key])
            out[name] = entry
            if name in previous.pieces:
                raw.pieces[name] = previous.pieces[name]
            continue
        table = read_table(rs, sheet, file)
        merged = _merge_partial(rs, sheet, table, previous) if rs.partial is not None else None
        if merged is None:
            if rs.partial is not None:  # the rows kept cannot be taken: read the sheet whole
                try:
                    rs = read_sheet(raw.path, name, rs)
                except Unreadable as err:  # saved again, locked or cut short meanwhile
                    _unreadable(err, raw.path, book, result)
                    continue
                table = read_table(rs, sheet, file)
            rows = _build(RECORD_CLASSES[sheet.key], sheet, table)
            problems = table.problems
            cells = table.problems[table.cells[0]:table.cells[1]], table.cell_keys
        else:
            rows, problems, cells = merged
            raw.partial.append(name)
        result.problems.extend(problems)
        records.places[sheet.key] = table.place
        setattr(records, sheet.key, rows)
        out[name] = (rs.key, sheet.key, list(problems))  # no key (None): never taken as kept
        # (its pieces may come later from a child: _keys_from_aside; _snapshot keeps those known)
        raw.pieces[name] = (rs.pieces, table.header_index, *cells)
    return out


def _merge_partial(rs, sheet: schema.Sheet, table, previous: Kept | None):
    """(records, problems, (problems of single cells, their order keys)) of a sheet read from
    its changed pieces (RawSheet.partial): the rows of the pieces read from `table`, the others'
    records and cell problems from the previous read, put in the order one whole read gives
    them; the sheet's other problems (header, columns, merged cells, formulas) from `table`.
    None when the previous read's rows cannot be taken: the header or the columns are not
    where they were, or what the sheet's width or height decides differs."""
    from bisect import bisect_left, bisect_right
    from operator import attrgetter, itemgetter

    entry = previous.pieces.get(rs.name) if previous is not None else None
    if (entry is None or len(entry) != 4 or sheet.key not in previous.tables
            or previous.places.get(sheet.key) != table.place or entry[1] != table.header_index
            or any(p.code in _WHOLE_SHEET for p in table.problems)):
        return None
    kept = rs.partial[1]
    old = previous.tables[sheet.key]
    numbers = list(map(attrgetter("row"), old))
    rows = _build(RECORD_CLASSES[sheet.key], sheet, table)
    for first, last in kept:
        rows.extend(old[bisect_left(numbers, first):bisect_right(numbers, last)])
    rows.sort(key=attrgetter("row"))
    if sheet.key in previous.digests:  # its digest then worked out from the blocks that changed
        record_views.seed(sheet.key, old, previous.digests[sheet.key], previous.blocks.get(sheet.key))
    starts = [first for first, _ in kept]

    def is_kept(row: int) -> bool:
        i = bisect_right(starts, row) - 1
        return i >= 0 and row <= kept[i][1]

    a, b = table.cells
    cells = list(zip(table.cell_keys, table.problems[a:b]))
    cells.extend((key, p) for key, p in zip(entry[3], entry[2]) if is_kept(key[2]))
    cells.sort(key=itemgetter(0))
    problems = [*table.problems[:a], *(p for _, p in cells), *table.problems[b:]]
    return rows, problems, ([p for _, p in cells], [key for key, _ in cells])


# Problems whose cell depends on rows a sheet read from its changed pieces lacks (the sheet's
# width, its height): such a sheet is read whole
_WHOLE_SHEET = frozenset({"column-missing", "too-many-rows"})


def _build(cls, sheet: schema.Sheet, table) -> list:
    """Records built positionally, in schema order, from the converted columns."""
    from itertools import repeat, starmap

    n = len(table.rownos)
    columns = [table.columns.get(c.key) or repeat(None, n) for c in sheet.columns]
    return list(starmap(maker(cls), zip(*columns, table.rownos)))


def _is_blank(rs) -> bool:
    return not any(v not in ("", None) for row in rs.rows[:50] for v in row)


def _read_settings(rs, sheet: schema.Sheet, records: Records, result: ReadResult, file: str) -> None:
    table = read_table(rs, sheet, file)
    result.problems.extend(table.problems)
    records.places[sheet.key] = table.place
    entries = {normalise_header(c.name): c for c in sheet.entries}
    values: dict = {}
    rows: dict = {}
    value_letter = table.place.letters.get("value", "B")
    for rowno, cells in table.rows():
        label = normalise_header(cells.get("key", ""))
        entry = entries.get(label)
        if entry is None:
            continue
        rows[entry.key] = rowno
        raw_value = cells.get("value", "")
        if raw_value in ("", None):
            continue
        converted = CONVERTERS[entry.kind](raw_value, entry)
        if isinstance(converted, Bad):
            result.problems.append(problem(
                "setting-invalid", file=file, sheet=rs.name, cell=f"{value_letter}{rowno}",
                key=entry.name, value=raw_value, detail=problem(
                    converted.code, **{**_fill(converted.code, converted.params), "column": entry.name}).message))
            continue
        value = converted.value if isinstance(converted, Fixed) else converted
        fault = site_url_fault(value) if entry.key == "site_url" and value else None
        if fault:
            result.problems.append(problem(
                "setting-invalid", file=file, sheet=rs.name, cell=f"{value_letter}{rowno}",
                key=entry.name, value=raw_value, detail=fault))
            continue
        if value == 0 and entry.key in schema.ZERO_MEANS_DEFAULT:
            continue
        values[entry.key] = value
    for entry in sheet.entries:
        if entry.required and entry.key not in values:
            cell = f"{value_letter}{rows[entry.key]}" if entry.key in rows else ""
            hint = f"如“{entry.example}”" if entry.example else "相应内容"
            result.problems.append(problem("setting-missing", file=file, sheet=rs.name, cell=cell,
                                           key=entry.name, hint=hint))
    records.settings = Settings(**values, rows=rows)


def _fill(code: str, params: dict) -> dict:
    needed = _placeholders(code) - {"file", "sheet", "cell", "column"}
    return {**{k: "" for k in needed}, **params}


__all__ = ["ReadCache", "ReadResult", "column_letter", "input_files", "keep_parsed", "read_records"]
