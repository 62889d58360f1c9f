"""What the public side reads of a station's records: `public_view(records)`.

The site's pages (`render_site`) and the wall printouts (`prints.wall_printouts`) are
rendered from a `PublicRecords`: the same `Records`, but every table the public side has no
business reading (`WITHHELD`: 家庭成员, 走访记录, 来访登记, the work calendar, the county's
梯次帮扶 limits and the sheets' cell places) raises `AttributeError` when read, as does
every index built on one (`visits_by_worker` reads `visits`). A page that starts to
depend on one of them fails its tests at once instead of silently; the name then moves
into `PUBLIC_TABLES` here, and with it into the fingerprint.

`fingerprint(view)` is a digest of exactly the tables the view exposes. The view's `folder`
serves only to find the station's `site_templates/` (render.station_environment), whose
files the build fingerprints with the program (state.code_key); its path is left out, so a
station folder copied or moved elsewhere keeps its site. The build (build/steps.py) renders the
site again only when that digest, today's date, the templates, the theme, the program or
the PDF engine changed: an edited visit note cannot change any public page, so the site is
carried over without rendering one (the leak scan still judges it against the new records).
"""

from __future__ import annotations

from .. import record_views
from ..records import Records

# the tables the public side reads (settings included); everything else is withheld
PUBLIC_TABLES = ("settings", "workers", "reviews", "payouts", "batches", "objections", "funds", "incomes",
                 "expenses", "categories", "dibao_lines", "items")
WITHHELD = tuple(name for name in record_views.TABLES if name not in PUBLIC_TABLES)
LABEL = "PublicRecords"  # "PublicRecords does not read records.visits"


def public_view(records: Records) -> Records:
    """The public side's view of `records` (the same record objects, no copies)."""
    return record_views.view(records, PUBLIC_TABLES, LABEL)


def fingerprint(view: Records) -> str:
    """SHA-256 of every table the public view exposes (record_views.digest)."""
    return record_views.digest(view, PUBLIC_TABLES)
