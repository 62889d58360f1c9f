"""One station-info type for the site, the wall printouts and the private records."""

from datetime import date

from generator.record_types import Settings
from generator.records import Records
from generator.site.common import public_text
from generator.station import PRINTED, StationInfo, station

TODAY = date(2026, 11, 23)


def test_defaults_resolved_once_and_text_cleaned_for_the_site():
    records = Records(folder=None, settings=Settings(station_name="示范站\u202e", phone="0531-1"))  # type: ignore[arg-type]
    printed, public = station(records, TODAY), station(records, TODAY, text=public_text)
    assert isinstance(printed, StationInfo) and isinstance(public, StationInfo)
    assert (printed.name, public.name) == ("示范站\u202e", "示范站")
    assert (public.hotline, public.disclosure_days, public.retention_days, public.min_cell, public.full_names) == \
        ("12351", 7, 30, 3, False)
    assert (public.parent_union, public.site_url, public.today, public.printed) == ("", "", TODAY, PRINTED)
