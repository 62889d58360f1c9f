"""The wall printouts (上墙版) inside the public site, under print/.

wall.py writes one self-contained A4 page (and a PDF) per running
notice and per policy item; they are public documents with the same privacy rule
as the site. They are copied into the docs folder (mkdocs copies them as they are)
and linked from the notice and policy pages.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .. import disclosure
from ..gcpause import gc_paused
from ..paths import notice_slug, policy_slug, unique_names
from .wall import NOTICES, POLICIES, PdfWriter, write_wall_printouts

FOLDER = "print"


def wall_printouts(records, tmp: Path, *, today: date, to_pdf: PdfWriter | None,
                   pdf_cache: Path | None = None, pdf_key: str = "") -> tuple[dict, dict]:
    """({docs path: bytes}, {batch number or item name: [(label, docs path)]}). The cyclic
    collector is paused while the notices' entries are made (as in render_site)."""
    with gc_paused():
        written = write_wall_printouts(records, tmp, today=today, to_pdf=to_pdf, pdf_cache=pdf_cache,
                                        pdf_key=pdf_key)
    files = {f"{FOLDER}/{p.relative_to(tmp).as_posix()}": p.read_bytes() for p in written}
    running = [v.batch.batch_no for v in disclosure.views(records, today) if v.state == disclosure.RUNNING]
    items = [i.name for i in records.items if i.name]
    links: dict = {}
    for kind, keys, stem in ((NOTICES, running, notice_slug), (POLICIES, items, policy_slug)):
        for key, name in unique_names(keys, stem=stem).items():
            page = f"{FOLDER}/{kind}/{name}.html"
            if page not in files:
                continue
            links[key] = [("打印版 / 上墙版", page)]
            if f"{FOLDER}/{kind}/{name}.pdf" in files:
                links[key].append(("PDF", f"{FOLDER}/{kind}/{name}.pdf"))
    return files, links
