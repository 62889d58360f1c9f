"""Printing from the browser, as a clerk does with Ctrl+P: Chromium's own PDF output
(page.pdf, which uses the print stylesheet), read back with poppler-utils.

- a policy page of the site and a wall printout (print/) come out on A4 with the station
  header and none of the site's navigation; one policy fits on one sheet;
- the dossier of the demo worker with the most payouts breaks pages between table rows,
  never through one. To see where each row lands, two invisible markers (white, 3 px,
  absolutely positioned so they change no layout) are put at the top and at the bottom of
  the row's first cell, which is as tall as the row; pdftotext then tells on which page
  each marker is printed. A row printed whole has both on one page.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

import pytest

from browser_tools import A4_POINTS, pdf_page_sizes, pdf_pages, pdf_to_png

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("poppler")]

NAV_PARTS = ".md-header, .md-tabs, .md-sidebar, .md-footer, .md-top, .md-skip"


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_a4(sizes) -> bool:
    return bool(sizes) and all(abs(w - A4_POINTS[0]) < 1.5 and abs(h - A4_POINTS[1]) < 1.5 for w, h in sizes)


def print_pdf(page, path):
    page.pdf(path=path, format="A4")
    return pdf_page_sizes(path), pdf_pages(path)


def article_length(html: str) -> int:
    body = html.split("<article", 1)[1].split("</article>", 1)[0]
    return len(flat(unescape(re.sub(r"<[^>]+>", "", body))))


def test_longest_policy_pages_print_on_one_a4_sheet_without_navigation(printer, demo_site, demo_records,
                                                                       artifacts):
    from generator.disclosure_audit import pages as site_pages

    folders = [(name, path) for name, path in site_pages(demo_site.site / "policies") if name != "procedure"]
    assert len(folders) == len([i for i in demo_records.items if i.name])
    longest = sorted(folders, key=lambda f: -article_length(f[1].read_text(encoding="utf-8")))[:2]
    station = demo_records.settings.station_name
    for name, path in longest:
        page = printer.open(str(path.relative_to(demo_site.site)))
        nav = page.evaluate("""(parts) => [...document.querySelectorAll(parts)]
            .flatMap(e => e.innerText.split('\\n')).map(s => s.trim()).filter(s => s.length >= 3)""", NAV_PARTS)
        article = flat(page.locator("article").inner_text())
        nav_only = {line for line in nav if flat(line) not in article}
        assert len(nav_only) >= 5  # the tabs and the sidebar list the other sections and items
        pdf = artifacts / f"policy-{name}.pdf"
        sizes, pages = print_pdf(page, pdf)
        assert is_a4(sizes), sizes
        assert len(pages) == 1, f"{name} prints on {len(pages)} pages"
        printed = flat(pages[0])
        assert printed.startswith(flat(station)) and "内容截至2026年11月23日" in printed  # the print header
        assert [line for line in nav_only if flat(line) in printed] == []
        assert "打印本页" not in printed and "上墙版" not in printed  # the buttons are not printed
    pdf_to_png(artifacts / f"policy-{longest[0][0]}.pdf", artifacts / "print-policy")


def test_wall_notice_prints_on_a4_with_the_station_header(printer, demo_site, demo_records, artifacts):
    station = demo_records.settings.station_name
    for notice in sorted((demo_site.site / "print" / "notices").glob("*.html")):
        page = printer.open(f"print/notices/{notice.name}")
        assert printer.problems == []
        pdf = artifacts / f"wall-{notice.stem}.pdf"
        sizes, pages = print_pdf(page, pdf)
        assert is_a4(sizes), sizes
        assert flat(pages[0]).startswith(flat(station))
        for number, text in enumerate(pages, 1):
            assert f"第{number}页，共{len(pages)}页" in flat(text)
        assert "公示期" in pages[0] and "12351" in pages[-1]  # the period first, the channel at the end
    pdf_to_png(artifacts / "wall-GS-2026-07.pdf", artifacts / "print-wall-notice")


def test_every_wall_policy_fits_one_a4_sheet(printer, demo_site, demo_records, artifacts):
    station = flat(demo_records.settings.station_name)
    counts = {}
    for policy in sorted((demo_site.site / "print" / "policies").glob("*.html")):
        page = printer.open(f"print/policies/{policy.name}")
        sizes, pages = print_pdf(page, artifacts / "wall-policy.pdf")
        assert is_a4(sizes) and flat(pages[0]).startswith(station)
        counts[policy.stem] = len(pages)
    assert len(counts) == len([i for i in demo_records.items if i.name])
    assert {name: n for name, n in counts.items() if n != 1} == {}


MARK_ROWS = """() => {
    const rows = [...document.querySelectorAll('table.payouts tbody tr')];
    rows.forEach((row, i) => {
        const cell = row.cells[0];
        cell.style.position = 'relative';
        for (const [edge, tag] of [['top', 'A'], ['bottom', 'Z']]) {
            const mark = document.createElement('span');
            mark.textContent = `ROW${String(i).padStart(3, '0')}${tag}`;
            mark.style.cssText = `position:absolute;${edge}:0;left:0;font:3px monospace;color:#fff;white-space:nowrap`;
            cell.appendChild(mark);
        }
    });
    return rows.length;
}"""


def test_dossier_rows_break_between_pages_never_through_one(printer, demo_site, demo_records, artifacts):
    payouts = Counter(p.archive_no for p in demo_records.payouts)
    archive_no = min(payouts, key=lambda no: (-payouts[no], no))  # most payouts; ties by archive number
    dossier = demo_site.private / "档案" / f"{archive_no}.html"
    page = printer.goto(dossier.as_uri())
    assert printer.problems == []
    rows = page.evaluate(MARK_ROWS)
    assert rows == payouts[archive_no] + 1  # and the total row
    pdf = artifacts / "dossier-most-payouts.pdf"
    sizes, pages = print_pdf(page, pdf)
    assert is_a4(sizes) and len(pages) >= 3  # the cover page, then the record
    where: dict[str, list[int]] = {}
    for number, text in enumerate(pages):
        for mark in re.findall(r"ROW\d{3}[AZ]", text):
            where.setdefault(mark, []).append(number)
    assert len(where) == 2 * rows, sorted(where)
    split = [i for i in range(rows) if where[f"ROW{i:03d}A"] != where[f"ROW{i:03d}Z"]]
    assert split == []
    spanned = sorted({where[f"ROW{i:03d}A"][0] for i in range(rows)})
    # the demo's longest record does cross a page, and the table header is printed again there
    assert len(spanned) >= 2, "the payout table fits one page: nothing was tested"
    for number in spanned:
        assert "序号记录编号帮扶项目" in flat(pages[number])
