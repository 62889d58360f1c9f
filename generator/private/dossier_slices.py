"""When a dossier must be rendered again: each worker's slice of the tables a dossier shows,
as short digests for its fingerprint (Slices), and the rows of those tables encoded for
marshal (table_values, table_columns), which the receipt sheets, the quarterly reports, the
办结表 and the work list digest too."""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import fields as dataclass_fields
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter

from ..record_views import block_info, per_table, stable_bytes, table_digest
from ..records import Records

# What a dossier shows besides the small policy tables (shared_shown) and its batches: the worker's
# register row and its own rows of these tables, as the records' per-worker indices list them.
# Together with dossier_context they must name everything the context reads.
SLICE_TABLES = ("workers", "payouts", "visits", "members", "objections", "reviews")
_ALL = range(len(SLICE_TABLES))
SLICES = "slices"  # in a dossier's entry of the fingerprints file: [archive no, digest per table]
_NONE = ("none",)  # the key of the digest of no rows in Slices' tables (no archive number is a tuple)
TABLES_KEY = ".dossier-tables"  # in the fingerprints file: the salt and each SLICE_TABLES digest
_PLAIN = frozenset({str, int, float, bool, type(None)})  # marshal writes them with their type
_DATES = frozenset({date, type(None)})
_DECIMALS = frozenset({Decimal, type(None)})
_PLAIN_TYPES = frozenset({"str", "int", "float", "bool", "None"})


def _value(v) -> bytes:
    """A value of a column row_values cannot write the quick way: bytes (a type no quick way
    writes), its repr for the kinds whose repr tells every value apart (1 / True / 1.0,
    Decimal 1.0 / 1.00), else a NUL and its stable_bytes."""
    if type(v) in _PLAIN or type(v) in (date, Decimal):
        return repr(v).encode("utf-8", "surrogatepass")
    return b"\0" + stable_bytes(v)


@lru_cache(maxsize=64)
def _kinds(cls: type) -> tuple[tuple[str, str], ...]:
    """(field, kind) of a record class, from its declared types (the code, in every salt): "p" a
    plain value, "d" a date, "D" a Decimal, "s" anything else."""
    out = []
    for f in dataclass_fields(cls):
        declared = {t.strip() for t in str(f.type).split("|")}
        if declared <= _PLAIN_TYPES:
            out.append((f.name, "p"))
        elif declared <= {"date", "None"}:
            out.append((f.name, "d"))
        elif declared <= {"Decimal", "None"}:
            out.append((f.name, "D"))
        else:
            out.append((f.name, "s"))
    return tuple(out)


def _rows(records: Records, name: str, w) -> list | tuple:
    """w's rows of table `name`, in the order of the records' per-worker index."""
    no = w.archive_no
    if name == "workers":
        return (w,)
    if name == "objections" and not no:
        return [o for o in records.objections if o.archive_no == no]
    return getattr(records, f"{name}_by_worker").get(no, ())


def table_values(records: Records, name: str) -> dict:
    """row_values of one table, worked out once per Records object (and its views): the
    dossiers' slices and the quarterly reports' inputs (private.report_inputs) share them."""
    return per_table(records, "_row_values", name, lambda table: row_values(table, table_columns(records, name)))


def table_columns(records: Records, name: str) -> list[list] | None:
    """encoded_columns of one table, worked out once per Records object (and its views)."""
    return per_table(records, "_row_columns", name, encoded_columns)


def row_values(table, columns: list[list] | None = None) -> dict:
    """Each row as a tuple of values marshal writes (id(row) -> tuple), worked out column by
    column (`columns`: encoded_columns(table), when already worked out). Marshalled (version 0:
    no references), equal rows give equal bytes however their values are shared."""
    columns = encoded_columns(table) if columns is None else columns
    if columns is None:
        return {id(row): (b"\0" + stable_bytes(row),) for row in table}
    return dict(zip(map(id, table), zip(*columns)))


