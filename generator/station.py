"""What the pages say about the station, once: the site, the wall printouts and the private
records all render one `StationInfo` (settings resolved, see record_types.Settings).

    info = station(records, today)                      # for printed pages
    info = station(records, today, text=public_text)    # for the site: text made safe to publish
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from .records import Records

# Private documents print their date through this marker, replaced after hashing, so
# an unchanged document keeps its digest from day to day (its PDF is then reused).
PRINTED = Markup("\ue000打印日期\ue000")


@dataclass(frozen=True)
class StationInfo:
    name: str
    parent_union: str
    address: str
    phone: str
    hotline: str
    hours: str
    contact: str
    site_url: str
    today: date
    disclosure_days: int
    retention_days: int
    full_names: bool
    min_cell: int
    printed: Markup = PRINTED  # the print date of a private document (see PRINTED)


def _plain(value: object) -> str:
    return str(value) if value else ""


def station(records: Records, today: date, text: Callable[[object], str] = _plain) -> StationInfo:
    """The station's header, footer and site-wide settings; `text` cleans each text setting."""
    s = records.settings
    return StationInfo(
        name=text(s.station_name), parent_union=text(s.parent_union), address=text(s.address),
        phone=text(s.phone), hotline=text(s.hotline), hours=text(s.hours), contact=text(s.contact),
        site_url=text(s.site_url), today=today, disclosure_days=s.disclosure_days,
        retention_days=s.retention_days, full_names=s.full_names, min_cell=s.min_cell,
    )
