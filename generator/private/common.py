"""Small helpers shared by the printable documents: value display, the renderer, writing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from .. import render
from ..money import yuan
from ..paths import write_text
from ..records import Records
from ..station import PRINTED, station

__all__ = ["Doc", "PRINTED", "environment", "fields", "show", "station", "write_doc", "write_text"]


def show(value) -> str:
    """One value as printed text: dates in 2024年3月5日 form, money with separators, 是/否."""
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


def fields(sheet, record, keys) -> list[tuple[str, str]]:
    """(label, printed value) pairs; labels are the workbook's own column names."""
    return [(sheet.column(key).name, show(getattr(record, key))) for key in keys]


def environment(records: Records):
    """The shared renderer; a station's own `site_templates/` next to its records wins."""
    return render.station_environment(records)


@dataclass(frozen=True)
class Doc:
    path: Path
    digest: str  # of the content, print date excluded


def write_doc(folder: Path, path: Path, html: str, today: date) -> Doc:
    """Write a rendered private document, filling in the print date; returns it with its digest."""
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    write_text(folder, path, html.replace(PRINTED, render.zh_date(today)))
    return Doc(Path(path), digest)
