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


def _run(module, records: Records, ctx: Context, tables) -> list:
    if tables is None:
        return list(module.check(records, ctx))
    try:
        return list(module.check(record_views.view(records, tables, f"checks.{module.__name__}"), ctx))
    except AttributeError:  # it reads a table it does not name: run it on all of them
        return list(module.check(records, ctx))


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
        if got is not None:
            self.keep(name, key, got)
            return got
        got = _run(module, records, ctx, tables)
        self.put(name, key, got)
        if columns is not None:
            self.keep(name + "|columns", columns, list(got))
        return got

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
                rest, groups = _split(_run_on(module, records, ctx, named, some), records, some)
                kept_groups = {no: got for no, got in entry.groups.items() if no not in whom}
                kept_groups.update(groups)
                entry = ByWorker(whole, rest, kept_groups, size, blocks, workers)
                self.keep(name, key, entry)
                self.ran.append(label + " (some workers)")
                return entry.problems()
        got = _run(module, records, ctx, tables)
        rest, groups = _split(got, records, payouts)
        if found is None:
            entry = ByWorker(whole, rest, groups)
        else:
            size, blocks = found
            entry = ByWorker(whole, rest, groups, size, blocks,
                             [_workers_in(payouts, i, size) for i in range(len(blocks))])
        self.keep(name, key, entry)
        self.ran.append(label)
        return got


def _workers_in(payouts: list, block: int, size: int) -> frozenset:
    return frozenset(map(attrgetter("archive_no"), payouts[block * size:(block + 1) * size]))


def _run_on(module, records: Records, ctx: Context, tables, payouts: list) -> list:
    """The module run on `records` with only `payouts` (a view of `tables`; not of the same
    records, so no digest worked out for it is taken as theirs)."""
    for names in (tuple(tables), record_views.TABLES):  # all of them when it reads one it does not name
        cls = record_views.view_class(names, f"checks.{module.__name__} (some workers)")
        view = cls(folder=records.folder, **{name: payouts if name == "payouts" else getattr(records, name)
                                              for name in names})
        try:
            return list(module.check(view, ctx))
        except AttributeError:
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
