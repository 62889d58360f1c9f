"""The rows of a table marshalled once a build, for the digests that marshal many of them.

The receipt sheets (two digests a sheet), the quarterly reports' inputs (a slice a quarter) and
the 办结表 (its year's rows, its chunks' keys) each marshal the payouts as the dossiers' slices
encode them (dossier_slices.table_values): five times 100,000 rows on a fresh build at 20,000
workers. Marshal's version 0 writes a tuple as its type, its length and its items one after the
other, with no references between them, so a tuple of rows is its rows' bytes joined: each row
is marshalled once (`row_bytes`, kept with the records like table_values) and every digest joins
the bytes of its rows (`rows_bytes`), the very bytes marshal.dumps(tuple(rows), 0) gives.

    data = rows_bytes(records, "payouts", sheet.payouts)   # == marshal.dumps(tuple(values...), 0)
    data = tuple_bytes([marshal.dumps(k, 0), data])         # == marshal.dumps((k, (values...)), 0)
"""

from __future__ import annotations

import marshal
import struct

from ..record_views import per_table
from .dossier_slices import table_values

KEPT = "_row_bytes"  # in the records' __dict__ (memory.KEPT_WITH_RECORDS)
_TUPLE = b"("  # marshal's TYPE_TUPLE, which version 0 writes for every tuple with a 4-byte length
_LENGTH = struct.Struct("<i")


def row_bytes(records, name: str) -> dict:
    """id(row) -> marshal.dumps(table_values(records, name)[id(row)], 0), worked out once per
    Records object (and its views) and table."""
    def marshalled(table) -> dict:
        dumps = marshal.dumps
        return {key: dumps(value, 0) for key, value in table_values(records, name).items()}

    return per_table(records, KEPT, name, marshalled)


def tuple_bytes(items: list[bytes]) -> bytes:
    """marshal.dumps(tuple(objects), 0), given each object's marshal.dumps(object, 0)."""
    return _TUPLE + _LENGTH.pack(len(items)) + b"".join(items)


def rows_bytes(records, name: str, rows) -> bytes:
    """marshal.dumps(tuple([table_values(records, name)[id(r)] for r in rows]), 0)."""
    found = row_bytes(records, name)
    return tuple_bytes([found[id(r)] for r in rows])