def encoded_columns(table) -> list[list] | None:
    """The columns of a table of records of one dataclass, each as values marshal writes (None
    for any other table). A column holding what its field declares is written the quick way
    (plain values as they are, dates as day numbers, Decimals as their text, where "None" is
    no Decimal's text); any other column value by value (_value, all bytes, so the two ways
    never meet). A value's bytes thus depend on its field and value alone, never on the other
    rows: an edit elsewhere in the table leaves a row's bytes as they were."""
    kinds = set(map(type, table))
    if len(kinds) != 1 or not hasattr(next(iter(kinds)), "__dataclass_fields__"):
        return None
    columns = []
    for name, kind in _kinds(next(iter(kinds))):
        column = list(map(attrgetter(name), table))
        held = set(map(type, column)) if kind != "s" else None
        if kind == "p" and held <= _PLAIN:
            pass
        elif kind == "d" and held <= _DATES:
            # day numbers looked up per distinct date: a column of 100,000 dates holds a few hundred
            days = {v: v.toordinal() for v in set(column) if v is not None}
            days[None] = None
            column = list(map(days.__getitem__, column))
        elif kind == "D" and held <= _DECIMALS:
            column = list(map(str, column))
        else:
            column = list(map(_value, column))
        columns.append(column)
    return columns


BLOCK = 1024  # rows of a table per block digest where the table's digest has no blocks (_own_blocks)


def _block_digests(records: Records, name: str, key: int) -> list | None:
    """[rows per block, row count, a digest of each block of rows (every column), a digest of
    each block's archive numbers (column `key`)]: what Slices compares with the last build's to
    find the rows an edit changed. Taken from the blocks the table's digest was worked out from
    (record_views.block_info: table_bytes of each block, and each column's part of it), so no
    row is encoded again for them; None when the digest came without its blocks (_own_blocks)."""
    info = block_info(records, name)
    if info is None:
        return None
    size, parts, _columns, cells = info
    start, end = 32 * key, 32 * key + 32  # each column's digest of the block, in field order
    return [size, len(getattr(records, name)), list(parts), [c[start:end] for c in cells]]


def _own_blocks(columns: list[list], key: int) -> list:
    """_block_digests worked out from the encoded columns, by blocks of BLOCK rows."""
    dumps, blake2b = marshal.dumps, hashlib.blake2b
    count = len(columns[0]) if columns else 0
    rows, keys = [], []
    for start in range(0, count, BLOCK):
        end = start + BLOCK
        rows.append(blake2b(dumps(tuple([c[start:end] for c in columns]), 0), digest_size=12).digest())
        keys.append(blake2b(dumps(columns[key][start:end], 0), digest_size=12).digest())
    return [BLOCK, count, rows, keys]


