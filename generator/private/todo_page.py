"""待办.html: the work list (generator/todo.py) as a printable A4 page in the private folder.

It names workers in full and says what to do about their files, so it is private like the
dossiers: written only into private/, linked from the private index, never from the site.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields, replace
from datetime import date
from itertools import repeat
from operator import attrgetter
from pathlib import Path

from .. import render
from ..gcpause import gc_paused
from ..record_views import TABLES, column_bytes, digest
from ..records import Records, Visit, maker
from ..todo import WorkList, work_list
from .common import Doc, environment, station, write_doc

NAME = "待办.html"
PDF = "待办.pdf"

# The columns of the visits the work list reads (todo.py: the follow-up and festival visits, the
# last change of a file). It is worked out from the visits with only these columns (work_view),
# so its inputs (work_inputs) leave the other columns out: an edited visit note keeps the list.
VISIT_COLUMNS = ("archive_no", "date", "kind")


def work_view(records: Records) -> Records:
    """`records` with the visits cut down to VISIT_COLUMNS (the other columns blank)."""
    visits = records.visits
    columns = [map(attrgetter(f.name), visits) if f.name in VISIT_COLUMNS else repeat(f.default)
               for f in fields(Visit)]
    with gc_paused():  # 100,000 new objects: a collection over the records at every 700 costs tenths
        return replace(records, visits=list(map(maker(Visit), *columns)))


def work_inputs(records: Records) -> str:
    """A digest of what work_view(records) holds: every table (record_views) but the visits,
    and of the visits the VISIT_COLUMNS, column by column (record_views.column_bytes)."""
    h = hashlib.sha256(digest(records, tuple(t for t in TABLES if t != "visits")).encode())
    for name in VISIT_COLUMNS:
        data = column_bytes(list(map(attrgetter(name), records.visits)))
        h.update(f"|{name}|{len(data)}|".encode() + data)
    return h.hexdigest()


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
