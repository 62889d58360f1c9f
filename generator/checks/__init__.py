"""Checks over typed records. Each module has `check(records, ctx) -> iterable of Problem`.

The reader already reported per-cell faults (types, enums, identity numbers);
checks see only values that converted, and report rules across cells, rows,
sheets and workbooks. `run_checks` runs them all in order.

A module that names the tables it reads (`TABLES`) is run on a view of exactly those
(record_views: reading another raises AttributeError, and the module is then run on all
the records instead, so a list that falls short costs time, never a wrong result). With a
CheckCache (`bangfu build` keeps one beside its read store), a module whose tables, date
and program are those of its last run is not run again: its problems are taken as they
were. After an edited visit note, only the modules reading every table (references,
examples) run again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from operator import attrgetter

from .. import keptfile, record_views
from ..problems import sort_key
from ..record_views import block_digests
from ..records import Records
from . import business, deadlines, escalation, examples, funds, people, references, timeline

ALL = (references, people, business, timeline, deadlines, funds, escalation, examples)


@dataclass(frozen=True)
class Context:
    today: date


def run_checks(records: Records, today: date | None = None, kept: CheckCache | None = None) -> list:
    """The problems of every module, each module's in the order of problems.sort_key (ties in
    the order found), as the check's report orders them: the same list whether a module ran on
    all payouts, on those of some workers only (CheckCache, BY_WORKER) or not at all."""
    ctx = Context(today or date.today())
    out = []
    for module in ALL:
        tables = getattr(module, "TABLES", None)
        if kept is None:
            got = list(module.check(records, ctx))
        elif getattr(module, "BY_WORKER", False):
            got = kept.by_worker(module, records, ctx, tables)
        else:
            got = kept.by_tables(module, records, ctx, tables)
        got.sort(key=sort_key)
        out.extend(got)
    return out


def _run(module, records: Records, ctx: Context, tables, read: set | None = None) -> list:
    """The module's problems; with `read`, the names of the settings fields it read are added
    to it (ALL_FIELDS when that cannot be told: it ran on all the records)."""
    if tables is None:
        _note_all(read)
        return list(module.check(records, ctx))
    try:
        return _tracked(module, record_views.view(records, tables, f"checks.{module.__name__}"), ctx, read)
    except AttributeError:  # it reads a table it does not name: run it on all of them
        _note_all(read)
        return list(module.check(records, ctx))


SETTINGS_READ = "settings-read-1"  # the key the settings fields a module read are kept under
ALL_FIELDS = "*"  # in a set of fields read: all of them (not told apart)


class _SettingsRead:
    """The station's settings as a check module sees them while CheckCache notes which fields
    it reads: every attribute read is passed through and its name added to `read`. Anything
    else done with the object (compared, hashed, shown) notes all fields."""

    __slots__ = ("_settings", "_read")

    def __init__(self, settings, read: set):
        object.__setattr__(self, "_settings", settings)
        object.__setattr__(self, "_read", read)

    def __getattr__(self, name: str):
        value = getattr(self._settings, name)
        fields = getattr(type(self._settings), "__dataclass_fields__", {})
        # a field by name; anything else (dataclasses.fields(), a method, vars) reads them all
        self._read.add(name if name in fields else ALL_FIELDS)
        return value

    @property  # type: ignore[misc]
    def __class__(self):  # isinstance(settings, Settings) and match/case see the settings' class
        return type(self._settings)

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(f"settings are read-only ({name})")

    def __eq__(self, other) -> bool:
        self._read.add(ALL_FIELDS)
        return self._settings == (other._settings if isinstance(other, _SettingsRead) else other)

    def __hash__(self) -> int:
        self._read.add(ALL_FIELDS)
        return hash(self._settings)

    def __repr__(self) -> str:
        self._read.add(ALL_FIELDS)
        return repr(self._settings)

    def __reduce_ex__(self, protocol):  # pickled (a digest of them, a copy): the settings themselves
        self._read.add(ALL_FIELDS)
        return self._settings.__reduce_ex__(protocol)

    def __copy__(self):
        self._read.add(ALL_FIELDS)
        return self._settings


def _tracked(module, view: Records, ctx: Context, read: set | None) -> list:
    """module.check on `view`, its settings read through _SettingsRead when `read` is given and
    the view has settings; a module that cannot work with them so (it asks for their class, or
    takes them apart as a dataclass) runs again on the settings themselves, all fields noted."""
    if read is None or "settings" not in type(view).TABLES:  # type: ignore[attr-defined]
        return list(module.check(view, ctx))
    settings = view.settings
    if settings is None:
        read.add(ALL_FIELDS)
        return list(module.check(view, ctx))
    view.__dict__["settings"] = _SettingsRead(settings, read)
    try:
        return list(module.check(view, ctx))
    except AttributeError:
        raise  # a table it does not name (the caller runs it on all the records)
    except Exception:  # noqa: BLE001 - it needs the settings themselves: run it so
        read.add(ALL_FIELDS)
        view.__dict__["settings"] = settings
        return list(module.check(view, ctx))
    finally:
        view.__dict__["settings"] = settings


def _note_all(read: set | None) -> None:
    if read is not None:
        read.add(ALL_FIELDS)


def _reads_settings(tables) -> bool:
    return tables is not None and "settings" in tables


def _without_payouts(tables) -> tuple:
    return tuple(t for t in tables if t != "payouts")


def _read_before(found, entry, read: set | None) -> set | None:
    """The settings fields read by the runs whose problems a partly re-run module keeps (those of
    the other workers), with the fields it read now; None when they are not known."""
    if read is None or not isinstance(found, tuple) or len(found) != 3 or found[2] is not entry:
        return None
    return read | set(found[0])


@dataclass
class ByWorker:
    """What a BY_WORKER module found, kept so that it runs again on the payouts of the workers
    whose payouts changed only: the problems of each payout row by the payout's archive number
    (`groups`), the others (`rest`), and per block of the payouts (record_views.block_digests)
    its digest and the archive numbers in it (None: the blocks were not at hand). `whole`: the
    digest of the payouts it ran on."""
    whole: bytes
    rest: list
    groups: dict
    block: int = 0
    blocks: list | None = None
    workers: list | None = None

    def problems(self) -> list:
        return [*self.rest, *(p for found in self.groups.values() for p in found)]


def _payout_rows(records: Records):
    """(file, sheet) of the payouts sheet, or None when there is none."""
    place = records.places.get("payouts")
    return None if place is None else (place.file, place.sheet)


def _split(problems: list, records: Records, payouts: list) -> tuple[list, dict]:
    """(problems not of a payout row, {archive number: problems of its payouts' rows})."""
    sheet = _payout_rows(records)
    owner = {p.row: p.archive_no for p in payouts}
    rest: list = []
    groups: dict = {}
    for found in problems:
        no = owner.get(found.row, rest) if sheet is not None and (found.file, found.sheet) == sheet else rest
        (rest if no is rest else groups.setdefault(no, [])).append(found)
    return rest, groups


@dataclass
class CheckCache(keptfile.Entries):
    """The problems of each check module by what they were worked out from: the digests of
    the tables it reads (all of them for a module naming none), the check date, the program
    and the working-day calendar's package. The problems quote values of the records: `save`
    writes them owner-only, and the build keeps them beside its read store."""
    ran: list = field(default_factory=list)  # modules run (not taken as kept) through this cache

    @staticmethod
    def key(name: str, records: Records, tables, today: date) -> str:
        from ..reading.cache import _program

        h = hashlib.blake2b(f"checks-1|{_program()}|{_calendar_version()}|{name}|{today.isoformat()}|"
                            f"{tables}".encode(), digest_size=20)
        for table in tables or record_views.TABLES:
            h.update(record_views.table_digest(records, table))
        return h.hexdigest()

    def get(self, name: str, key: str) -> list | None:
        found = self.taken(name, key)
        return list(found) if found is not None else None

    def put(self, name: str, key: str, problems: list) -> None:
        self.keep(name, key, list(problems))
        self.ran.append(name.rsplit(".", 1)[-1])

    def by_tables(self, module, records: Records, ctx: Context, tables) -> list:
        """The problems of a module, kept while the tables it reads are those of its last run;
        for a module naming the COLUMNS it reads of some tables, also while those columns are
        (kept under a second key, of those columns' digests: record_views.column_digests), so
        that one payout amount changed does not run the modules reading no amount again."""
        name = module.__name__
        key = self.key(name, records, tables, ctx.today)
        got = self.get(name, key)
        if got is not None:
            return got
        columns = self.column_key(module, records, tables, ctx.today)
        got = self.get(name + "|columns", columns) if columns is not None else None
        if got is None:
            got = self._by_settings_read(name, records, tables, ctx.today)
        if got is not None:
            self.keep(name, key, got)
            return got
        read: set = set()
        got = _run(module, records, ctx, tables, read)
        self.put(name, key, got)
        if columns is not None:
            self.keep(name + "|columns", columns, list(got))
        self._keep_settings_read(name, records, tables, ctx.today, read, list(got))
        return got

    # A module reading the station's settings reads a few of their fields (a deadline, a
    # severity): its problems are also kept under a third key, of its other tables and of
    # exactly the settings fields it read (noted while it ran: _SettingsRead), so that a
    # saved station name or telephone number, which no check reads, runs no module again.
    # A module's problems are a function of what it reads: the same values of the same
    # fields, with the same other tables, give the same problems.

    def _by_settings_read(self, name: str, records: Records, tables, today: date):
        """What was kept under the key of the settings fields the module read last time
        (_keep_settings_read), while those fields and its other tables are as they were;
        else None."""
        found = self.taken(name + "|settings", SETTINGS_READ)
        if not isinstance(found, tuple) or len(found) != 3:
            return None
        fields_read, key, value = found
        if key != self.settings_key(name, records, tables, today, fields_read):
            return None
        return list(value) if isinstance(value, list) else value

    def _keep_settings_read(self, name: str, records: Records, tables, today: date, read: set | None,
                            value) -> None:
        if read is None or ALL_FIELDS in read or not _reads_settings(tables):
            self.entries.pop(name + "|settings", None)
            return
        fields_read = tuple(sorted(read))
        self.keep(name + "|settings", SETTINGS_READ,
                  (fields_read, self.settings_key(name, records, tables, today, fields_read), value))

    @staticmethod
    def settings_key(name: str, records: Records, tables, today: date, fields_read: tuple) -> str:
        """The digest of a module's tables other than the settings and of the settings fields
        named (each by its value, record_views.stable_bytes)."""
        from ..reading.cache import _program

        h = hashlib.blake2b(f"checks-settings-1|{_program()}|{_calendar_version()}|{name}|"
                            f"{today.isoformat()}|{tables}|{fields_read}".encode(), digest_size=20)
        for table in tables or record_views.TABLES:
            if table != "settings":
                h.update(record_views.table_digest(records, table))
        settings = records.settings
        for field_name in fields_read:
            data = record_views.stable_bytes(getattr(settings, field_name))
            h.update(field_name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
        return h.hexdigest()

    @staticmethod
    def column_key(module, records: Records, tables, today: date) -> str | None:
        """The key of a module's problems by the digests of the COLUMNS it names (of the tables
        it names them for) and of the whole of its other tables; None for a module naming no
        columns, or when a table's column digests are not at hand (its digest was kept)."""
        columns = getattr(module, "COLUMNS", None)
        if not columns:
            return None
        from ..reading.cache import _program

        h = hashlib.blake2b(f"checks-columns-1|{_program()}|{_calendar_version()}|{module.__name__}|"
                            f"{today.isoformat()}|{tables}|{sorted(columns.items())}".encode(), digest_size=20)
        for table in tables or record_views.TABLES:
            if table not in columns:
                h.update(record_views.table_digest(records, table))
                continue
            record_views.table_digest(records, table)  # worked out with its columns when not kept
            found = record_views.column_digests(records, table)
            if found is None or not set(columns[table]) <= set(found):
                return None
            for column in columns[table]:
                h.update(column.encode() + b"\0" + found[column])
        return h.hexdigest()

    def by_worker(self, module, records: Records, ctx: Context, tables) -> list:
        """The problems of a BY_WORKER module: kept while its tables are those of its last run;
        when only payouts changed, it runs again on the payouts of the workers whose payouts
        are in the blocks that changed (the archive numbers there before and now), and the
        problems of every other worker's payouts are kept. A module is BY_WORKER when the
        problems of a payout row depend only on the payouts of the same archive number (and
        on the other tables), and no other problem depends on the payouts."""
        name = module.__name__
        named = tables or record_views.TABLES
        key = self.key(name + "|by-worker", records, tuple(t for t in named if t != "payouts"), ctx.today)
        payouts = records.payouts
        whole = record_views.table_digest(records, "payouts")
        found = block_digests(records, "payouts")  # None for a digest the read kept (unchanged sheet)
        entry = self.taken(name, key)
        if entry is None:  # another key: perhaps only settings fields the module does not read changed
            same = self._by_settings_read(name + "|by-worker", records, _without_payouts(named), ctx.today)
            if isinstance(same, ByWorker):
                entry = same
                self.keep(name, key, entry)
        label = name.rsplit(".", 1)[-1]
        if isinstance(entry, ByWorker) and entry.whole == whole:
            return entry.problems()
        if isinstance(entry, ByWorker) and found is not None and entry.blocks is not None \
                and entry.block == found[0]:
            size, blocks = found
            changed = [i for i in range(max(len(blocks), len(entry.blocks)))
                       if i >= len(blocks) or i >= len(entry.blocks) or blocks[i] != entry.blocks[i]]
            if changed and 2 * len(changed) <= len(blocks):
                redone = set(changed)
                workers = [entry.workers[i] if i not in redone else _workers_in(payouts, i, size)
                           for i in range(len(blocks))]
                whom: set = set()
                for i in changed:  # the archive numbers in a changed block, before and now
                    if i < len(entry.workers):
                        whom |= entry.workers[i]
                    if i < len(blocks):
                        whom |= workers[i]
                some = [p for p in payouts if p.archive_no in whom]
                read: set | None = set()
                rest, groups = _split(_run_on(module, records, ctx, named, some, read), records, some)
                kept_groups = {no: got for no, got in entry.groups.items() if no not in whom}
                kept_groups.update(groups)
                read = _read_before(self.taken(name + "|by-worker|settings", SETTINGS_READ), entry, read)
                entry = ByWorker(whole, rest, kept_groups, size, blocks, workers)
                self.keep(name, key, entry)
                self._keep_settings_read(name + "|by-worker", records, _without_payouts(named), ctx.today,
                                         read, entry)
                self.ran.append(label + " (some workers)")
                return entry.problems()
        read = set()
        got = _run(module, records, ctx, tables, read)
        rest, groups = _split(got, records, payouts)
        if found is None:
            entry = ByWorker(whole, rest, groups)
        else:
            size, blocks = found
            entry = ByWorker(whole, rest, groups, size, blocks,
                             [_workers_in(payouts, i, size) for i in range(len(blocks))])
        self.keep(name, key, entry)
        self._keep_settings_read(name + "|by-worker", records, _without_payouts(named), ctx.today, read, entry)
        self.ran.append(label)
        return got


def _workers_in(payouts: list, block: int, size: int) -> frozenset:
    return frozenset(map(attrgetter("archive_no"), payouts[block * size:(block + 1) * size]))


def _run_on(module, records: Records, ctx: Context, tables, payouts: list, read: set | None = None) -> list:
    """The module run on `records` with only `payouts` (a view of `tables`; not of the same
    records, so no digest worked out for it is taken as theirs); the settings fields it read
    are added to `read` (as _run)."""
    for names in (tuple(tables), record_views.TABLES):  # all of them when it reads one it does not name
        cls = record_views.view_class(names, f"checks.{module.__name__} (some workers)")
        view = cls(folder=records.folder, **{name: payouts if name == "payouts" else getattr(records, name)
                                              for name in names})
        try:
            return _tracked(module, view, ctx, read if names == tuple(tables) else None)
        except AttributeError:
            _note_all(read)
            if names == record_views.TABLES:
                raise
    raise AssertionError("unreachable")


@cache
def _calendar_version() -> str:
    try:
        from importlib.metadata import version

        return version("chinesecalendar")
    except Exception:  # noqa: BLE001 - any failure only means no version in the key
        return "-"
