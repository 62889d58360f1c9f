"""Views of a station's records that expose only some tables, and digests of those tables.

    v = view(records, ("settings", "payouts", "items"))
    v.payouts          # the same list as records.payouts
    v.visits           # AttributeError: not in the view (nor is visits_by_worker)
    digest(v)          # SHA-256 of exactly the tables the view exposes

A stage that receives a view cannot start to depend on another table silently: reading one
raises, its tests fail, and the table must be named in the stage's list, which is what its
fingerprint takes in (site/public.py for the public site; the private writer's quarterly
reports and 办结表). Each table is pickled once per Records object however many views
fingerprint it (the digests are kept on the records the views were made from).
"""

from __future__ import annotations

import hashlib
import io
import marshal
import pickle
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from operator import attrgetter, is_

from .records import Records, pickle_reducers

TABLES = tuple(f.name for f in fields(Records) if f.name != "folder")


class Withheld:
    """A table a view does not expose: reading it raises AttributeError (a data descriptor, so
    it wins over the instance's own attribute; writes, from the dataclass __init__, are dropped)."""

    def __init__(self, name: str, label: str):
        self.name, self.label = name, label

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        raise AttributeError(f"{self.label} does not read records.{self.name} (see its list of tables)")

    def __set__(self, obj, value) -> None:
        pass


@cache
def view_class(tables: tuple[str, ...], label: str) -> type:
    """The Records subclass exposing only `tables` (and `folder`)."""
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(f"not tables of Records: {sorted(unknown)}")

    def __repr__(self) -> str:
        return f"{label}({', '.join(f'{n}={getattr(self, n)!r}' for n in ('folder', *tables))})"

    namespace: dict[str, object] = {name: Withheld(name, label) for name in TABLES if name not in tables}
    namespace.update(__repr__=__repr__, TABLES=tables, __doc__=f"Records as {label} sees them.")
    return type(label.replace(" ", ""), (Records,), namespace)


def view(records: Records, tables: tuple[str, ...], label: str) -> Records:
    """`records` exposing only `tables` (the same objects, no copies)."""
    cls = view_class(tuple(tables), label)
    if type(records) is cls:
        return records
    out = cls(folder=records.folder, **{name: getattr(records, name) for name in tables})
    out.__dict__["_origin"] = _origin(records)
    return out


def _origin(records: Records) -> Records:
    return records.__dict__.get("_origin", records)


def per_table(records: Records, kept_as: str, name: str, make):
    """make(table) for the records' table `name`, worked out once per Records object (and its
    views) and kept under `kept_as` in the records' __dict__ until that table is replaced by
    another object (the one rule for what makes such a kept result stale)."""
    table = getattr(records, name)
    kept = _origin(records).__dict__.setdefault(kept_as, {})
    found = kept.get(name)
    if found is None or found[0] is not table:
        found = kept[name] = (table, make(table))
    return found[1]


_REDUCERS = pickle_reducers()