class Slices:
    """Each worker's slice of every SLICE_TABLES table, as a short digest, for the dossiers'
    fingerprints. A table whose digest (record_views.table_digest, column by column) is the last
    build's has the same rows per worker, so its slices are taken from the last build's entries
    (`slices`: archive number and digests) instead of being worked out: after one edited visit
    note only the visits are sliced again, not 100,000 payouts.

    Of a table that changed, only the workers whose rows changed are sliced again: the table's
    digests by blocks of rows (_block_digests, kept in the fingerprints file) are compared
    with the last build's, and when the table has as many rows and the same archive numbers in
    each block, every worker without a row in a changed block has the rows of the last build
    (same rows, same places), so keeps its slice. Otherwise (rows added, removed or moved to
    another worker) every slice of the table is worked out, as without the blocks."""

    def __init__(self, records: Records, carry):
        self.records, self.carry = records, carry
        self.digests = {name: table_digest(records, name).hex() for name in SLICE_TABLES}
        old = carry.old.get(TABLES_KEY)
        self.same = isinstance(old, dict) and old.get("salt") == carry.salt and isinstance(old.get("tables"), dict)
        self.kept = {i for i, name in enumerate(SLICE_TABLES)
                     if self.same and old["tables"].get(name) == self.digests[name]}
        self.fresh = [i for i in range(len(SLICE_TABLES)) if i not in self.kept]  # tables sliced again
        self.tables: list | None = None  # _table of every table, in order, once all are asked for
        self.sliced: dict = {}  # table index -> {key: digest} (key: id of a register row, else archive number)
        self.encoded: dict = {}  # table index -> row_values of the table
        self.columns: dict = {}  # table index -> encoded_columns of the table
        self.positions: dict = {}  # table index -> {id(row): its place in the table}
        old_blocks = old.get("blocks") if self.same and isinstance(old.get("blocks"), dict) else {}
        self.blocks: dict = {SLICE_TABLES[i]: old_blocks[SLICE_TABLES[i]] for i in self.kept
                             if SLICE_TABLES[i] in old_blocks}  # name -> _block_digests, for the next build
        self.redo: dict = {}  # table index -> keys whose slice is worked out again (the others: the last build's)
        if self.same:
            for i in self.fresh:
                self._compare(i, old_blocks.get(SLICE_TABLES[i]))

    def _encode(self, i: int) -> list | None:
        if i not in self.columns:
            self.columns[i] = table_columns(self.records, SLICE_TABLES[i])
        return self.columns[i]

    def _blocks(self, i: int) -> None:
        """The block digests of table i (_block_digests), for the next build and for _compare:
        those of the table's digest, else worked out from its encoded columns."""
        name = SLICE_TABLES[i]
        table = getattr(self.records, name)
        kinds = set(map(type, table)) if type(table) is list and table else set()
        if len(kinds) != 1 or not hasattr(next(iter(kinds)), "__dataclass_fields__"):
            return
        names = [field for field, _ in _kinds(next(iter(kinds)))]
        if "archive_no" not in names:
            return
        key = names.index("archive_no")
        found = _block_digests(self.records, name, key)
        if found is None:
            columns = self._encode(i)
            if columns is None:
                return
            found = _own_blocks(columns, key)
        self.blocks[name] = found

    def _compare(self, i: int, old) -> None:
        """Which workers' rows of table i changed since the last build (self.redo), when the
        blocks tell (see the class)."""
        self._blocks(i)
        now = self.blocks.get(SLICE_TABLES[i])
        if now is None or not (isinstance(old, list) and len(old) == 4 and old[0] == now[0] and old[1] == now[1]
                               and old[3] == now[3] and isinstance(old[2], list) and len(old[2]) == len(now[2])):
            return
        if self._encode(i) is None:
            return
        size = now[0]
        table = getattr(self.records, SLICE_TABLES[i])
        rows = [r for b, (was, is_) in enumerate(zip(old[2], now[2])) if was != is_
                for r in table[b * size:(b + 1) * size]]
        self.redo[i] = {id(r) for r in rows} if i == 0 else {r.archive_no for r in rows}

    def _table(self, i: int) -> dict:
        """Every worker's digest of table i, worked out for the whole table at once."""
        found = self.sliced.get(i)
        if found is None:
            name, records = SLICE_TABLES[i], self.records
            encoded = table_values(records, name)
            dumps, blake2b = marshal.dumps, hashlib.blake2b
            if name == "workers":
                found = {key: blake2b(dumps((row,), 0), digest_size=12).hexdigest() for key, row in encoded.items()}
            else:
                value = encoded.__getitem__
                found = {no: blake2b(dumps(tuple(map(value, map(id, rows))), 0), digest_size=12).hexdigest()
                         for no, rows in getattr(records, f"{name}_by_worker").items()}
            found[_NONE] = blake2b(dumps((), 0), digest_size=12).hexdigest()
            self.sliced[i], self.encoded[i] = found, encoded
        return found

    def _slice(self, i: int, w) -> str:
        table = self._table(i)
        if i == 0:
            return table[id(w)]
        no = w.archive_no
        if not no and SLICE_TABLES[i] == "objections":  # as _rows: no index entry for a missing number
            encoded = self.encoded[i]
            rows = tuple(encoded[id(r)] for r in _rows(self.records, "objections", w))
            return hashlib.blake2b(marshal.dumps(rows, 0), digest_size=12).hexdigest()
        return table.get(no) or table[_NONE]

    def _slice_again(self, i: int, w) -> str:
        """_slice of one worker whose rows of table i changed, from the encoded columns (the same
        digest _table gives), without the whole table's slices."""
        name = SLICE_TABLES[i]
        if not w.archive_no and name == "objections":
            return self._slice(i, w)
        columns = self.columns[i]
        places = self.positions.get(i)
        if places is None:
            places = self.positions[i] = {id(r): n for n, r in enumerate(getattr(self.records, name))}
        rows = (w,) if i == 0 else getattr(self.records, f"{name}_by_worker").get(w.archive_no, ())
        values = tuple([tuple([c[places[id(r)]] for c in columns]) for r in rows])
        return hashlib.blake2b(marshal.dumps(values, 0), digest_size=12).hexdigest()

    def of(self, w, key: str) -> list:
        """[archive number, one digest per table] for w's dossier (`key`: its name in the folder, 档案/….html)."""
        entry = self.carry.old.get(key) if self.same else None
        old = entry.get(SLICES) if isinstance(entry, dict) else None
        if isinstance(old, list) and len(old) == 1 + len(SLICE_TABLES) and old[0] == w.archive_no:
            out = list(old)
            for i in self.fresh:
                redo = self.redo.get(i)
                if redo is None:
                    out[1 + i] = self._slice(i, w)
                elif (id(w) if i == 0 else w.archive_no) in redo:
                    out[1 + i] = self._slice_again(i, w)
            return out
        no = w.archive_no
        if not no:
            return [no, *[self._slice(i, w) for i in _ALL]]
        tables = self.tables
        if tables is None:  # every table's slices, worked out at once when first asked for
            tables = self.tables = [self._table(i) for i in _ALL]
        return [no, tables[0][id(w)], *[t.get(no) or t[_NONE] for t in tables[1:]]]

    def save(self) -> None:
        for i in range(len(SLICE_TABLES)):  # the blocks of every table, for the next build to compare
            if SLICE_TABLES[i] not in self.blocks and getattr(self.records, SLICE_TABLES[i]):
                self._blocks(i)
        self.carry.new[TABLES_KEY] = {"salt": self.carry.salt, "tables": self.digests, "blocks": self.blocks}


