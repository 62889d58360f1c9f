"""待办.html: the work list (generator/todo.py) as a printable A4 page in the private folder.

It names workers in full and says what to do about their files, so it is private like the
dossiers: written only into private/, linked from the private index, never from the site.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .. import render
from ..records import Records
from ..todo import WorkList, work_list
from .common import Doc, environment, station, write_doc

NAME = "待办.html"
PDF = "待办.pdf"


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