def stable_pickle(value) -> bytes:
    """`value` pickled without pickle's memo: equal values give equal bytes however the objects
    are shared (records parsed from a workbook and records loaded from the read store)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _REDUCERS
    pickler.fast = True  # no memo: see above
    pickler.dump(value)
    return buffer.getvalue()


_ATOMS = frozenset({str, int, float, bool, type(None), bytes})
_GETTERS: dict = {}  # type -> (tag, field getter) of every dataclass met
_OTHER: set = set()  # types that are not dataclasses


def _getter(t: type):
    found = _GETTERS.get(t)
    if found is None and t not in _OTHER:
        if not is_dataclass(t):
            _OTHER.add(t)
            return None
        names = [f.name for f in fields(t)]
        get = attrgetter(*names) if len(names) > 1 else (lambda o, n=names: tuple(getattr(o, x) for x in n))
        found = _GETTERS[t] = (f"\0{t.__module__}.{t.__qualname__}", get)
    return found


def _flat(x):
    """`x` as nested tuples of plain values, every non-plain value tagged with its kind (a tag
    starts with NUL, which no workbook text holds): a dataclass by its class and field values,
    a date by its day number, a Decimal by its text (so 1.0 and 1.00, shown differently, differ)."""
    t = type(x)
    if t in _ATOMS:
        return x
    if t is tuple:
        return tuple([v if type(v) in _ATOMS else _flat(v) for v in x])
    if t is list:
        return ("\0[", tuple([v if type(v) in _ATOMS else _flat(v) for v in x]))
    if t is date:
        return ("\0d", x.toordinal())
    if t is Decimal:
        return ("\0D", str(x))
    found = _getter(t)
    if found is not None:
        return (found[0], tuple([v if type(v) in _ATOMS else _flat(v) for v in found[1](x)]))
    if t is dict:
        return ("\0{", tuple((_flat(k), _flat(v)) for k, v in x.items()))
    return ("\0?", stable_pickle(x))  # anything else (a datetime, an enum): its pickle


def stable_bytes(value) -> bytes:
    """Bytes of `value` for fingerprints: equal values give equal bytes, however the objects are
    shared or interned (marshal version 0 keeps no references), and unequal values of the
    kinds records hold give unequal bytes. Several times faster than pickle without its memo,
    which writes every date, Decimal and record class as a global looked up by import."""
    return marshal.dumps(_flat(value), 0)


_REPRS = _ATOMS | {date, Decimal}  # kinds whose repr (C code, no frame per value) tells every value apart


def table_bytes(table) -> bytes:
    """stable_bytes of a table, column by column when every row is of one dataclass: a column of
    plain values through marshal, one of dates, Decimals and plain values as its repr (which
    tells 1 from True, 1.0 from 1 and Decimal('1.0') from Decimal('1.00')), anything else
    through stable_bytes; each part framed by its length. Two to four times faster than row by
    row for 100,000 payouts, which every rebuild fingerprints."""
    kinds = set(map(type, table)) if isinstance(table, list) else set()
    found = _getter(next(iter(kinds))) if len(kinds) == 1 else None
    if found is None:
        return stable_bytes(table)
    out = [found[0].encode("utf-8"), str(len(table)).encode()]
    for f in fields(next(iter(kinds))):
        data = column_bytes(list(map(attrgetter(f.name), table)))
        out.append(f"{f.name}|{len(data)}|".encode() + data)
    return b"\0".join(out)


def column_bytes(column: list) -> bytes:
    """The bytes of one column of values for a digest (table_bytes): plain values through
    marshal, dates, Decimals and plain values as their repr, anything else through
    stable_bytes."""
    held = set(map(type, column))
    if held <= _ATOMS:
        return marshal.dumps(column, 0)
    if held <= _REPRS:
        return repr(column).encode("utf-8", "surrogatepass")
    return stable_bytes(column)


# The last digest of each table, with the rows it was worked out from: a table of the very
# same record objects (records are frozen) has the same digest. `bangfu serve` rebuilds with
# the records of the workbooks that were not saved reused (reading.keep_parsed), so only the
# saved workbook's tables are digested again. The rows are held, so no id is reused while
# they are compared.
_LAST: dict[str, tuple[list, bytes, tuple | None]] = {}


def forget_tables() -> None:
    """Let go of the rows kept with the last digests (a build that no longer needs its records)."""
    _LAST.clear()


def _frozen_rows(table) -> bool:
    if type(table) is not list:
        return False
    params = getattr(type(table[0]), "__dataclass_params__", None) if table else None
    return not table or (params is not None and params.frozen and len(set(map(type, table))) == 1)


# Rows per block of a table's digest: a list of rows is digested block by block, and its
# digest is that of the blocks' digests, which are kept with it (block_digests): a stage
# keeping results per block or per group of rows tells the rows that changed from the blocks
# whose digests differ, at no extra cost (checks.CheckCache after one payout amount).
BLOCK = 1024


def table_digest(records: Records, name: str) -> bytes:
    """SHA-256 of one table, worked out once per Records object (and its views), and not again
    for a table of the same record objects as the last one of that name."""
    origin = _origin(records)
    table = getattr(records, name)
    kept = origin.__dict__.setdefault("_table_digests", {})
    found = kept.get(name)
    if found is not None and found[0] is table:
        return found[1]
    blocks = origin.__dict__.setdefault("_block_digests", {})
    last = _LAST.get(name)
    if last is not None and type(table) is list and len(last[0]) == len(table) and all(map(is_, last[0], table)):
        out = last[1]
        if last[2] is not None:
            blocks[name] = (table, last[2])
    else:
        parts = _blocks(table, last)
        if parts is None:
            data = table_bytes(table)
            out = hashlib.sha256(f"{name}|{len(data)}|".encode() + data).digest()
        else:
            out = hashlib.sha256(f"{name}|blocks|{len(table)}|{BLOCK}|".encode() + b"".join(parts[1])).digest()
            blocks[name] = (table, parts)
        if _frozen_rows(table):
            _LAST[name] = (list(table), out, parts)
    kept[name] = (table, out)
    return out


def _blocks(table, last: tuple | None = None) -> tuple | None:
    """(BLOCK, the digests of the table's blocks of BLOCK rows (table_bytes of each), the digest
    of each column, for each block the digest of each column's part of it), or None for a table
    that is not a list of rows of one dataclass (the settings, the places). A column's digest
    is that of its parts' digests, block by block. A block of the very same record objects as
    the same block of `last` (an entry of _LAST: the rows and their _blocks) is not digested
    again: after one edited cell of a large table only its block is."""
    if type(table) is not list or not table or len(set(map(type, table))) != 1:
        return None
    found = _getter(type(table[0]))
    if found is None:
        return None
    names = [f.name for f in fields(type(table[0]))]
    before = last[0] if last is not None and last[2] is not None and len(last[2]) == 4 else None
    columns = {n: hashlib.sha256(f"{n}|".encode()) for n in names}
    parts = []
    cells = []
    for i in range(0, len(table), BLOCK):
        block = table[i:i + BLOCK]
        if before is not None and len(before[i:i + BLOCK]) == len(block) and all(map(is_, before[i:i + BLOCK], block)):
            assert last is not None
            parts.append(last[2][1][i // BLOCK])
            cells.append(last[2][3][i // BLOCK])
        else:
            out = [found[0].encode("utf-8"), str(len(block)).encode()]
            digests = []
            for n in names:  # as table_bytes(block); each column's part digested for the column's digest
                data = column_bytes(list(map(attrgetter(n), block)))
                piece = f"{n}|{len(data)}|".encode() + data
                digests.append(hashlib.sha256(piece).digest())
                out.append(piece)
            parts.append(hashlib.sha256(b"\0".join(out)).digest())
            cells.append(b"".join(digests))
        for k, n in enumerate(names):
            columns[n].update(cells[-1][32 * k:32 * k + 32])
    return BLOCK, parts, {n: h.digest() for n, h in columns.items()}, cells


def seed(name: str, rows: list, digest: bytes, blocks: tuple | None) -> None:
    """Tell table_digest the digest and blocks (block_info) a table of these very rows had, as
    worked out by an earlier build of this program (the read store keeps them): a table of
    mostly the same record objects (a sheet read from its changed pieces) then digests only
    its blocks that differ."""
    if blocks is not None and len(blocks) == 4 and _frozen_rows(rows) and blocks[0] == BLOCK \
            and len(blocks[1]) == len(blocks[3]) == -(-len(rows) // BLOCK):
        _LAST[name] = (list(rows), digest, blocks)


def block_info(records: Records, name: str) -> tuple | None:
    """What seed takes: the _blocks of the table's digest, when worked out in this process."""
    found = _origin(records).__dict__.get("_block_digests", {}).get(name)
    if found is None or found[0] is not getattr(records, name) or len(found[1]) != 4:
        return None
    return found[1]


def block_digests(records: Records, name: str) -> tuple[int, list[bytes]] | None:
    """(BLOCK, the digests of the table's blocks of BLOCK rows) when its digest was worked out
    from them in this process (table_digest), else None: a digest the read kept from an earlier
    build (an unchanged sheet) comes without them, and they are not worked out only for this."""
    found = _origin(records).__dict__.get("_block_digests", {}).get(name)
    if found is None or found[0] is not getattr(records, name):
        return None
    return found[1][0], found[1][1]


def column_digests(records: Records, name: str) -> dict[str, bytes] | None:
    """Column name -> digest of that column of the table (every row's value, in order), when
    the table's digest was worked out in this process (as block_digests), else None."""
    found = _origin(records).__dict__.get("_block_digests", {}).get(name)
    if found is None or found[0] is not getattr(records, name):
        return None
    return found[1][2]


def digest(records: Records, tables: tuple[str, ...] | None = None) -> str:
    """SHA-256 of `tables` (by default every table a view exposes)."""
    names = tables if tables is not None else type(records).TABLES  # type: ignore[attr-defined]
    h = hashlib.sha256(b"record-views-1")
    for name in names:
        h.update(name.encode() + b"\0" + table_digest(records, name))
    return h.hexdigest()
