"""Small helpers shared by the printable documents: value display, the renderer, writing."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from .. import render
from ..money import yuan
from ..outputs import write_bytes
from ..paths import FolderWriter, inside, write_text
from ..records import Records
from ..station import PRINTED, station

__all__ = ["Ctx", "Doc", "PRINTED", "attrs", "environment", "fields", "show", "station", "station_key",
           "write_doc", "write_text"]


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
    return [(label, show(getattr(record, key))) for label, key in known[1]]


def environment(records: Records):
    """The shared renderer; a station's own `site_templates/` next to its records wins."""
    return render.station_environment(records)


@dataclass(frozen=True)
class Doc:
    path: Path
    digest: str  # of the content, print date excluded


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
    path = Path(path)
    if writer is None:
        inside(folder, path.parent)
        write_bytes(path, data)
    elif path.parent == writer.folder:
        writer.write(path.name, data)
    else:
        raise ValueError(f"{path} is not in {writer.folder}")
    return Doc(path, digest)
