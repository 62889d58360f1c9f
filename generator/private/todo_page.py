"""待办.html: the work list (generator/todo.py) as a printable A4 page in the private folder.

It names workers in full and says what to do about their files, so it is private like the
dossiers: written only into private/, linked from the private index, never from the site.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import fields, replace
from datetime import date
from itertools import repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from .. import render
from ..gcpause import gc_paused
from ..record_views import TABLES, column_bytes, digest, table_digest
from ..records import Payout, Records, Visit, maker
from ..todo import WorkList, work_list
from .common import Doc, environment, station, write_doc
from .dossier_slices import table_values

NAME = "待办.html"
PDF = "待办.pdf"

# The columns of the visits the work list reads (todo.py: the follow-up and festival visits, the
# last change of a file). It is worked out from the visits with only these columns (work_view),
# so its inputs (work_inputs) leave the other columns out: an edited visit note keeps the list.
VISIT_COLUMNS = ("archive_no", "date", "kind")
# The columns of the payouts it reads (todo.py and the lifecycle rules it asks: the steps of each
# application, signatures, follow-ups, the festival and school suggestions, the cell to update):
# not the amount, fund, beneficiary or notes, so an edited amount keeps the list too.
PAYOUT_COLUMNS = ("record_no", "archive_no", "item", "campaign", "state", "applied", "verified", "batch",
                  "approved", "notified", "paid", "method", "signed", "signed_on", "followed_up", "row")
CUT = (("visits", Visit, VISIT_COLUMNS), ("payouts", Payout, PAYOUT_COLUMNS))


def work_view(records: Records) -> Records:
    """`records` with the visits cut down to VISIT_COLUMNS and the payouts to PAYOUT_COLUMNS
    (the other columns blank)."""
    cut: dict[str, Any] = {}
    with gc_paused():  # 200,000 new objects: a collection over the records at every 700 costs tenths
        for table, kind, keep in CUT:
            rows = getattr(records, table)
            columns = [map(attrgetter(f.name), rows) if f.name in keep else repeat(f.default) for f in fields(kind)]
            cut[table] = list(map(maker(kind), *columns))
        return replace(records, **cut)


def work_inputs(records: Records, known: dict | None = None) -> str:
    """A digest of what work_view(records) holds: every table (record_views) but the visits and
    payouts, and of those the columns kept, column by column (record_views.column_bytes).
    `known` (table name -> (table digest, digest of its columns kept), from the last build)
    saves encoding the columns of a table that did not change; it is updated for this build."""
    cut = tuple(table for table, _, _ in CUT)
    h = hashlib.sha256(digest(records, tuple(t for t in TABLES if t not in cut)).encode())
    known = {} if known is None else known
    for table, kind, keep in CUT:
        whole = table_digest(records, table).hex()
        last = known.get(table)
        if not (isinstance(last, list) and len(last) == 2 and last[0] == whole and isinstance(last[1], str)):
            last = known[table] = [whole, _columns_digest(records, table, kind, keep)]
        h.update(f"|{table}|{last[1]}".encode())
    return h.hexdigest()


def _columns_digest(records: Records, table: str, kind: type, keep: tuple) -> str:
    """A digest of the columns `keep` of a table: from the rows as the dossiers' slices encode
    them (dossier_slices.table_values, worked out once a build for a changed table: a tuple of the
    fields' values, each the quick way its declared type allows), picked column by column;
    column by column through record_views.column_bytes when a row was encoded otherwise."""
    rows = getattr(records, table)
    names = [f.name for f in fields(kind)]
    values = table_values(records, table)
    encoded = [values[id(r)] for r in rows]
    if all(len(v) == len(names) for v in encoded):
        pick = itemgetter(*[names.index(name) for name in keep])
        data = marshal.dumps((keep, [pick(v) for v in encoded]), 0)
        return hashlib.sha256(b"values|" + data).hexdigest()
    part = hashlib.sha256(b"columns")
    for name in keep:
        data = column_bytes(list(map(attrgetter(name), rows)))
        part.update(f"|{name}|{len(data)}|".encode() + data)
    return part.hexdigest()


def write_todo(records: Records, out_dir: Path, *, today: date, worklist: WorkList | None = None) -> Doc:
    wl = worklist or work_list(records, today)
    sections = [("待办事项", wl.duties, "")]
    if wl.suggestions:
        sections.append(("建议（供参考）", wl.suggestions,
                         "以下是根据档案推算的提示，不是必须办理的事项：请结合实际情况决定。"))
    html = environment(records).get_template("private/todo.html").render(
        today=render.zh_date(today), duties=wl.duties, overdue=len(wl.overdue), suggestions=wl.suggestions,
        sections=sections, station=station(records, today))
    return write_doc(out_dir, Path(out_dir) / NAME, html, today)
