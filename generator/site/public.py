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

import hashlib
import io
import pickle
from dataclasses import fields

from ..records import Records, pickle_reducers

# the tables the public side reads (settings included); everything else is withheld
PUBLIC_TABLES = ("settings", "workers", "reviews", "payouts", "batches", "objections", "funds", "incomes",
                 "expenses", "categories", "dibao_lines", "items")
WITHHELD = tuple(f.name for f in fields(Records) if f.name not in (*PUBLIC_TABLES, "folder"))


class Withheld:
    """A table of the records the public side may not read: reading it raises AttributeError
    (a data descriptor, so it wins over the instance's own attribute; writes are dropped)."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        raise AttributeError(f"the public site does not read records.{self.name} (generator/site/public.py)")

    def __set__(self, obj, value) -> None:
        pass


class PublicRecords(Records):
    """Records as the public side sees them: the withheld tables cannot be read."""

    def __repr__(self) -> str:
        return f"PublicRecords({', '.join(f'{n}={getattr(self, n)!r}' for n in ('folder', *PUBLIC_TABLES))})"


for _name in WITHHELD:
    setattr(PublicRecords, _name, Withheld(_name))


def public_view(records: Records) -> PublicRecords:
    """The public side's view of `records` (the same record objects, no copies)."""
    if isinstance(records, PublicRecords):
        return records
    return PublicRecords(folder=records.folder, **{name: getattr(records, name) for name in PUBLIC_TABLES})


_REDUCERS = pickle_reducers()


def fingerprint(view: PublicRecords) -> str:
    """SHA-256 of every table the view exposes, pickled without the memo (equal values, equal
    bytes, however the objects are shared: records parsed from a workbook and records loaded
    from the read store fingerprint alike), each table framed by its name and length."""
    h = hashlib.sha256(b"public-view")
    for name in PUBLIC_TABLES:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.dispatch_table = _REDUCERS
        pickler.fast = True
        pickler.dump(getattr(view, name))
        data = buffer.getbuffer()
        h.update(f"|{name}|{len(data)}|".encode())
        h.update(data)
    return h.hexdigest()
