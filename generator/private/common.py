"""Small helpers shared by the printable documents: value display, the renderer, writing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from markupsafe import Markup

from .. import render
from ..money import yuan
from ..records import Records
from .paths import inside


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
    return render.environment([Path(records.folder).parent / "site_templates"])


# Private documents print their date through this marker, replaced after hashing, so
# an unchanged document keeps its digest from day to day (its PDF is then reused).
PRINTED = Markup("\ue000打印日期\ue000")


@dataclass(frozen=True)
class Doc:
    path: Path
    digest: str  # of the content, print date excluded


def station(records: Records, today: date) -> dict:
    """What every page header and footer says about the station."""
    s = records.settings
    return {
        "name": s.station_name or "困难职工帮扶站",
        "parent": s.parent_union or "",
        "address": s.address or "",
        "phone": s.phone or "",
        "hotline": s.hotline or "12351",
        "hours": s.hours or "",
        "contact": s.contact or "",
        "today": today,
        "printed": PRINTED,
    }


def write_text(folder: Path, path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write inside `folder` only (file names come from data)."""
    target = inside(folder, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding=encoding)
    return Path(path)


def write_doc(folder: Path, path: Path, html: str, today: date) -> Doc:
    """Write a rendered private document, filling in the print date; returns it with its digest."""
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    write_text(folder, path, html.replace(PRINTED, render.zh_date(today)))
    return Doc(Path(path), digest)


def qr_svg(url: str | None, title: str) -> Markup | None:
    """An inline SVG QR code (about 30 mm) for printing, or None without an address."""
    if not url:
        return None
    import segno

    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=0.8, unit="mm", title=title))
