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
                   pdf_cache: Path | None = None, pdf_key: str = "", meanwhile=None) -> tuple[dict, dict]:
    """({docs path: bytes}, {batch number or item name: [(label, docs path)]}). The cyclic
    collector is paused while the notices' entries are made (as in render_site). With
    `meanwhile`, `meanwhile(links)` is called while the PDFs are rendered (the site's pages,
    which link to them: build.steps); it must not raise (the build keeps what it raised)."""
    made: dict = {}

    def beside(pages: list[Path]) -> None:
        made["links"] = _links(records, today, {_docs_path(p, tmp) for p in pages}, to_pdf is not None)
        if meanwhile is not None:
            meanwhile(made["links"])

    with gc_paused():
        written = write_wall_printouts(records, tmp, today=today, to_pdf=to_pdf, pdf_cache=pdf_cache,
                                        pdf_key=pdf_key, meanwhile=beside)
    files = {_docs_path(p, tmp): p.read_bytes() for p in written}
    return files, made["links"]


def _docs_path(path: Path, tmp: Path) -> str:
    return f"{FOLDER}/{path.relative_to(tmp).as_posix()}"


def _links(records, today: date, pages: set[str], pdf: bool) -> dict:
    """{batch number or item name: [(label, docs path)]} of the wall pages written (`pages`, docs
    paths) and, with `pdf`, of the PDF made of each."""
    running = [v.batch.batch_no for v in disclosure.views(records, today) if v.state == disclosure.RUNNING]
    items = [i.name for i in records.items if i.name]
    links: dict = {}
    for kind, keys, stem in ((NOTICES, running, notice_slug), (POLICIES, items, policy_slug)):
        for key, name in unique_names(keys, stem=stem).items():
            page = f"{FOLDER}/{kind}/{name}.html"
            if page not in pages:
                continue
            links[key] = [("打印版 / 上墙版", page)]
            if pdf:
                links[key].append(("PDF", f"{FOLDER}/{kind}/{name}.pdf"))
    return links
