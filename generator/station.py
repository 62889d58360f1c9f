"""What printed pages (the public wall printouts and the private records) say about the station.

    header = station(records, today)   # {"name", "parent", "address", "phone", "hotline", ...}
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup

from .records import Records

# Private documents print their date through this marker, replaced after hashing, so
# an unchanged document keeps its digest from day to day (its PDF is then reused).
PRINTED = Markup("\ue000打印日期\ue000")


def station(records: Records, today: date) -> dict:
    """What every page header and footer says about the station."""
    s = records.settings
    return {
        "name": s.station_name,
        "parent": s.parent_union or "",
        "address": s.address or "",
        "phone": s.phone or "",
        "hotline": s.hotline,
        "hours": s.hours or "",
        "contact": s.contact or "",
        "today": today,
        "printed": PRINTED,
    }
