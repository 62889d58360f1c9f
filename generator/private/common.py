"""Small helpers shared by the printable documents: value display, the renderer, writing."""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path, PosixPath

from .. import render
from ..money import yuan
from ..outputs import write_bytes
from ..paths import FolderWriter, inside, write_text
from ..record_views import stable_bytes
from ..records import Records
from ..station import PRINTED, station

__all__ = ["Ctx", "Doc", "PRINTED", "attrs", "environment", "fields", "plain_digest", "show", "station",
           "station_key", "write_doc", "write_text"]


def show(value) -> str:
    """One value as printed text: dates in 2024年3月5日 form, money with separators, 是/否."""
    if value.__class__ is str:  # most values: a string prints as it is
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return render.zh_date(value)
    if isinstance(value, Decimal):
        return yuan(value)
    if isinstance(value, (tuple, list)):
        return "、".join(str(v) for v in value if v)
    return str(value)


_LABELS: dict = {}  # (id(sheet), keys) -> (sheet, column names): looked up once, not per record


def fields(sheet, record, keys) -> list[tuple[str, str]]:
    """(label, printed value) pairs; labels are the workbook's own column names."""
    known = _LABELS.get((id(sheet), keys))
    if known is None or known[0] is not sheet:
        known = _LABELS[(id(sheet), keys)] = (sheet, [(sheet.column(key).name, key) for key in keys])
    return [(label, value if (value := getattr(record, key)).__class__ is str else show(value))
            for label, key in known[1]]  # show() of a str is the str: not called for the most values


def environment(records: Records):
    """The shared renderer; a station's own `site_templates/` next to its records wins."""
    return render.station_environment(records)


@dataclass(frozen=True)
class Doc:
    path: Path
    digest: str  # of the content, print date excluded
    # (size, modification time in ns) of the file as written, where the writer knew them without
    # looking (paths.FolderWriter.write_noted): Carry.store then need not stat it again
    noted: tuple[int, int] | None = field(default=None, compare=False, repr=False)


class Ctx(dict):
    """A template context whose keys are also attributes: Jinja's `d.name` finds an attribute
    at once instead of failing over to `d["name"]` (about a quarter faster for the dossiers),
    and `d["name"]` in a station's own templates still works."""

    __slots__ = ("__dict__",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__ = self


def attrs(value):
    """Dicts (also inside lists and tuples) as Ctx, for rendering."""
    if isinstance(value, dict):
        return Ctx({k: attrs(v) for k, v in value.items()})
    if isinstance(value, list):
        return [attrs(v) for v in value]
    if isinstance(value, tuple) and any(isinstance(v, dict) for v in value):
        return tuple(attrs(v) for v in value)
    return value


_PLAIN = frozenset((str, int, float, bool, bytes, type(None)))
_DATES = frozenset((date, type(None)))
_DECIMALS = frozenset((Decimal, type(None)))


def plain_digest(rows) -> bytes:
    """A digest of rows (tuples of one length, or dicts with the same keys: Ctx) of the values
    a document shows, for its fingerprint, column by column: a column of plain values as it
    is, one of dates as day numbers, one of Decimals as their text, each tagged with its kind,
    all through marshal (version 0: no references, so equal values give equal bytes): about a
    fifth of stable_bytes' walk over tens of thousands of rows. Rows of another shape or with
    a value of another kind (never from a checked workbook) go through stable_bytes."""
    rows = list(rows)
    keys = tuple(rows[0]) if rows and isinstance(rows[0], dict) else ()
    table = [tuple(r.values()) for r in rows] if keys else [tuple(r) for r in rows]
    columns: list = []
    if len(set(map(len, table))) <= 1 and not (keys and any(tuple(r) != keys for r in rows)):
        for column in zip(*table):
            held = set(map(type, column))
            if held <= _PLAIN:
                columns.append(("p", column))
            elif held <= _DATES:
                columns.append(("d", [None if v is None else v.toordinal() for v in column]))
            elif held <= _DECIMALS:
                columns.append(("D", [None if v is None else str(v) for v in column]))
            else:
                columns = None
                break
    else:
        columns = None
    if columns is None:
        data = b"s" + stable_bytes([dict(r) if isinstance(r, dict) else r for r in rows])
    else:
        data = b"m" + marshal.dumps((keys, len(table), columns), 0)
    return hashlib.blake2b(data).digest()


def station_key(st) -> tuple:
    """The station header as a fingerprint sees it: without the date (see PRINTED)."""
    values = st.items() if isinstance(st, dict) else \
        ((f.name, getattr(st, f.name)) for f in dataclasses.fields(st))
    return tuple(sorted((k, v) for k, v in values if k != "today"))


_PRINTED = PRINTED.encode("utf-8")


def write_doc(folder: Path, path: Path, html: str, today: date, writer: FolderWriter | None = None) -> Doc:
    """Write a rendered private document, filling in the print date; returns it with its digest.
    A `writer` (paths.FolderWriter for the document's folder) saves checking the folder for
    every one of many documents."""
    data = html.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    data = data.replace(_PRINTED, render.zh_date(today).encode("utf-8"))  # UTF-8: same as on the text
    if writer is None:
        path = Path(path)
        inside(folder, path.parent)
        write_bytes(path, data)
        return Doc(path, digest)
    if path.__class__ is not PosixPath and not isinstance(path, Path):
        path = Path(path)
    if not writer.holds(path):
        raise ValueError(f"{path} is not in {writer.folder}")
    return Doc(path, digest, writer.write_noted(os.path.basename(path), data))
