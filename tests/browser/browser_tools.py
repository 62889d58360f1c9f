"""Helpers for the browser tests: which pages a built site has, and what a printed PDF
holds (poppler-utils: pdfinfo, pdftotext, pdftoppm)."""

from __future__ import annotations

import subprocess
from pathlib import Path

MAX_PAGES = 150  # the crawl samples deterministically above this many pages
A4_POINTS = (595.3, 841.9)


def site_pages(site: Path) -> list[str]:
    """Every page of a built site as a URL path relative to its root: the folders with an
    index.html, plus the standalone HTML pages (404.html, the wall printouts under print/)."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        pages.append(rel[: -len("index.html")] if path.name == "index.html" else rel)
    return pages


def sample(pages: list[str], most: int = MAX_PAGES) -> list[str]:
    """All pages when there are at most `most`; otherwise a deterministic sample of `most`:
    every top-level page (home, section indexes) plus evenly spaced others."""
    if len(pages) <= most:
        return list(pages)
    keep = [p for p in pages if p.count("/") <= 1]
    rest = [p for p in pages if p not in keep]
    step = len(rest) / max(1, most - len(keep))
    return keep + [rest[int(i * step)] for i in range(most - len(keep)) if int(i * step) < len(rest)]


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF (pdftotext -layout, split at form feeds)."""
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          check=True, text=True, encoding="utf-8").stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page (pdfinfo)."""
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, check=True,
                         text=True).stdout
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and "size:" in line:
            width, _, height = line.split("size:")[1].split()[:3]
            sizes.append((float(width), float(height)))
    return sizes


def pdf_to_png(pdf: Path, png_stem: Path, page: int = 1, dpi: int = 80) -> Path:
    """Render one page of a PDF to `<png_stem>.png` (pdftoppm) and return the PNG's path."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(page), "-l", str(page),
                    str(pdf), str(png_stem)], check=True)
    return png_stem.with_suffix(".png")