def _payout_batches(records: Records) -> dict:
    """Archive number -> the batches of its payouts, in order of appearance (the per-worker index
    lists each worker's payouts in table order), without repeats: one pass over the payouts for
    every dossier's fingerprint."""
    found: dict = {}
    for p in records.payouts:
        if p.batch:
            found.setdefault(p.archive_no, {})[p.batch] = None
    return {no: tuple(batches) for no, batches in found.items()}


def _batch_parts(records: Records, w, periods: dict, batch_parts: dict, payout_batches: dict) -> list[bytes]:
    """The digest of each batch w appears in (the batch's record and disclosure state), in order
    of appearance (its own batch, then its payouts', `payout_batches`: _payout_batches); each batch worked out
    once per build (`batch_parts`): the same batch stands in thousands of dossiers."""
    own = payout_batches.get(w.archive_no, ())
    if w.batch:
        own = (w.batch, *own) if w.batch not in own else (w.batch, *[b for b in own if b != w.batch])
    out = []
    for batch_no in own:
        part = batch_parts.get(batch_no)
        if part is None:
            v = periods.get(batch_no)
            state = (v.state, v.start, v.end) if v is not None else None
            part = batch_parts[batch_no] = hashlib.sha256(
                stable_bytes((batch_no, records.batch_by_no.get(batch_no), state))).digest()
        out.append(part)
    return out


def shared_shown(records: Records, today: date, site_url: str | None) -> tuple:
    """What every dossier reads from the small policy tables, fingerprinted once per build: the
    低保 lines and categories (income section, review history), the items (each case's 办理时限)
    and the days entered in the work calendar (the working days of each case step)."""
    return (tuple(records.dibao_lines), tuple(records.categories), tuple(records.items),
            tuple(records.calendar), today.year, site_url)
