"""上墙公示: PUBLIC A4 printouts for the office wall, also linked from the site.

One page per running disclosure notice and one per policy item, each with the
station header, the date, the objection channel and, when the station has a
site address, a QR code linking to the same page online
(`notices/<notice_slug>/`, `policies/<policy_slug>/`; see generator/paths.py).

These pages are public: names are masked unless the station opted in
(settings.full_names), and nothing else about a worker is shown besides the
unit, category, item and amount (as the item's 公示金额 setting allows), as on the site.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import unquote

from .. import disclosure
from ..masking import mask_name
from ..money import yuan
from ..paths import notice_slugs, page_url, policy_slugs, write_text
from ..records import Records
from ..render import qr_svg, station_environment
from ..standards import describe, documents, eligibility_text, frequency_text, percent, procedure_steps, worked_example
from ..station import station
from .disclosure_control import amount_texts, list_total_shown

NOTICES = "notices"
POLICIES = "policies"
INDEX = "index.html"



def _objection_channel(records: Records, batch=None) -> dict:
    s = records.settings
    return {
        "phone": (batch.objection_phone if batch is not None and batch.objection_phone else s.phone) or "",
        "address": (batch.objection_address if batch is not None and batch.objection_address else s.address) or "",
        "hotline": s.hotline,
        "hours": s.hours or "",
    }


def notice_context(records: Records, view, today: date, slug: str) -> dict:
    b = view.batch
    full = bool(records.settings.full_names)
    rows = [{"name": e.name if full else mask_name(e.name), "employer": e.employer,
             "category": e.category, "item": e.item, "amount": amount}
            for e, amount in zip(view.entries, amount_texts(records.item_by_name, view.entries))]
    total_shown = list_total_shown(records.item_by_name, view.entries, records.settings.min_cell or 3)
    url = page_url(records.settings.site_url, NOTICES, slug)
    return {
        "batch_no": b.batch_no, "title": b.title or f"公示 {b.batch_no}", "kind": b.kind or "",
        "subject": b.subject or "", "with_amounts": b.kind == "帮扶公示", "rows": rows,
        "total": yuan(view.total) if total_shown else "—", "start": view.start, "end": view.end, "days": view.days,
        "place": b.place or "", "issuer": b.issuer or records.settings.station_name,
        "issued": b.issued or view.start, "channel": _objection_channel(records, b),
        "full_names": full, "url": url, "shown_url": unquote(url) if url else None,
        "qr": qr_svg(url, "扫码查看网上公示"),
    }


def policy_context(records: Records, item, today: date, slug: str) -> dict:
    days = records.settings.disclosure_days
    latest = records.latest_dibao_line(today.year)
    year, line = latest if latest is not None else (None, None)
    income = eligibility_text(item, line, year)
    example = None
    pair = worked_example(item)
    if pair is not None and pair[1] is not None:
        base, amount = pair
        threshold = item.threshold or 0
        example = (f"例：医疗自付费用 {yuan(base)} 元，救助金额 =（{yuan(base)} − {yuan(threshold)}）"
                   f"× {percent(item.rate)} = {yuan(amount)} 元")
    formula = None
    if item.standard == "比例封顶" and item.rate is not None:
        formula = f"救助金额 =（医疗自付费用 − {yuan(item.threshold or 0)}）× {percent(item.rate)}"
        if item.cap is not None:
            formula += f"，最高不超过 {yuan(item.cap)} 元"
    frequency = frequency_text(item)
    url = page_url(records.settings.site_url, POLICIES, slug)
    return {
        "name": item.name, "group": item.group or "", "who": item.who or "", "income": income,
        "standard": describe(item), "formula": formula, "example": example, "frequency": frequency,
        "documents": documents(item),
        "steps": procedure_steps(item, days),
        "deadline": f"收到申请后 {item.deadline_days} 个工作日内完成调查核实" if item.deadline_days else "",
        "disclosure": f"须经公示 {days} 天无异议后发放" if item.needs_disclosure else "无需公示，审批后发放",
        "note": item.note or "", "channel": _objection_channel(records),
        "url": url, "shown_url": unquote(url) if url else None, "qr": qr_svg(url, "扫码查看网上政策"),
    }


# Renders the PDF of each (html page, pdf path) pair (the build passes pdf.write_many,
# which spreads them over worker processes); with `meanwhile=`, a function it calls while
# they are rendered.
PdfWriter = Callable[..., object]


def _cached_pdfs(pages: list[Path], to_pdf: PdfWriter, cache: Path | None, key: str = "",
                 meanwhile=None) -> list[Path]:
    """Write the PDF next to each page: copied from the cache (a folder of PDFs named by the
    digest of their page and of `key`, what else the PDF depends on: the engine, its version
    and fonts) when the page is unchanged, else rendered (all of them in one call of `to_pdf`)
    and then kept in the cache. Returns the PDF paths; the cache keeps only these pages' PDFs.
    `meanwhile()` is called while they are rendered (to_pdf's `meanwhile`), or before when none is."""
    salt = hashlib.sha256(key.encode("utf-8")).digest()
    names = {page: hashlib.sha256(salt + page.read_bytes()).hexdigest() + ".pdf" for page in pages}
    todo = []
    for page in pages:
        cached = Path(cache) / names[page] if cache is not None else None
        if cached is not None and cached.is_file():
            shutil.copyfile(cached, page.with_suffix(".pdf"))
        else:
            todo.append((page, page.with_suffix(".pdf")))
    if todo and meanwhile is not None:
        to_pdf(todo, meanwhile=meanwhile)
    elif todo:
        to_pdf(todo)
    elif meanwhile is not None:
        meanwhile()
    if cache is not None:
        cache = Path(cache)
        cache.mkdir(parents=True, exist_ok=True)
        for page, pdf_path in todo:
            tmp = cache / (names[page] + ".part")
            shutil.copyfile(pdf_path, tmp)
            tmp.replace(cache / names[page])
        for old in cache.glob("*.pdf"):
            if old.name not in names.values():
                old.unlink()
    return [page.with_suffix(".pdf") for page in pages]


def write_wall_printouts(records: Records, out_dir: Path, *, today: date,
                         to_pdf: PdfWriter | None = None, pdf_cache: Path | None = None,
                         pdf_key: str = "", meanwhile=None) -> list[Path]:
    """Write notices/<batch>.html for running notices and policies/<item>.html, an index,
    and a PDF of each through `to_pdf([(html_path, pdf_path), …])` when given (the build
    passes the PDF renderer when PDFs are wanted and available). Returns every path written.
    `pdf_cache` (a folder) keeps each PDF under the digest of its page, so that a page
    that did not change is not rendered again by the next build, while `pdf_key` (what else
    the PDFs depend on: engine, version, fonts) is the same. `meanwhile(pages)` (the pages
    written, no PDF yet) is called while the PDFs are rendered."""
    out_dir = Path(out_dir)
    env = station_environment(records)
    st = station(records, today)
    written: list[Path] = []
    views = disclosure.views(records, today)
    notice_names = notice_slugs([v.batch.batch_no for v in views])  # as the site names its pages
    listing = []
    template = env.get_template("private/wall_notice.html")
    for v in views:
        if v.state != disclosure.RUNNING:
            continue
        slug = notice_names[v.batch.batch_no]
        path = out_dir / NOTICES / f"{slug}.html"
        ctx = notice_context(records, v, today, slug)
        written.append(write_text(out_dir, path, template.render(n=ctx, station=st)))
        listing.append(("公示", ctx["title"], path))
    policy_names = policy_slugs([i.name for i in records.items])
    template = env.get_template("private/wall_policy.html")
    for item in records.items:
        if not item.name:
            continue
        slug = policy_names[item.name]
        path = out_dir / POLICIES / f"{slug}.html"
        ctx = policy_context(records, item, today, slug)
        written.append(write_text(out_dir, path, template.render(p=ctx, station=st)))
        listing.append(("政策", ctx["name"], path))
    make_pdf = to_pdf is not None
    pages = list(written)
    beside = (lambda: meanwhile(pages)) if meanwhile is not None else None
    if to_pdf is not None:
        written.extend(_cached_pdfs(pages, to_pdf, pdf_cache, pdf_key, beside))
    elif beside is not None:
        beside()
    links = [(kind, title, path.relative_to(out_dir).as_posix(),
              path.with_suffix(".pdf").relative_to(out_dir).as_posix() if make_pdf else None)
             for kind, title, path in listing]
    index = env.get_template("private/wall_index.html").render(links=links, station=st)
    written.append(write_text(out_dir, out_dir / INDEX, index))
    return written
